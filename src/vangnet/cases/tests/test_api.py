"""The registration and triage journey through the API: authentication, permissions, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from vangnet.accounts.models import ApiToken, Role
from vangnet.audit.models import AccessLogEntry
from vangnet.cases import services
from vangnet.cases.models import Case, CaseEvent, TriageRound
from vangnet.conftest import membership
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
CASES = "/api/v1/cases"

REGISTRATION = {
    "referrer_type": "other_ggz_institution",
    "patient_name": "Fatima el Amrani",
    "patient_birth_date": "1990-07-12",
    "patient_municipality": "GM0363",
    "patient_insurer": "Zilveren Kruis",
    "patient_bsn": "123456782",
    "consent_by": "representative",
    "stuck_description": "Eetstoornis met autisme; geen aanbieder neemt beide op.",
    "best_solution": "Gespecialiseerde klinische opname.",
    "timeline": "2022 ambulant, 2024 crisisopname.",
    "urgency": "urgent",
    "criteria": [1, 3, 7],
    "party_actions": [
        {"organisation_name": "GGZ X", "action": "Ambulante behandeling."},
        {"organisation_name": "Huisarts", "action": "POH-ggz."},
    ],
}
TRIAGE = {
    "assessments": [{"number": n, "verdict": "met", "note": ""} for n in range(1, 8)],
    "decision": "admit",
    "reason": "Past bij de tafel: zorg is schaars en intensief.",
}


class Api:
    """A JSON client for one user, by bearer token or by a two-factor session."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path: str):
        return self.client.get(path, **self.headers)

    def post(self, path: str, body: object):
        return self.client.post(path, body, content_type="application/json", **self.headers)


@pytest.fixture(params=["token", "session"])
def api_for(request, verified_client):
    def make(user) -> Api:
        if request.param == "token":
            _, raw = ApiToken.issue(user=user, name="test")
            return Api(Client(), raw)
        return Api(verified_client(user))

    return make


def token_api(user) -> Api:
    _, raw = ApiToken.issue(user=user, name="test")
    return Api(Client(), raw)


def assert_problem(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    for fragment in fragments:
        assert fragment.lower() in body["detail"].lower(), body["detail"]
    return body


def new_rows(before: set[int]) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.exclude(pk__in=before).order_by("id"))


def log_ids() -> set[int]:
    return set(AccessLogEntry.objects.values_list("pk", flat=True))


# --- the full journey ---------------------------------------------------------------------------


def test_full_journey(world, api_for):
    referrer = api_for(world.referrer)
    coordinator = api_for(world.coordinator)
    screener = api_for(world.screener)
    before = log_ids()

    r = referrer.post(CASES, REGISTRATION)
    assert r.status_code == 201, r.content
    case = r.json()
    ref = case["reference"]
    assert case["state"] == "registered" and case["state_label"] == "Aangemeld"
    assert case["table"] == 3
    assert case["patient_name"] == "Fatima el Amrani"
    assert case["criteria"] == [1, 3, 7]
    assert [p["organisation_name"] for p in case["party_actions"]] == ["GGZ X", "Huisarts"]
    assert case["decision"] is None and case["linked_cases"] == []

    listed = referrer.get(CASES)
    assert listed.status_code == 200
    assert [c["reference"] for c in listed.json()["items"]] == [ref]
    assert listed.json()["next_cursor"] is None and listed.json()["next"] is None
    assert "patient_name" not in listed.json()["items"][0]  # the list carries no patient data

    r = coordinator.post(f"{CASES}/{ref}/triage", TRIAGE)
    assert r.status_code == 200, r.content
    assert r.json()["verdict"] == "pending" and r.json()["decision"] == "admit"
    assert coordinator.get(f"{CASES}/{ref}").json()["decision"] is None  # not final yet

    r = screener.post(f"{CASES}/{ref}/screen", {"verdict": "confirm", "note": "Eens."})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "decision": "admit",
        "verdict": "confirmed",
        "same_organisation": False,
        "second_screener_note": "Eens.",
    }

    outcome = referrer.get(f"{CASES}/{ref}").json()
    assert outcome["state"] == "admitted"
    assert outcome["decision"]["decision"] == "admit"
    assert outcome["decision"]["decision_label"] == "Toelaten"
    assert outcome["decision"]["reason"] == TRIAGE["reason"]
    assert outcome["decision"]["confirmed_at"]

    rows = new_rows(before)
    assert [(row.username, row.action, row.outcome, row.channel) for row in rows] == [
        (world.referrer.username, "create", "allowed", "api"),
        (world.referrer.username, "list", "allowed", "api"),
        (world.coordinator.username, "update", "allowed", "api"),
        (world.coordinator.username, "read", "allowed", "api"),
        (world.screener.username, "update", "allowed", "api"),
        (world.referrer.username, "read", "allowed", "api"),
    ]
    assert {row.case_reference for row in rows if row.action != "list"} == {ref}


