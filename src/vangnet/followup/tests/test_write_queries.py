"""Issue 12: recording a check-in from the case page costs the same number of queries whatever
the number of running goals (and of goals marked achieved)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vangnet.followup.models import CheckIn, GoalProgress
from vangnet.plans.models import PlanGoal
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def _check_in(client, case, goals, achieved: int) -> int:
    checkin = CheckIn.objects.filter(phase__case=case, done_at__isnull=True).first()
    data = {"checkin": checkin.pk, "summary": "Maandelijkse check-in."}
    for i, goal in enumerate(goals):
        data[f"goal_{goal.pk}"] = "achieved" if i < achieved else "on_track"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/casussen/{case.reference}/actie/check-in/", data)
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.done_at is not None
    assert GoalProgress.objects.filter(checkin=checkin).count() == len(goals)
    return len(queries)


def test_a_check_in_costs_the_same_for_one_or_four_goals(world, verified_client):
    client = verified_client(world.coordinator)
    one, one_goal = fu.follow_up_case(world, [fu.partner("Arkin Behandeling")])
    partners = [fu.partner(name) for name in ("Kliniek A", "Wonen B", "Dagbesteding C", "Buurt D")]
    four, four_goals = fu.follow_up_case(world, partners)
    assert len(four_goals) == 4
    few = _check_in(client, one, one_goal, achieved=1)
    many = _check_in(client, four, four_goals, achieved=2)
    assert many == few
    assert (
        PlanGoal.objects.filter(pk__in=[g.pk for g in four_goals[:2]], status="achieved").count()
        == 2
    )
