"""The privacy officer's access-log page (issue 11 §3): local time, full names, a filter by user
and period, and a CSV export of a case's log for a patient's request, itself logged and safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.selectors import actor_for
from vangnet.audit import views
from vangnet.audit.models import AccessLogEntry, AccountLogEntry, Action, Outcome
from vangnet.audit.services import access_log_write

pytestmark = pytest.mark.django_db

REF = "VN-2026-00042"
OTHER = "VN-2026-00043"


def _read(user, ref=REF, detail="casus inzien"):
    return access_log_write(
        actor=actor_for(user), action=Action.READ, case_reference=ref, detail=detail
    )


def _table(html: str) -> str:
    match = re.search(r'<table data-testid="log">.*?</table>', html, re.S)
    assert match, html
    return match.group(0)


def test_times_are_shown_in_amsterdam_time_not_utc(world, verified_client):
    entry = _read(world.coordinator)
    entry.refresh_from_db()
    local = timezone.localtime(entry.at).strftime("%H:%M:%S")
    utc = entry.at.astimezone(UTC).strftime("%H:%M:%S")
    assert local != utc  # Amsterdam is never at UTC
    html = verified_client(world.privacy_officer).post("/toegangslog/", {"reference": REF})
    table = _table(html.content.decode())
    assert local in table
    assert utc not in table
    assert "(UTC)" not in table


def test_rows_show_the_users_full_name(world, verified_client):
    _read(world.coordinator)
    html = verified_client(world.privacy_officer).post("/toegangslog/", {"reference": REF})
    table = _table(html.content.decode())
    assert f"{world.coordinator.get_full_name()} ({world.coordinator.username})" in table


def test_filter_by_user_shows_only_that_users_rows(world, verified_client):
    _read(world.coordinator, detail="door coordinator")
    _read(world.table_member, detail="door tafellid")
    _read(world.table_member, ref=OTHER, detail="tafellid elders")
    client = verified_client(world.privacy_officer)
    table = _table(
        client.post(
            "/toegangslog/", {"reference": REF, "user": world.table_member.pk}
        ).content.decode()
    )
    assert "door tafellid" in table
    assert "door coordinator" not in table
    assert "tafellid elders" not in table
    # Without a case: everything the user did, and the view is logged as such.
    table = _table(client.post("/toegangslog/", {"user": world.table_member.pk}).content.decode())
    assert "door tafellid" in table and "tafellid elders" in table
    assert "door coordinator" not in table
    assert AccessLogEntry.objects.filter(
        user=world.privacy_officer, action=Action.LOG_VIEW, detail="toegangslog per gebruiker"
    ).exists()


def test_filter_needs_a_case_or_a_user(world, verified_client):
    response = verified_client(world.privacy_officer).post("/toegangslog/", {"reference": ""})
    assert "Vul een casusreferentie in of kies een gebruiker." in response.content.decode()
    assert 'data-testid="log"' not in response.content.decode()


def test_filter_by_period_uses_local_days(world, verified_client):
    _read(world.coordinator, detail="vandaag")
    today = timezone.localdate()
    client = verified_client(world.privacy_officer)
    data = {"reference": REF, "start": today.isoformat(), "end": today.isoformat()}
    assert "vandaag" in _table(client.post("/toegangslog/", data).content.decode())
    yesterday = (today - timedelta(days=1)).isoformat()
    data = {"reference": REF, "start": yesterday, "end": yesterday}
    assert "vandaag" not in _table(client.post("/toegangslog/", data).content.decode())


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_csv_export_has_the_whole_case_log_and_is_logged(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # the page is paged; the export is not
    for i in range(5):
        _read(world.coordinator, detail=f"lezen {i}")
    _read(world.coordinator, ref=OTHER, detail="andere casus")
    rows = _csv(
        verified_client(world.privacy_officer).post("/toegangslog/", {"reference": REF, "csv": "1"})
    )
    assert rows[0] == views.CSV_HEADER
    # The export is logged before the file is written, so it is its own first (newest) row.
    assert rows[1][-1] == "toegangslog als csv (verzoek betrokkene)"
    details = [r[-1] for r in rows[2:]]
    assert sorted(details) == [f"lezen {i}" for i in range(5)]
    assert all(world.coordinator.get_full_name() in r[1] for r in rows[2:])
    export = AccessLogEntry.objects.get(user=world.privacy_officer, action=Action.EXPORT)
    assert export.case_reference == REF
    assert export.outcome == Outcome.ALLOWED
    assert "csv" in export.detail


def test_csv_export_neutralises_formulas(world, verified_client):
    AccessLogEntry.objects.create(
        username='=HYPERLINK("http://x")',
        case_reference=REF,
        action=Action.READ,
        outcome=Outcome.DENIED,
        detail="+SUM(A1:A2)",
    )
    rows = _csv(
        verified_client(world.privacy_officer).post("/toegangslog/", {"reference": REF, "csv": "1"})
    )
    body = rows[2:]  # after the export's own row
    assert body[0][1] == '\'=HYPERLINK("http://x")'
    assert body[0][-1] == "'+SUM(A1:A2)"
    assert not any(cell[:1] in "=+-@" and cell for row in body for cell in row)


def test_csv_export_needs_a_case(world, verified_client):
    response = verified_client(world.privacy_officer).post(
        "/toegangslog/", {"user": world.coordinator.pk, "csv": "1"}
    )
    assert response["Content-Type"].startswith("text/html")
    assert "Een export gaat over één casus" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_csv_export_is_refused_to_others_and_logged(world, verified_client):
    _read(world.coordinator)
    response = verified_client(world.coordinator).post(
        "/toegangslog/", {"reference": REF, "csv": "1"}
    )
    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()
    assert AccessLogEntry.objects.filter(
        user=world.coordinator, action=Action.LOG_VIEW, outcome=Outcome.DENIED
    ).exists()


def test_account_log_is_paged_not_capped(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    AccountLogEntry.objects.bulk_create(
        [AccountLogEntry(actor="beheer", subject=f"account{i:02d}", action="x") for i in range(9)]
    )
    client = verified_client(world.privacy_officer)
    seen: list[str] = []
    url = "/toegangslog/beheer/"
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r"account\d\d", html)
        more = re.search(r'href="(\?na=[^"]+)" data-testid="more"', html)
        url = "/toegangslog/beheer/" + more.group(1).replace("&amp;", "&") if more else ""
    assert sorted(seen) == [f"account{i:02d}" for i in range(9)]


def test_account_log_shows_full_names_in_local_time(world, verified_client):
    entry = AccountLogEntry.objects.create(
        actor=world.administrator.username, subject=world.coordinator.username, action="x"
    )
    entry.refresh_from_db()
    html = verified_client(world.privacy_officer).get("/toegangslog/beheer/").content.decode()
    table = re.search(r'<table data-testid="account-log">.*?</table>', html, re.S).group(0)
    assert f"{world.coordinator.get_full_name()} ({world.coordinator.username})" in table
    assert f"{world.administrator.get_full_name()} ({world.administrator.username})" in table
    assert timezone.localtime(entry.at).strftime("%H:%M:%S") in table


def test_the_log_can_be_read_oldest_first_and_more_keeps_the_order(
    world, verified_client, monkeypatch
):
    """Issue 11 §3: every list is sortable. Oldest first, page by page, every row once."""
    for i in range(5):
        _read(world.coordinator, detail=f"inzage {i}")
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = verified_client(world.privacy_officer)
    data: dict[str, str] | None = {"reference": REF, "order": "oudste"}
    shown: list[str] = []
    while data:
        html = client.post("/toegangslog/", data).content.decode()
        shown += re.findall(r"inzage (\d)", _table(html))
        more = re.search(r'<form method="post" data-testid="more">(.*?)</form>', html, re.S)
        data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', more.group(1))) if more else None
        if data:
            data.pop("csrfmiddlewaretoken", None)
    assert shown == ["0", "1", "2", "3", "4"]
    monkeypatch.setattr(views, "PAGE_SIZE", 100)  # the log views above are newer rows too
    newest = client.post("/toegangslog/", {"reference": REF}).content.decode()
    assert re.findall(r"inzage (\d)", _table(newest))[:2] == ["4", "3"]


def test_a_tampered_cursor_goes_back_to_the_form_with_the_reason(world, verified_client):
    """The search's terms travel in the POST body only, never in a URL, so the first page of a
    refused cursor is the form: asking again shows the first page."""
    from vangnet.testing.pages import assert_cursor_refused

    _read(world.coordinator)
    client = verified_client(world.privacy_officer)
    assert_cursor_refused(
        client, "/toegangslog/", post={"reference": REF, "na": "vervalst"}, first="/toegangslog/"
    )
    assert not AccessLogEntry.objects.filter(
        user=world.privacy_officer, action=Action.LOG_VIEW, case_reference=REF
    ).exists()
