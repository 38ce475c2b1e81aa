"""The overlegtafel over the API: same permissions and access log as the pages; errors are
problem+json in Dutch; nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.audit.models import Outcome
from vangnet.board.models import BoardReferral, Route
from vangnet.testing.access import last_log_id, log_rows

from .test_services import QUESTION, SUMMARY, refer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/board"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_ladder_referral_decision_and_carried_out(world, board, verified_client):
    coordinator = verified_client(world.coordinator)
    created = post(
        coordinator,
        f"{BASE}/cases/{board.case.reference}/referral",
        {"summary": SUMMARY, "question": QUESTION, "organisation_ids": [board.insurer.pk]},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["route"] == Route.LADDER
    member = verified_client(board.insurer_board)
    mark = last_log_id()
    read = member.get(f"{BASE}/referrals/{pk}")
    assert read.status_code == 200
    body = read.json()
    assert body["outline"]["reference"] == board.case.reference
    assert board.case.patient_name not in read.content.decode()
    assert [(r.outcome, r.channel) for r in log_rows(mark)] == [(Outcome.ALLOWED, "api")]
    bad = post(
        member,
        f"{BASE}/referrals/{pk}/decision",
        {"decision": "Doen.", "deadline": (timezone.localdate() - timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json" and "verleden" in bad.json()["detail"]
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    done = post(
        member, f"{BASE}/referrals/{pk}/decision", {"decision": "Doen.", "deadline": deadline}
    )
    assert done.status_code == 200 and done.json()["deadline"] == deadline
    again = post(
        member, f"{BASE}/referrals/{pk}/decision", {"decision": "Nog eens.", "deadline": deadline}
    )
    assert again.status_code == 400
    # The coordinator records it carried out; a board member may not (refusal logged).
    mark = last_log_id()
    assert post(member, f"{BASE}/referrals/{pk}/carried-out", {"note": "x"}).status_code == 403
    assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    assert (
        post(coordinator, f"{BASE}/referrals/{pk}/carried-out", {"note": "Gedaan."}).status_code
        == 200
    )
    listed = coordinator.get(f"{BASE}/referrals").json()
    assert [r["id"] for r in listed["items"]] == [pk]


def test_refusals_are_403_and_logged(world, board, verified_client):
    referral = refer(world, board)
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    for user in (
        board.outsider_board,
        world.referrer,
        world.table_member,
        world.other_table_coordinator,
    ):
        client = verified_client(user)
        for method, url, body in (
            ("get", f"{BASE}/referrals/{referral.pk}", None),
            (
                "post",
                f"{BASE}/referrals/{referral.pk}/decision",
                {"decision": "x", "deadline": deadline},
            ),
        ):
            mark = last_log_id()
            response = client.get(url) if method == "get" else post(client, url, body)
            assert response.status_code == 403, (user, url)
            assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    # A coordinator sees the referral but does not decide for the board.
    mark = last_log_id()
    response = post(
        verified_client(world.coordinator),
        f"{BASE}/referrals/{referral.pk}/decision",
        {"decision": "x", "deadline": deadline},
    )
    assert response.status_code == 403
    assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    for user in (world.referrer, board.insurer_board):
        mark = last_log_id()
        response = post(
            verified_client(user),
            f"{BASE}/cases/{board.case.reference}/referral",
            {"summary": SUMMARY, "question": QUESTION, "organisation_ids": [board.insurer.pk]},
        )
        assert response.status_code == 403
        assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    assert BoardReferral.objects.get(pk=referral.pk).decided_at is None


def test_doorzettingsmacht_over_the_api(world, board, verified_client):
    body = {
        "table": 3,
        "summary": "Een cliënt loopt vast tussen wonen en behandeling.",
        "question": QUESTION,
        "organisation_ids": [board.insurer.pk],
    }
    member = verified_client(board.provider_board)
    created = post(member, f"{BASE}/referrals", body)
    assert created.status_code == 201 and created.json()["route"] == Route.DOORZETTINGSMACHT
    with_case = post(member, f"{BASE}/referrals", {**body, "case_reference": board.case.reference})
    assert with_case.status_code == 403
    mark = last_log_id()
    assert post(verified_client(world.referrer), f"{BASE}/referrals", body).status_code == 403
    assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    unknown = post(member, f"{BASE}/referrals", {**body, "organisation_ids": [999999]})
    assert unknown.status_code == 400 and "Onbekende organisatie" in unknown.json()["detail"]
    assert BoardReferral.objects.count() == 1