def test_journey_with_disagreement_and_a_move(world, api_for):
    ref = api_for(world.referrer).post(CASES, REGISTRATION).json()["reference"]
    coordinator = api_for(world.coordinator)
    coordinator.post(f"{CASES}/{ref}/triage", {**TRIAGE, "decision": "not_suitable"})
    r = api_for(world.same_org_screener).post(
        f"{CASES}/{ref}/screen", {"verdict": "disagree", "note": "Criterium 4 speelt wel."}
    )
    assert r.status_code == 200
    assert r.json()["verdict"] == "disagreed"
    assert r.json()["same_organisation"] is True
    assert r.json()["second_screener_note"] == "Criterium 4 speelt wel."
    assert coordinator.get(f"{CASES}/{ref}").json()["state"] == "registered"
    r = coordinator.post(f"{CASES}/{ref}/move", {"table": 1, "reason": "Woont in Den Haag."})
    assert r.status_code == 200
    assert r.json()["table"] == 1 and r.json()["state"] == "registered"
    # Now it is table 1's case.
    assert_problem(coordinator.get(f"{CASES}/{ref}"), 403)
    assert api_for(world.other_table_coordinator).get(f"{CASES}/{ref}").status_code == 200


def test_linked_cases_are_shown_to_the_table_never_to_the_referrer(world):
    """Issue 10 §1: registering must not tell a referrer whether a person already has a case."""
    first = factories.register_case(world.referrer, patient_bsn="123456782")
    r = token_api(world.other_referrer).post(CASES, REGISTRATION)
    assert r.status_code == 201
    assert r.json()["linked_cases"] == []
    second = r.json()["reference"]
    assert token_api(world.other_referrer).get(f"{CASES}/{second}").json()["linked_cases"] == []
    table = token_api(world.coordinator).get(f"{CASES}/{second}").json()
    assert table["linked_cases"] == [first.reference]


def test_referrer_with_two_organisations_chooses_one(world):
    second_org = factories.OrganisationFactory(name="Tweede Verwijzer")
    factories.member(Role.REFERRER, organisation=second_org, user=world.referrer)
    api = token_api(world.referrer)
    r = api.post(CASES, {**REGISTRATION, "organisation_id": second_org.pk})
    assert r.status_code == 201
    assert r.json()["referrer_organisation"] == "Tweede Verwijzer"
    before = log_ids()
    r = api.post(CASES, {**REGISTRATION, "organisation_id": world.coordinator_org.pk})
    assert_problem(r, 403, "verwijzer")
    [row] = new_rows(before)
    assert (row.action, row.outcome) == ("create", "denied")


def test_referrer_with_two_organisations_is_asked_to_choose(world):
    second_org = factories.OrganisationFactory(name="Tweede Verwijzer")
    factories.member(Role.REFERRER, organisation=second_org, user=world.referrer)
    response = token_api(world.referrer).post(CASES, REGISTRATION)
    assert response.status_code in (400, 422)
    assert "organisation_id" in response.json()["detail"]


def test_list_filters_by_state(world):
    a = factories.register_case(world.referrer)
    factories.register_case(world.referrer, patient_name="Piet Bakker")
    services.triage_propose(
        case=a,
        coordinator=world.coordinator,
        membership=membership(world.coordinator, Role.COORDINATOR),
        assessments=factories.all_criteria(),
        decision="admit",
    )
    api = token_api(world.screener)
    assert [c["reference"] for c in api.get(f"{CASES}?state=triage_proposed").json()["items"]] == [
        a.reference
    ]
    assert len(api.get(f"{CASES}?state=nonsense").json()["items"]) == 2  # unknown filter: ignored


