"""The outcome answer over the API: the token in the body, the same checks and log as the page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vangnet.audit.models import Outcome
from vangnet.casework import reminders
from vangnet.monitor.selectors import report_rows
from vangnet.outcomes.models import OutcomeRequest
from vangnet.testing.access import last_log_id, log_rows

from .conftest import token_sent

pytestmark = pytest.mark.django_db
URL = "/api/v1/outcome-questions/answer"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_answer_over_the_api_once(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    # Someone else with the token is refused, before the body's content matters.
    mark = last_log_id()
    other = post(verified_client(world.other_referrer), {"token": token, "answer": "yes"})
    assert other.status_code == 403 and other["Content-Type"] == "application/problem+json"
    assert [(r.outcome, r.detail) for r in log_rows(mark)] == [
        (Outcome.DENIED, "uitkomstvraag: andere gebruiker")
    ]
    client = verified_client(world.referrer)
    bad = post(client, {"token": token, "answer": "no"})
    assert bad.status_code == 400 and "waarom" in bad.json()["detail"]
    ok = post(client, {"token": token, "answer": "no", "reasons": ["financing"]})
    assert ok.status_code == 200, ok.content
    assert ok.json()["case_reference"] == closed.reference and ok.json()["months"] == 3
    twice = post(client, {"token": token, "answer": "yes"})
    assert twice.status_code == 410 and "al gebruikt" in twice.json()["detail"]
    assert OutcomeRequest.objects.get(case=closed).answer == "no"
    # The monitor's rows carry the answer (codes only).
    year = closed.registered_at.year
    rows = [r for r in report_rows(year_from=year, year_to=year) if r.followups]
    assert [r.followups for r in rows] == [{"3": {"answer": "no", "reasons": ["financing"]}}]


def test_unknown_token_is_404(world, verified_client):
    response = post(verified_client(world.referrer), {"token": "nope", "answer": "yes"})
    assert response.status_code == 404
