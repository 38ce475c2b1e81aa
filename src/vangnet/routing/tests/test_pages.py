"""The routing pages and API for the happy path and bad input: Dutch messages at the field,
problem+json in the API, nothing half-saved."""

from __future__ import annotations

import pytest
from django.test import Client

from vangnet.accounts.models import ApiToken
from vangnet.cases.models import Case
from vangnet.routing.models import Question

from .conftest import handed_over, in_progress, recorded

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


NEW = {
    "asker_kind": "citizen",
    "patient_name": "Sanne de Boer",
    "patient_birth_date": "1988-08-08",
    "patient_municipality": "GM0363",
    "insurer": "Zilveren Kruis",
    "question": "Geen plek voor eetstoornis met autisme.",
    "consent_by": "patient",
}


def test_ucz_records_on_the_page_and_consent_is_required(net, verified_client):
    client = verified_client(net.ucz)
    r = client.post("/vragen/nieuw/", {**NEW, "consent_by": ""})
    assert r.status_code == 200 and "Zonder toestemming" in r.content.decode()
    assert not Question.objects.exists()
    r = client.post("/vragen/nieuw/", NEW)
    assert r.status_code == 302
    q = Question.objects.get()
    assert q.insurer == net.zk and q.state == "recorded"


def test_hand_over_to_another_insurer_on_the_page_is_a_clear_dutch_error(net, verified_client):
    q = recorded(net)
    r = verified_client(net.ucz).post(
        f"/vragen/{q.reference}/stap/hand_over/", {"insurer": net.vgz.pk}
    )
    assert r.status_code == 400
    assert "eigen zorgverzekeraar van de patiënt (Zilveren Kruis)" in r.content.decode()
    q.refresh_from_db()
    assert q.state == "recorded"


def test_hand_over_to_another_insurer_in_the_api_is_problem_json(net):
    q = recorded(net)
    r = Client().post(
        f"/api/v1/routing/questions/{q.reference}/hand-over",
        {"insurer_id": net.vgz.pk},
        content_type="application/json",
        **bearer(net.ucz),
    )
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    assert "eigen zorgverzekeraar" in r.json()["detail"]


