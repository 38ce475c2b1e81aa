"""The sociale kaart in a case's plan over the API (issue 16 §5): the coordinator attaches an
offer to a goal and records a shortage, logged once per call (channel api); anyone else is
refused before the body is read and the refusal logged."""

from __future__ import annotations

import pytest
from django.test import Client

from vangnet.accounts.models import ApiToken
from vangnet.audit.models import AccessLogEntry
from vangnet.directory.models import ShortageRecord
from vangnet.testing import followup

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world, kaart):
    case = followup.plan_case(world)
    return followup.add_goal(world, case, world.coordinator_org)


def post(user, path: str, body: object):
    _, raw = ApiToken.issue(user=user, name="kaart")
    return Client().post(
        "/api/v1" + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_the_coordinator_attaches_an_offer_and_records_a_shortage(world, kaart, goal):
    ref = goal.plan.case.reference
    mark = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    r = post(
        world.coordinator, f"/cases/{ref}/plan/goals/{goal.pk}/offer", {"offer_id": kaart.offer.pk}
    )
    assert r.status_code == 200, r.content
    assert r.json()["offer_id"] == kaart.offer.pk
    r = post(
        world.coordinator,
        f"/cases/{ref}/shortages",
        {"code": "sheltered_housing", "search": {"q": "beschermd wonen", "naam": "weg"}},
    )
    assert r.status_code == 201, r.content
    assert r.json()["shortages"] == ["sheltered_housing"]
    assert ShortageRecord.objects.get().search == {"q": "beschermd wonen"}
    rows = AccessLogEntry.objects.filter(pk__gt=mark).order_by("pk")
    assert [(row.channel, row.outcome, row.detail) for row in rows] == [
        ("api", "allowed", "plan: aanbod bij doel"),
        ("api", "allowed", "tekort vastgelegd"),
    ]
    r = post(world.coordinator, f"/cases/{ref}/plan/goals/{goal.pk}/offer", {"offer_id": None})
    assert r.status_code == 200 and r.json()["offer_id"] is None


@pytest.mark.parametrize("who", ["referrer", "table_member", "monitor_analyst"])
def test_others_are_refused_before_the_body_and_logged(world, kaart, goal, who):
    user = getattr(world, who)
    ref = goal.plan.case.reference
    for path in (f"/cases/{ref}/plan/goals/{goal.pk}/offer", f"/cases/{ref}/shortages"):
        r = post(user, path, {"not": "valid"})
        assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    denied = AccessLogEntry.objects.filter(user=user, outcome="denied", channel="api")
    assert denied.count() == 2 and {d.case_reference for d in denied} == {ref}


def test_bad_input_is_refused_in_dutch(world, kaart, goal):
    ref = goal.plan.case.reference
    r = post(world.coordinator, f"/cases/{ref}/shortages", {"code": "geen-code"})
    assert r.status_code == 400 and "tekorten van de monitor" in r.json()["detail"]
    r = post(world.coordinator, f"/cases/{ref}/plan/goals/{goal.pk}/offer", {"offer_id": 999999})
    assert r.status_code == 404 and r.json()["detail"] == "Dit aanbod bestaat niet."
    assert not ShortageRecord.objects.exists()
