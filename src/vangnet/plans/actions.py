"""Case-page actions of the integral plan: plan fields, goals, responses, financing request."""

from __future__ import annotations

from typing import Any

from vangnet.accounts.models import Membership, User
from vangnet.cases.access import Permission
from vangnet.cases.actions import CaseAction, case_object, user_by_name
from vangnet.cases.models import Case
from vangnet.plans import services as plan_services
from vangnet.plans.forms import (
    FinancingRequestForm,
    GoalConfirmForm,
    GoalEditForm,
    GoalForm,
    GoalRemoveForm,
    GoalResponseForm,
    GoalStatusForm,
    PlanForm,
)
from vangnet.plans.models import PlanGoal


def _plan(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    values = {k: v for k, v in d.items() if k != "case_director"}
    values["case_director"] = user_by_name(d["case_director"])
    plan_services.plan_update(case=case, actor=user, membership=m, values=values)
    return "Het plan is bijgewerkt (nieuwe versie)."


def _goal(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    plan_services.goal_add(case=case, actor=user, membership=m, **d)
    from vangnet.cases.access import invited_with_consent

    if (
        not invited_with_consent(case, d["organisation"].pk)
        and d["organisation"].pk != m.organisation_id
    ):
        return (
            "Doel toegevoegd. Let op: deze organisatie is nog niet uitgenodigd met toestemming en kan "
            "het doel pas accepteren als zij de casus mag zien."
        )
    return "Doel toegevoegd; de organisatie kan het accepteren of weigeren."


def _goal_respond(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    goal = case_object(PlanGoal, d["goal"], plan__case=case)
    plan_services.goal_respond(
        goal=goal, actor=user, membership=m, accept=d["response"] == "accept", note=d["note"]
    )
    return "Uw reactie op het doel is vastgelegd."


def _goal_edit(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    goal = case_object(PlanGoal, d.pop("goal"), plan__case=case)
    goal = plan_services.goal_update(goal=goal, actor=user, membership=m, **d)
    if goal.status == PlanGoal.Status.PROPOSED:
        return f"Doel gewijzigd; {goal.organisation} moet het (opnieuw) accepteren."
    return "Doel gewijzigd."


def _goal_status(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    goal = case_object(PlanGoal, d["goal"], plan__case=case)
    goal = plan_services.goal_set_status(goal=goal, actor=user, membership=m, status=d["status"])
    return f"Status van het doel: {goal.get_status_display().lower()}."


def _goal_remove(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    goal = case_object(PlanGoal, d["goal"], plan__case=case)
    plan_services.goal_remove(goal=goal, actor=user, membership=m, reason=d["reason"])
    return "Doel verwijderd; de reden staat in de wijzigingen van het plan."


def _goal_confirm(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    goal = case_object(PlanGoal, d["goal"], plan__case=case)
    goal = plan_services.goal_confirm_on_behalf(
        goal=goal,
        actor=user,
        membership=m,
        confirmed_by=d["confirmed_by"],
        confirmed_via=d["confirmed_via"],
        confirmed_on=d["confirmed_on"],
        note=d["note"],
    )
    return f"Doel geaccepteerd namens {goal.organisation}."


def _financing_request(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    plan_services.financing_request(case=case, actor=user, membership=m, insurer=d["insurer"])
    return "Aanvraag maatwerkarrangement verstuurd naar de medisch adviseur."


ACTIONS: dict[str, CaseAction] = {
    "plan": CaseAction(Permission.MANAGE, PlanForm, _plan),
    "doel": CaseAction(Permission.MANAGE, GoalForm, _goal),
    "doel-reactie": CaseAction(Permission.GOAL_RESPOND, GoalResponseForm, _goal_respond),
    "doel-wijzigen": CaseAction(Permission.MANAGE, GoalEditForm, _goal_edit),
    "doel-status": CaseAction(Permission.MANAGE, GoalStatusForm, _goal_status),
    "doel-verwijderen": CaseAction(Permission.MANAGE, GoalRemoveForm, _goal_remove),
    "doel-namens": CaseAction(Permission.MANAGE, GoalConfirmForm, _goal_confirm),
    "financiering": CaseAction(Permission.MANAGE, FinancingRequestForm, _financing_request),
}
