"""Access-log gaps (issue 10 §3): refused and failed attempts on case data leave a row too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vangnet.accounts.models import ApiToken, Notification
from vangnet.audit.models import AccessLogEntry
from vangnet.testing import factories

pytestmark = pytest.mark.django_db


def rows_after(before: set[int]) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.exclude(pk__in=before).order_by("id"))


def ids() -> set[int]:
    return set(AccessLogEntry.objects.values_list("pk", flat=True))


@pytest.fixture
def case(world):
    return factories.register_case(world.referrer)  # table 3


# --- the permission is checked before the body is validated ----------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("triage", {"assessments": "geen lijst"}),
        ("screen", {"verdict": "misschien"}),
        ("move", {}),
    ],
)
def test_an_unauthorised_call_with_an_invalid_body_is_refused_and_logged(world, case, path, body):
    _, raw = ApiToken.issue(user=world.other_table_coordinator, name="x")
    before = ids()
    response = Client().post(
        f"/api/v1/cases/{case.reference}/{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    [row] = rows_after(before)
    assert (row.case_reference, row.outcome, row.channel) == (case.reference, "denied", "api")
    assert row.user == world.other_table_coordinator


def test_an_authorised_call_with_an_invalid_body_is_a_422_with_one_row(world, case):
    _, raw = ApiToken.issue(user=world.coordinator, name="x")
    before = ids()
    response = Client().post(
        f"/api/v1/cases/{case.reference}/triage",
        {"assessments": "geen lijst"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    [row] = rows_after(before)
    assert (row.outcome, row.user) == ("allowed", world.coordinator)


# --- attempts without valid credentials on a case address --------------------------------------


def test_an_api_attempt_without_credentials_is_logged(world, case):
    before = ids()
    assert Client().get(f"/api/v1/cases/{case.reference}").status_code == 401
    [row] = rows_after(before)
    assert (row.case_reference, row.outcome, row.channel) == (case.reference, "denied", "api")
    assert (row.user, row.username, row.credential) == (None, "anoniem", "")
    assert row.detail == "niet ingelogd"


@pytest.mark.parametrize("problem", ["revoked", "expired", "inactive", "unknown"])
def test_an_api_attempt_with_a_bad_token_is_logged_with_that_token(world, case, problem):
    token, raw = ApiToken.issue(user=world.coordinator, name="x")
    if problem == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    elif problem == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    elif problem == "inactive":
        world.coordinator.is_active = False
        world.coordinator.save()
    else:
        raw = "vn_" + "x" * 40
    before = ids()
    response = Client().get(f"/api/v1/cases/{case.reference}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    [row] = rows_after(before)
    assert (row.case_reference, row.outcome, row.user) == (case.reference, "denied", None)
    expected = "token:onbekend" if problem == "unknown" else f"token:{token.pk}"
    assert row.credential == expected
    assert "API-token" in row.detail


def test_a_web_attempt_without_login_is_logged_and_typed_text_is_not(world, case):
    before = ids()
    response = Client().get(f"/casussen/{case.reference}/")
    assert response.status_code == 302 and response.url.startswith("/account/inloggen/")
    [row] = rows_after(before)
    assert (row.case_reference, row.outcome, row.channel) == (case.reference, "denied", "web")
    assert row.username == "anoniem" and row.detail == "niet ingelogd"
    before = ids()
    Client().get("/casussen/Jan de Vries/")  # not a reference: nothing typed goes into the log
    assert rows_after(before) == []


def test_a_web_attempt_without_the_second_factor_is_logged_for_that_user(world, case):
    client = Client()
    client.force_login(world.coordinator)
    before = ids()
    assert client.get(f"/casussen/{case.reference}/").url == "/account/tweede-factor/"
    [row] = rows_after(before)
    assert (row.user, row.outcome, row.detail) == (
        world.coordinator,
        "denied",
        "tweede factor niet bevestigd",
    )


# --- the monitor questionnaire with invalid input ----------------------------------------------


def test_an_invalid_questionnaire_post_is_logged(world, case, verified_client):
    before = ids()
    response = verified_client(world.coordinator).post(
        f"/monitor/vragenlijsten/{case.reference}/",
        {"age_cluster": "onzin", "outcome": "ongoing", "goal_types": ["none", "symptoms"]},
    )
    assert response.status_code == 200
    [row] = rows_after(before)
    assert (row.case_reference, row.action, row.outcome) == (case.reference, "update", "allowed")
    assert row.role == "coordinator" and "niet opgeslagen" in row.detail


# --- the notifications page --------------------------------------------------------------------


def test_the_notifications_page_is_logged_and_hides_cases_the_user_cannot_see(
    world, case, verified_client
):
    for user in [world.coordinator, world.table_member]:
        Notification.objects.create(
            user=user, subject="Nieuwe aanmelding", case_reference=case.reference
        )
        Notification.objects.create(user=user, subject="Algemeen bericht")
    # The coordinator of the case's table sees the reference ...
    before = ids()
    html = verified_client(world.coordinator).get("/account/meldingen/").content.decode()
    assert case.reference in html and "Algemeen bericht" in html
    [row] = rows_after(before)
    assert (row.action, row.detail, row.user) == ("list", "meldingen", world.coordinator)
    # ... a table member whose organisation is not invited (or no longer has consent) does not.
    html = verified_client(world.table_member).get("/account/meldingen/").content.decode()
    assert case.reference not in html and "Nieuwe aanmelding" not in html
    assert "Algemeen bericht" in html