# --- errors: problem+json with a Dutch detail -------------------------------------------------


def test_400_domain_error_with_field_and_nothing_saved(world):
    api = token_api(world.referrer)
    before = (Case.objects.count(), CaseEvent.objects.count(), log_ids())
    body = assert_problem(
        api.post(CASES, {**REGISTRATION, "patient_bsn": "123456789"}), 400, "11-proef"
    )
    assert body["title"] == "Ongeldige invoer"
    assert body["code"] == "invalid"
    assert "field" in body
    body = assert_problem(
        api.post(CASES, {**REGISTRATION, "stuck_description": "<script>alert(1)</script>"}),
        400,
        "HTML of script",
    )
    assert body["field"] == "stuck_description"
    assert_problem(
        api.post(CASES, {**REGISTRATION, "patient_municipality": "GM9999"}), 400, "onbekend"
    )
    assert_problem(
        api.post(CASES, {**REGISTRATION, "patient_birth_date": "2999-01-01"}), 400, "toekomst"
    )
    assert_problem(api.post(CASES, {**REGISTRATION, "party_actions": []}), 400, "partij")
    assert_problem(api.post(CASES, {**REGISTRATION, "table": 1}), 400, "reden")
    assert (Case.objects.count(), CaseEvent.objects.count(), log_ids()) == before


def test_400_triage_without_required_reason(world):
    case = factories.register_case(world.referrer)
    api = token_api(world.coordinator)
    for payload, fragment in [
        ({**TRIAGE, "decision": "not_suitable", "reason": ""}, "schriftelijke reden"),
        ({**TRIAGE, "decision": "consultation"}, "advies"),
        ({**TRIAGE, "decision": "refer"}, "overleg"),
        (
            {
                **TRIAGE,
                "assessments": [{"number": n, "verdict": "unknown"} for n in range(1, 8)],
            },
            "menselijke maat",
        ),
        ({**TRIAGE, "assessments": TRIAGE["assessments"][:6]}, "zeven criteria"),
    ]:
        assert_problem(api.post(f"{CASES}/{case.reference}/triage", payload), 400, fragment)
    assert TriageRound.objects.count() == 0
    case.refresh_from_db()
    assert case.state == "registered"


def test_400_the_proposer_cannot_confirm(world):
    case = factories.register_case(world.referrer)
    api = token_api(world.coordinator)
    api.post(f"{CASES}/{case.reference}/triage", TRIAGE)
    assert_problem(
        api.post(f"{CASES}/{case.reference}/screen", {"verdict": "confirm"}), 400, "ander persoon"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer vn_not-a-real-token"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "unknown-token", "basic"],
)
def test_401_without_valid_credentials(world, headers):
    case = factories.register_case(world.referrer)
    before = log_ids()
    client = Client()
    for response in [
        client.get(CASES, **headers),
        client.get(f"{CASES}/{case.reference}", **headers),
        client.post(CASES, REGISTRATION, content_type="application/json", **headers),
    ]:
        body = assert_problem(response, 401, "log in")
        assert body["title"] == "Niet ingelogd"
    # Only the attempt on the case's address is an access event: one denied row (issue 10 §3).
    [row] = new_rows(before)
    assert (row.case_reference, row.outcome, row.username) == (case.reference, "denied", "anoniem")


def test_401_for_revoked_token_and_inactive_user(world):
    token, raw = ApiToken.issue(user=world.coordinator, name="oud")
    api = Api(Client(), raw)
    assert api.get(CASES).status_code == 200
    token.revoked = True
    token.save()
    assert_problem(api.get(CASES), 401)
    _, raw = ApiToken.issue(user=world.screener, name="x")
    world.screener.is_active = False
    world.screener.save()
    assert_problem(Api(Client(), raw).get(CASES), 401)


def test_token_use_is_recorded_and_only_its_hash_stored(world):
    token, raw = ApiToken.issue(user=world.coordinator, name="koppeling")
    assert raw.startswith("vn_") and token.prefix == raw[:8]
    assert token.key_hash == ApiToken.hash(raw) and raw not in token.key_hash
    assert token.last_used_at is None
    Api(Client(), raw).get(CASES)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_401_for_session_without_second_factor(world):
    client = Client()
    client.force_login(world.coordinator)
    before = log_ids()
    assert_problem(client.get(CASES), 401, "tweede factor")
    assert log_ids() == before