def test_zorgbemiddeling_walks_the_route_on_the_pages(net, verified_client):
    q = handed_over(net)
    client = verified_client(net.zb)
    assert client.post(f"/vragen/{q.reference}/stap/take_up/").status_code == 302
    r = client.post(
        f"/vragen/{q.reference}/stap/attempt/",
        {
            "provider": "Kliniek Noord",
            "tried_on": "2026-11-20",
            "what": "Aangemeld.",
            "result": "Geen plek.",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/vragen/{q.reference}/aanmelden/",
        {
            "stuck_description": "Vast.",
            "best_solution": "Kliniek.",
            "timeline": "2025.",
            "urgency": "regular",
        },
    )
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.state == "registered" and q.case is not None


def test_attempt_with_an_unknown_provider_is_refused_at_the_field(net, verified_client):
    q = in_progress(net)
    r = verified_client(net.zb).post(
        f"/vragen/{q.reference}/stap/attempt/",
        {"provider": "Bestaat Niet BV", "tried_on": "2026-11-20", "what": "x", "result": "y"},
    )
    assert r.status_code == 400 and "Geen organisatie gevonden" in r.content.decode()
    assert not q.attempts.exists()


def test_api_walks_ucz_to_table(net, world):
    body = {
        "asker_kind": "professional",
        "patient_name": "Api Patiënt",
        "patient_birth_date": "1970-01-01",
        "patient_municipality": "GM0363",
        "insurer_id": net.zk.pk,
        "question": "Vast.",
        "consent_by": "patient",
    }
    r = Client().post(
        "/api/v1/routing/questions", body, content_type="application/json", **bearer(net.ucz)
    )
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    post = lambda user, path, data=None: Client().post(  # noqa: E731
        f"/api/v1/routing/questions/{ref}/{path}",
        data or {},
        content_type="application/json",
        **bearer(user),
    )
    assert post(net.ucz, "hand-over", {"insurer_id": net.zk.pk}).status_code == 200
    assert post(net.zb, "take-up").status_code == 200
    assert (
        post(
            net.zb, "register", {"stuck_description": "x", "best_solution": "y", "timeline": "z"}
        ).status_code
        == 400
    )
    assert (
        post(
            net.zb,
            "attempts",
            {
                "provider_id": net.provider.pk,
                "tried_on": "2026-11-01",
                "what": "Gevraagd.",
                "result": "Nee.",
            },
        ).status_code
        == 201
    )
    r = post(net.zb, "register", {"stuck_description": "x", "best_solution": "y", "timeline": "z"})
    assert r.status_code == 201
    case = Case.objects.get(reference=r.json()["case_reference"])
    detail = Client().get(f"/api/v1/cases/{case.reference}", **bearer(world.coordinator)).json()
    assert detail["prior_attempts"][0]["provider"] == "Kliniek Noord"
    assert detail["patient_insurer"] == "Zilveren Kruis" and detail["insurer_id"] == net.zk.pk


def test_triage_page_shows_tried_before(net, world, verified_client):
    from vangnet.accounts.models import Role
    from vangnet.routing import services

    from .conftest import table_input

    q = in_progress(net, attempts=2)
    case = services.question_register(
        question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=table_input()
    )
    page = (
        verified_client(world.coordinator)
        .get(f"/casussen/{case.reference}/triage/")
        .content.decode()
    )
    assert 'data-testid="tried-before"' in page
    assert "Kliniek Noord" in page and "Verslavingszorg Zuid" in page and "Zilveren Kruis" in page


def test_api_lists_are_paged_and_filtered_per_actor(net, world):
    q = handed_over(net)
    mine = Client().get("/api/v1/routing/questions?size=1", **bearer(net.zb)).json()
    assert [i["reference"] for i in mine["items"]] == [q.reference] and mine["next_cursor"] is None
    other = Client().get("/api/v1/routing/questions", **bearer(net.zb_other_insurer)).json()
    assert other["items"] == []
    assert Client().get("/api/v1/routing/questions", **bearer(world.referrer)).status_code == 403
    assert (
        Client().get("/api/v1/routing/signals", **bearer(world.coordinator)).json()["items"] == []
    )


def test_question_list_pages_with_a_cursor(net, verified_client):
    from vangnet.routing import views

    first, second = recorded(net), recorded(net)
    client = verified_client(net.ucz)
    original = views.PAGE_SIZE
    views.PAGE_SIZE = 1
    try:
        page = client.get("/vragen/").content.decode()
        assert second.reference in page and first.reference not in page
        assert 'data-testid="more"' in page
        nxt = client.get(
            "/vragen/?" + page.split('<a href="?')[1].split('"')[0].replace("&amp;", "&")
        )
        assert first.reference in nxt.content.decode()
    finally:
        views.PAGE_SIZE = original


def test_a_tampered_cursor_goes_back_to_the_first_page_of_the_same_filter(
    net, world, verified_client
):
    """The message every list gives, and the first page keeps the status filter."""
    from vangnet.testing.pages import assert_cursor_refused

    ucz = verified_client(net.ucz)
    assert_cursor_refused(ucz, "/vragen/?na=onzin", first="/vragen/")
    assert_cursor_refused(
        ucz, "/vragen/?status=recorded&na=onzin", first="/vragen/?status=recorded"
    )
    coordinator = verified_client(world.coordinator)
    assert_cursor_refused(coordinator, "/vragen/signalen/?na=onzin", first="/vragen/signalen/")
    assert_cursor_refused(
        coordinator, "/vragen/signalen/?status=new&na=onzin", first="/vragen/signalen/?status=new"
    )
