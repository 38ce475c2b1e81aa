"""The access log: append-only, complete rows, and the privacy officer's view (itself logged)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.urls import get_resolver
from django.utils import timezone
from freezegun import freeze_time

from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry
from vangnet.audit.sealing import database_now
from vangnet.audit.selectors import period_bounds
from vangnet.audit.services import access_log_write
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

LOG = "/toegangslog/"
POSTGRES = connection.vendor == "postgresql"


def entry(world) -> AccessLogEntry:
    return access_log_write(
        actor=actor_for(world.coordinator), action="read", case_id=1, case_reference="VN-2026-00001"
    )


def snapshot(pk: int) -> tuple:
    return AccessLogEntry.objects.filter(pk=pk).values_list("detail", "action", "outcome").get()


# --- append-only ------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_through_the_model(world):
    row = entry(world)
    before = snapshot(row.pk)
    row.detail = "aangepast"
    with pytest.raises(PermissionError, match="niet worden gewijzigd"):
        row.save()
    with pytest.raises(PermissionError, match="niet worden verwijderd"):
        row.delete()
    assert snapshot(row.pk) == before


def test_bulk_update_and_delete_are_refused(world):
    row = entry(world)
    before = snapshot(row.pk)
    with pytest.raises((PermissionError, DatabaseError)), transaction.atomic():
        AccessLogEntry.objects.filter(pk=row.pk).update(detail="aangepast")
    with pytest.raises((PermissionError, DatabaseError)), transaction.atomic():
        AccessLogEntry.objects.filter(pk=row.pk).delete()
    assert snapshot(row.pk) == before


@pytest.mark.skipif(
    not POSTGRES,
    reason="the append-only trigger exists only on PostgreSQL (SQLite relies on model guards)",
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accesslogentry SET detail = 'aangepast' WHERE id = %s",
        "UPDATE audit_accesslogentry SET outcome = 'allowed', user_id = NULL WHERE id = %s",
        "DELETE FROM audit_accesslogentry WHERE id = %s",
    ],
)
def test_raw_sql_update_and_delete_fail_on_postgresql(world, sql):
    row = entry(world)
    before = snapshot(row.pk)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [row.pk])
    assert snapshot(row.pk) == before


def test_access_log_is_not_in_the_admin():
    # The privacy officer reads it through /toegangslog/ (itself logged); nobody edits it.
    assert AccessLogEntry not in admin.site._registry


def test_a_page_read_writes_one_complete_row_without_patient_data(world, verified_client):
    case = factories.register_case(
        world.referrer, patient_name="Hendrika Zuiderwijk", patient_bsn="123456782"
    )
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    # Load the URLs (and the API's pydantic schemas) before freezegun replaces `date`.
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    with freeze_time("2026-04-01 08:15:00"):
        verified_client(world.coordinator).get(f"/casussen/{case.reference}/")
    [row] = AccessLogEntry.objects.exclude(pk__in=before)
    # The time is the database's clock in UTC: the application's (frozen) clock cannot set it.
    assert row.at != datetime(2026, 4, 1, 8, 15, tzinfo=UTC)
    assert abs((database_now() - row.at).total_seconds()) < 60
    assert row.at.utcoffset().total_seconds() == 0
    assert row.user == world.coordinator and row.username == world.coordinator.username
    assert (row.role, row.organisation) == ("coordinator", "Arkin")
    assert (row.case_id, row.case_reference) == (case.pk, case.reference)
    assert (row.action, row.outcome, row.channel) == ("read", "allowed", "web")
    for value in AccessLogEntry.objects.values_list(
        "username", "role", "organisation", "case_reference", "detail"
    ):
        text = " ".join(value)
        assert "Hendrika" not in text and "Zuiderwijk" not in text and "123456782" not in text


def test_page_registration_writes_one_create_row(world, verified_client):
    client = verified_client(world.referrer)
    form = {
        "organisation": world.referrer_org.pk,
        "referrer_type": "gp",
        "patient_name": "Hendrika Zuiderwijk",
        "patient_birth_date": "1970-01-02",
        "patient_municipality": "GM0363",
        "insurer": "CZ",
        "consent_by": "patient",
        "stuck_description": "Vast.",
        "best_solution": "Beschermd wonen.",
        "timeline": "Sinds 2020.",
        "urgency": "regular",
        "party_0_organisation": "Huisarts",
        "party_0_action": "Verwezen.",
    }
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    response = client.post("/casussen/aanmelden/", form)
    assert response.status_code == 302
    [row] = AccessLogEntry.objects.exclude(pk__in=before)
    assert (row.action, row.outcome, row.role) == ("create", "allowed", "referrer")
    assert response.url == f"/casussen/{row.case_reference}/"


# --- the privacy officer's view ----------------------------------------------------------------


@pytest.fixture
def accessed_case(world, verified_client):
    """A case read by the coordinator and the screener, and refused to another table's
    coordinator. The log's time is the database clock, so the reads happen now."""
    case = factories.register_case(world.referrer)
    for user in [world.coordinator, world.screener, world.other_table_coordinator]:
        verified_client(user).get(f"/casussen/{case.reference}/")
    return case