def test_403_another_tables_case_writes_a_denied_row(world):
    case = factories.register_case(world.referrer)
    api = token_api(world.other_table_coordinator)
    for method, path, body in [
        ("get", f"{CASES}/{case.reference}", None),
        ("post", f"{CASES}/{case.reference}/triage", TRIAGE),
        ("post", f"{CASES}/{case.reference}/move", {"table": 1, "reason": "Van ons."}),
    ]:
        before = log_ids()
        response = api.get(path) if method == "get" else api.post(path, body)
        problem = assert_problem(response, 403, "geen toegang")
        assert problem["title"] == "Geen toegang"
        assert "Jan" not in json.dumps(problem)  # no patient data in the error
        [row] = new_rows(before)
        assert row.outcome == "denied" and row.channel == "api"
        assert row.case_reference == case.reference
        assert row.user == world.other_table_coordinator
    case.refresh_from_db()
    assert case.table.number == 3 and case.state == "registered"


def test_404_unknown_case(world):
    api = token_api(world.coordinator)
    body = assert_problem(api.get(f"{CASES}/VN-2000-99999"), 404, "bestaat niet")
    assert body["title"] == "Niet gevonden"
    assert_problem(api.post(f"{CASES}/VN-2000-99999/triage", TRIAGE), 404, "bestaat niet")


def test_409_transition_not_allowed_in_the_current_state(world):
    case = factories.register_case(world.referrer)
    coordinator = token_api(world.coordinator)
    screener = token_api(world.screener)
    body = assert_problem(
        screener.post(f"{CASES}/{case.reference}/screen", {"verdict": "confirm"}),
        409,
        "niet mogelijk in de huidige status",
    )
    assert body["code"] == "invalid_transition"
    assert body["title"] == "Niet toegestaan in deze status"
    coordinator.post(f"{CASES}/{case.reference}/triage", TRIAGE)
    assert_problem(coordinator.post(f"{CASES}/{case.reference}/triage", TRIAGE), 409, "status")
    assert_problem(
        coordinator.post(f"{CASES}/{case.reference}/move", {"table": 1, "reason": "x"}),
        409,
        "status",
    )
    screener.post(f"{CASES}/{case.reference}/screen", {"verdict": "confirm"})
    assert_problem(
        screener.post(f"{CASES}/{case.reference}/screen", {"verdict": "disagree", "note": "x"}),
        409,
        "status",
    )
    case.refresh_from_db()
    assert case.state == "admitted"


@pytest.mark.parametrize(
    "change,field,fragment",
    [
        ({"patient_name": None}, "patient_name", "verplicht"),
        ({"patient_birth_date": "12-07-1990"}, "patient_birth_date", "datum"),
        ({"patient_birth_date": "1990-02-30"}, "patient_birth_date", "datum"),
        ({"referrer_type": "buurman"}, "referrer_type", "onbekende waarde"),
        ({"consent_by": None}, "consent_by", "verplicht"),
        ({"patient_name": "x" * 201}, "patient_name", "te lang"),
        ({"stuck_description": "x" * 5001}, "stuck_description", "te lang"),
        ({"criteria": ["een"]}, "criteria.0", "geheel getal"),
    ],
)
def test_422_schema_errors_in_dutch(world, change, field, fragment):
    payload = {k: v for k, v in {**REGISTRATION, **change}.items() if v is not None}
    before = Case.objects.count()
    body = assert_problem(token_api(world.referrer).post(CASES, payload), 422, fragment)
    assert body["title"] == "Ongeldige invoer"
    assert any(e["field"] == field for e in body["errors"]), body["errors"]
    # Errors never echo what was sent: no patient data in the response.
    assert "Fatima" not in json.dumps(body)
    assert Case.objects.count() == before


