"""Case-page actions of follow-up: adopt the plan, phases, check-ins, term, escalation."""

from __future__ import annotations

from typing import Any

from vangnet.accounts.models import Membership, User
from vangnet.cases.access import Permission
from vangnet.cases.actions import CaseAction, case_object
from vangnet.cases.models import Case
from vangnet.continuity.selectors import case_review_warnings
from vangnet.followup import services as followup_services
from vangnet.followup.forms import EscalateForm, PhaseForm, SuspendForm
from vangnet.followup.models import CheckIn, EscalationStep, TermSuspension
from vangnet.plans.models import PlanGoal


def _adopt(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    followup_services.plan_adopt(
        case=case, actor=user, membership=m, phase_months=d["months"], focus=d["focus"]
    )
    return "Het plan is vastgesteld; de follow-up met maandelijkse check-ins is gestart."


def _phase(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    followup_services.phase_add(
        case=case, actor=user, membership=m, months=d["months"], focus=d["focus"]
    )
    return "Nieuwe fase toegevoegd."


def _checkin(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    checkin = case_object(CheckIn, post.get("checkin"), phase__case=case)
    progress = []
    # The running goals in one query (not the plan first); the service checks them again.
    for goal in PlanGoal.objects.filter(
        plan__case=case, status__in=[PlanGoal.Status.IN_PROGRESS, PlanGoal.Status.ACCEPTED]
    ).only("pk"):
        progress.append(
            followup_services.ProgressInput(
                goal_id=goal.pk,
                progress=post.get(f"goal_{goal.pk}", ""),
                note=post.get(f"goal_{goal.pk}_note", ""),
            )
        )
    followup_services.checkin_record(
        checkin=checkin,
        actor=user,
        membership=m,
        summary=post.get("summary", ""),
        progress=progress,
    )
    # The check-in is the monthly moment to notice a crisis card or medication overview that is
    # past its review date (seed 003): say so with the confirmation.
    warnings = case_review_warnings(case)
    return " ".join(["Check-in vastgelegd.", *(f"Let op: {w}" for w in warnings)])


def _suspend(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    followup_services.term_suspend(case=case, actor=user, membership=m, **d)
    return "De termijn is opgeschort."


def _resume(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    suspension = case_object(TermSuspension, post.get("suspension"), case=case)
    followup_services.term_resume(suspension=suspension, actor=user, membership=m)
    return "De termijn loopt weer."


def _escalate(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    followup_services.escalate(case=case, actor=user, membership=m, **d)
    return "Escalatiestap vastgelegd."


def _escalation_result(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    step = case_object(EscalationStep, post.get("step"), case=case)
    followup_services.escalation_result(
        step=step, actor=user, membership=m, result=post.get("result", "")
    )
    return "Resultaat vastgelegd."


ACTIONS: dict[str, CaseAction] = {
    "vaststellen": CaseAction(Permission.MANAGE, PhaseForm, _adopt),
    "fase": CaseAction(Permission.MANAGE, PhaseForm, _phase),
    "check-in": CaseAction(Permission.CHECK_IN, None, _checkin),
    "opschorten": CaseAction(Permission.MANAGE, SuspendForm, _suspend),
    "hervatten": CaseAction(Permission.MANAGE, None, _resume),
    "escaleren": CaseAction(Permission.MANAGE, EscalateForm, _escalate),
    "escalatie-resultaat": CaseAction(Permission.MANAGE, None, _escalation_result),
}
