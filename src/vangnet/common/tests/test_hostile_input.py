"""Hostile input never produces a server error (issue 10 §4).

A NUL byte is refused by PostgreSQL ("A string literal cannot contain NUL"), so any text that
reaches a query with one used to answer 500. These tests run on SQLite too, but the point is
PostgreSQL: run them with DATABASE_URL set.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vangnet.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
NUL = "\x00"

REGISTRATION = {
    "referrer_type": "other_ggz_institution",
    "patient_name": "Fatima el Amrani",
    "patient_birth_date": "1990-07-12",
    "patient_municipality": "GM0363",
    "patient_insurer": "Zilveren Kruis",
    "patient_bsn": "",
    "consent_by": "representative",
    "stuck_description": "Eetstoornis met autisme; geen aanbieder neemt beide op.",
    "best_solution": "Gespecialiseerde klinische opname.",
    "timeline": "2022 ambulant, 2024 crisisopname.",
    "criteria": [1, 3, 7],
    "party_actions": [{"organisation_name": "GGZ X", "action": "Ambulante behandeling."}],
}


def bearer(user) -> dict[str, str]:
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_refused(response, status: int = 400) -> None:
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize(
    "field", ["patient_name", "patient_insurer", "stuck_description", "patient_municipality"]
)
def test_nul_in_api_json_text_is_a_problem_not_a_server_error(world, field):
    body = dict(REGISTRATION, **{field: f"abc{NUL}def"})
    r = Client().post(
        "/api/v1/cases", body, content_type="application/json", **bearer(world.referrer)
    )
    assert_refused(r)
    assert r["Content-Type"] == PROBLEM
    assert "nul" in r.json()["detail"].lower()


def test_nul_in_nested_api_json_is_refused(world):
    body = dict(REGISTRATION, party_actions=[{"organisation_name": "X", "action": f"a{NUL}"}])
    r = Client().post(
        "/api/v1/cases", body, content_type="application/json", **bearer(world.referrer)
    )
    assert_refused(r)


def test_an_escaped_backslash_before_u0000_is_ordinary_text(world):
    # '\\u0000' in JSON is a backslash followed by "u0000", not a NUL: it must not be refused.
    raw = json.dumps(dict(REGISTRATION, timeline="pad C:\\u0000 in tekst"))
    assert "\\\\u0000" in raw
    r = Client().post(
        "/api/v1/cases", raw, content_type="application/json", **bearer(world.referrer)
    )
    assert r.status_code == 201, r.content[:300]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/VN-2026-%00",
        "/api/v1/cases/%00/history",
        "/api/v1/cases/%00/triage",
        "/api/v1/cases?state=%00",
        "/api/v1/waitlists/counts?regions=table&from=2025-01&to=2025-02&region=%00",
        "/api/v1/waitlists/pauses?regions=table&region=%00",
    ],
)
def test_nul_in_api_path_or_query(world, path):
    r = Client().get(path, **bearer(world.coordinator))
    assert_refused(r)
    assert r["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "path",
    [
        "/casussen/VN-%00/",
        "/casussen/%00/triage/",
        "/casussen/?status=%00",
        "/monitor/vragenlijsten/%00/",
        "/toegangslog/?reference=%00",
        "/wachtlijsten/regio/table/%00/",
        "/wachtlijsten/pauzes/table/%00/",
        "/wachtlijsten/pauzes/nieuw/?groep=%00",
        "/monitor/rapport/?tafel=%00",
    ],
)
def test_nul_in_page_path_or_query(world, verified_client, path):
    r = verified_client(world.privacy_officer).get(path)
    assert r.status_code < 500
    r = verified_client(world.coordinator).get(path)
    assert_refused(r)
    assert "nul" in r.content.decode().lower()


def test_nul_in_a_form_field_is_refused_in_dutch(world, verified_client):
    client = verified_client(world.referrer)
    r = client.post(
        "/casussen/aanmelden/", {"patient_name": f"a{NUL}b", "patient_municipality": NUL}
    )
    assert_refused(r)
    assert "nul" in r.content.decode().lower()


def test_nul_in_login_form(db):
    r = Client().post("/account/inloggen/", {"username": f"a{NUL}", "password": "x"})
    assert_refused(r)


# --- sizes --------------------------------------------------------------------------------------


def test_json_body_over_the_limit_is_413_problem(world, settings):
    body = dict(REGISTRATION, timeline="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))
    r = Client().post(
        "/api/v1/cases", body, content_type="application/json", **bearer(world.referrer)
    )
    assert r.status_code == 413, r.content[:300]
    assert r["Content-Type"] == PROBLEM
    assert r.json()["status"] == 413 and "te groot" in r.json()["detail"].lower()


def test_form_body_over_the_limit_is_413_in_dutch(world, verified_client, settings):
    client = verified_client(world.referrer)
    r = client.post(
        "/casussen/aanmelden/", {"timeline": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    )
    assert r.status_code == 413
    assert "te groot" in r.content.decode().lower()


# --- unbounded lists ----------------------------------------------------------------------------


def test_thousands_of_party_actions_are_refused(world):
    from vangnet.cases.models import Case

    actions = [{"organisation_name": "X", "action": "iets"}] * 21
    r = Client().post(
        "/api/v1/cases",
        dict(REGISTRATION, party_actions=actions),
        content_type="application/json",
        **bearer(world.referrer),
    )
    assert r.status_code == 422, r.content[:300]
    assert r["Content-Type"] == PROBLEM
    assert not Case.objects.exists()


def test_too_many_criteria_are_refused(world):
    r = Client().post(
        "/api/v1/cases",
        dict(REGISTRATION, criteria=list(range(1, 8)) * 100),
        content_type="application/json",
        **bearer(world.referrer),
    )
    assert r.status_code == 422, r.content[:300]


def test_nul_in_the_session_cookie(world):
    client = Client()
    client.cookies["sessionid"] = "\x00abcdefghijklmnop"
    r = client.get("/casussen/")
    # Treated as no session at all: to the login page, and the cookie is deleted.
    assert r.status_code == 302 and "/account/inloggen/" in r["Location"]
    assert r.cookies["sessionid"].value == ""