def _log_rows(html: str) -> list[str]:
    table = re.search(r'<table data-testid="log">.*?</table>', html, re.S).group(0)
    return re.findall(r"<tr><td>(.*?)</tr>", table, re.S)


def test_privacy_officer_sees_the_cases_entries_for_a_period(world, verified_client, accessed_case):
    client = verified_client(world.privacy_officer)
    ref = accessed_case.reference
    today = database_now().astimezone(timezone.get_current_timezone()).date()
    response = client.post(LOG, {"reference": ref, "start": str(today), "end": str(today)})
    assert response.status_code == 200
    rows = _log_rows(response.content.decode())
    assert len(rows) == 3
    assert world.other_table_coordinator.username in rows[0] and "Geweigerd" in rows[0]
    assert world.screener.username in rows[1] and "sessie" in rows[1]
    # A period before today holds none of them; another case's entries never appear.
    earlier = client.post(LOG, {"reference": ref, "end": str(today - timedelta(days=1))})
    assert "Geen toegang in deze periode." in earlier.content.decode()
    factories.register_case(world.referrer, patient_name="Ander")
    all_rows = _log_rows(client.post(LOG, {"reference": ref}).content.decode())
    assert len(all_rows) == 5  # three reads and the two previous log views
    assert "Toegangslog inzien" in all_rows[0]


def test_a_period_is_whole_days_in_amsterdam_time():
    # 00:30 on 1 February in Amsterdam is 23:30 on 31 January in UTC, and belongs to February.
    low, high = period_bounds(date(2026, 2, 1), date(2026, 2, 28))
    assert low == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert high == datetime(2026, 2, 28, 22, 59, 59, 999999, tzinfo=UTC)
    assert period_bounds(None, None) == (None, None)


def test_viewing_the_log_is_itself_logged(world, verified_client, accessed_case):
    client = verified_client(world.privacy_officer)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    client.post(LOG, {"reference": accessed_case.reference, "start": "2026-01-01"})
    [row] = AccessLogEntry.objects.exclude(pk__in=before)
    assert (row.action, row.outcome) == ("log_view", "allowed")
    assert row.user == world.privacy_officer and row.role == "privacy_officer"
    assert row.case_reference == accessed_case.reference


def test_empty_or_invalid_filter_shows_no_entries_and_logs_nothing(world, verified_client):
    client = verified_client(world.privacy_officer)
    before = AccessLogEntry.objects.count()
    assert 'data-testid="log"' not in client.get(LOG).content.decode()
    response = client.post(
        LOG, {"reference": "VN-2026-00001", "start": "2026-03-01", "end": "2026-02-01"}
    )
    html = response.content.decode()
    assert "De begindatum ligt na de einddatum." in html and 'data-testid="log"' not in html
    response = client.post(LOG, {"reference": "VN-2026-00001", "start": "gisteren"})
    assert 'data-testid="log"' not in response.content.decode()
    assert AccessLogEntry.objects.count() == before


@pytest.mark.parametrize(
    "role", ["coordinator", "referrer", "administrator", "monitor_analyst", "medical_adviser"]
)
def test_others_get_403_and_a_denied_row(world, verified_client, accessed_case, role):
    user = getattr(world, role)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    response = verified_client(user).post(LOG, {"reference": accessed_case.reference})
    assert response.status_code == 403
    assert "Alleen de privacy officer" in response.content.decode()
    assert 'data-testid="log"' not in response.content.decode()
    [row] = AccessLogEntry.objects.exclude(pk__in=before)
    assert (row.action, row.outcome, row.user) == ("log_view", "denied", user)
    assert row.case_reference == accessed_case.reference


def test_anonymous_and_unverified_are_sent_to_login_without_a_row(world):
    from django.test import Client

    before = AccessLogEntry.objects.count()
    assert Client().get(LOG).url.startswith("/account/inloggen/")
    client = Client()
    client.force_login(world.privacy_officer)
    assert client.get(LOG).url == "/account/tweede-factor/"
    assert AccessLogEntry.objects.count() == before