def test_422_for_bad_triage_and_move_payloads(world):
    case = factories.register_case(world.referrer)
    api = token_api(world.coordinator)
    bad_criterion = {**TRIAGE, "assessments": [{"number": 9, "verdict": "met"}]}
    assert_problem(api.post(f"{CASES}/{case.reference}/triage", bad_criterion), 422)
    assert_problem(api.post(f"{CASES}/{case.reference}/triage", {**TRIAGE, "decision": "ja"}), 422)
    assert_problem(api.post(f"{CASES}/{case.reference}/move", {"table": 9, "reason": "x"}), 422)
    assert_problem(api.post(f"{CASES}/{case.reference}/move", {"table": 1}), 422, "verplicht")


def test_malformed_json_is_a_problem(world):
    response = Client().post(
        CASES,
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=world.referrer, name='x')[1]}",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


def test_session_post_without_csrf_is_refused_in_dutch(world, verified_client):
    client = verified_client(world.referrer)
    client.handler.enforce_csrf_checks = True
    before = Case.objects.count()
    response = client.post(CASES, REGISTRATION, content_type="application/json")
    assert Case.objects.count() == before
    assert_problem(response, 403, "CSRF")
    assert "Failed" not in response.json()["detail"]


def test_session_post_without_csrf_creates_nothing(world, verified_client):
    client = verified_client(world.referrer)
    client.handler.enforce_csrf_checks = True
    before = Case.objects.count()
    response = client.post(CASES, REGISTRATION, content_type="application/json")
    assert response.status_code in (401, 403)
    assert Case.objects.count() == before


# --- the OpenAPI document -------------------------------------------------------------------

CASE_OPERATIONS = {
    ("/api/v1/cases", "get"),
    ("/api/v1/cases", "post"),
    ("/api/v1/cases/{reference}", "get"),
    ("/api/v1/cases/{reference}/triage", "post"),
    ("/api/v1/cases/{reference}/screen", "post"),
    ("/api/v1/cases/{reference}/move", "post"),
}


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in document["paths"].items() for method in ops}


def test_openapi_document_lists_the_case_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert _operations(document) >= CASE_OPERATIONS
    assert document["info"]["title"] == "Vangnet API"
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    for path, method in CASE_OPERATIONS:
        assert document["paths"][path][method]["summary"]  # documented in Dutch


def test_committed_openapi_document_lists_the_case_endpoints():
    committed = json.loads(
        (Path(settings.BASE_DIR).parent.parent / "docs" / "openapi.json").read_text()
    )
    assert _operations(committed) >= CASE_OPERATIONS


def test_expired_token_is_refused_in_dutch(world):
    from datetime import timedelta

    from django.utils import timezone

    from vangnet.accounts.models import ApiToken

    token, raw = ApiToken.issue(user=world.referrer, name="oud")
    assert token.expires_at is not None and token.expires_at > timezone.now() + timedelta(days=89)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(CASES, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "API-token" in response.json()["detail"]


def test_screener_reads_the_proposal_and_referrer_the_history_over_the_api(world):
    case = factories.register_case(world.referrer)
    services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=membership(world.coordinator, Role.COORDINATOR),
        assessments=factories.all_criteria(),
        decision="admit",
    )
    rounds = token_api(world.screener).get(f"{CASES}/{case.reference}/triage").json()
    assert [r["verdict"] for r in rounds] == ["pending"]
    assert [a["number"] for a in rounds[0]["assessments"]] == [1, 2, 3, 4, 5, 6, 7]
    assert token_api(world.referrer).get(f"{CASES}/{case.reference}/triage").status_code == 403
    history = token_api(world.referrer).get(f"{CASES}/{case.reference}/history").json()["items"]
    assert [h["what"] for h in history] == ["Aangemeld"]  # the internal proposal stays at the table
    table_history = (
        token_api(world.coordinator).get(f"{CASES}/{case.reference}/history").json()["items"]
    )
    assert [h["what"] for h in table_history] == ["Aangemeld", "Triagebesluit voorgesteld"]


def test_unknown_path_and_bad_json_answer_in_problem_json(world):
    api = token_api(world.referrer)
    missing = api.get("/api/v1/bestaat-niet")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert "bestaat niet" in missing.json()["detail"]
    bad = Client().post(
        CASES,
        data="{niet json",
        content_type="application/json",
        **api.headers,
    )
    assert bad.status_code == 400 and "geen geldige JSON" in bad.json()["detail"]
