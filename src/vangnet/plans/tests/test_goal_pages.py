"""Issue 11 §1: a goal for an organisation without Vangnet users no longer blocks the plan. The
coordinator edits, reassigns, stops and removes goals on the case page (each change in the plan's
revision history) and records an acceptance on behalf of an organisation without users."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vangnet.cases.workflow import State
from vangnet.plans.models import PlanGoal
from vangnet.testing import factories
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def _post(client, case, name, data):
    return client.post(f"/casussen/{case.reference}/actie/{name}/", data, follow=True)


def test_goal_of_an_organisation_without_users_is_confirmed_on_behalf_and_plan_adopted(
    world, partners, verified_client
):
    case = fu.plan_case(world)
    a = partners[0]
    fu.invite_with_consent(world, case, a.organisation)
    no_users = factories.OrganisationFactory(name="Buurtteam zonder account")
    fu.add_goal(world, case, a.organisation)
    goal = fu.add_goal(world, case, no_users, "housing")
    coordinator = verified_client(world.coordinator)
    page = coordinator.get(f"/casussen/{case.reference}/").content.decode()
    assert f'data-testid="confirm-{goal.pk}"' in page  # offered only where nobody can answer
    own = case.plan.goals.get(organisation=a.organisation)
    assert f'data-testid="confirm-{own.pk}"' not in page

    response = _post(
        coordinator,
        case,
        "doel-namens",
        {
            "goal": goal.pk,
            "confirmed_by": "J. de Vries (teamleider)",
            "confirmed_via": "phone",
            "confirmed_on": timezone.localdate().isoformat(),
        },
    )
    assert "namens" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == PlanGoal.Status.ACCEPTED
    assert (goal.confirmed_by_name, goal.confirmed_via) == ("J. de Vries (teamleider)", "phone")
    assert goal.responded_by == world.coordinator
    revision = case.plan.revisions.first()
    assert "namens Buurtteam zonder account" in revision.summary
    assert "J. de Vries" in revision.summary

    # the other goal: the organisation answers itself, so the coordinator may not answer for it
    response = _post(
        coordinator,
        case,
        "doel-namens",
        {
            "goal": own.pk,
            "confirmed_by": "Iemand",
            "confirmed_via": "phone",
            "confirmed_on": timezone.localdate().isoformat(),
        },
    )
    assert "accepteert het doel zelf" in response.content.decode()
    own.refresh_from_db()
    assert own.status == PlanGoal.Status.PROPOSED


def test_coordinator_edits_reassigns_stops_and_removes_goals(world, partners, verified_client):
    case = fu.plan_case(world)
    a, b = partners[0], partners[1]
    for p in (a, b):
        fu.invite_with_consent(world, case, p.organisation)
    goal = fu.add_goal(world, case, a.organisation)
    from vangnet.plans import services as plan_services

    plan_services.goal_respond(goal=goal, actor=a.user, membership=a.membership, accept=True)
    coordinator = verified_client(world.coordinator)
    page = coordinator.get(f"/casussen/{case.reference}/").content.decode()
    assert f'data-testid="goal-edit-{goal.pk}"' in page

    # reassign: the new organisation must accept again, and the history says who had it
    response = _post(
        coordinator,
        case,
        "doel-wijzigen",
        {
            "goal": goal.pk,
            "domain": "treatment",
            "description": "Ambulante behandeling twee keer per week",
            "organisation": b.organisation.name,
            "financing": "zvw",
            "contact": "",
        },
    )
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.organisation == b.organisation
    assert goal.status == PlanGoal.Status.PROPOSED
    revision = case.plan.revisions.first()
    assert f"overgedragen van {a.organisation} aan {b.organisation}" in revision.summary

    # stop: a stopped goal no longer blocks adoption
    _post(coordinator, case, "doel-status", {"goal": goal.pk, "status": "stopped"})
    goal.refresh_from_db()
    assert goal.status == PlanGoal.Status.STOPPED

    # remove (only before adoption), with a reason kept in the history
    other = fu.add_goal(world, case, a.organisation, "housing")
    _post(coordinator, case, "doel-verwijderen", {"goal": other.pk, "reason": "Dubbel doel"})
    assert not PlanGoal.objects.filter(pk=other.pk).exists()
    revision = case.plan.revisions.first()
    assert "verwijderd: Dubbel doel" in revision.summary
    assert revision.changes[0]["old"].startswith("Wonen")

    # a partner may not change goals
    member = verified_client(a.user)
    assert (
        _post(member, case, "doel-status", {"goal": goal.pk, "status": "achieved"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.state == State.PLAN
