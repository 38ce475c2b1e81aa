"""Pages of the integral plan: the financing part that the insurer's medical adviser sees."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.views import case_or_404
from vangnet.common.errors import DomainError
from vangnet.plans import services as plan_services
from vangnet.plans.models import FinancingDecision


@verified_required
def financing(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The medical adviser sees only what the financing decision needs, and decides."""
    case = case_or_404(reference)
    decision = get_object_or_404(FinancingDecision, pk=pk, case=case)
    user = current_user(request)
    actor = actor_for(user)
    method_action = Action.UPDATE if request.method == "POST" else Action.READ
    membership = next(
        (
            m
            for m in actor.memberships
            if m.role == Role.MEDICAL_ADVISER and m.organisation_id == decision.insurer_id
        ),
        None,
    )
    # Only an adviser of the insurer this request is addressed to; anyone else is logged as denied.
    access_log_write(
        actor=actor,
        action=method_action,
        outcome=Outcome.ALLOWED if membership else Outcome.DENIED,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        detail="financiering",
    )
    if membership is None:
        raise PermissionDenied
    from vangnet.cases.models import CriterionAssessment
    from vangnet.regions.models import Criterion

    criteria = list(Criterion.objects.all())
    if request.method == "POST":
        checks = {c.number: request.POST.get(f"criterion_{c.number}", "") for c in criteria}
        try:
            plan_services.financing_decide(
                decision=decision,
                actor=user,
                membership=membership,
                criteria_checks=checks,
                approved=request.POST.get("decision") == "approved",
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            messages.error(request, f"Niet opgeslagen. {exc.message}")
        else:
            messages.success(request, "Uw besluit is vastgelegd.")
            return redirect("cases:financing", reference=case.reference, pk=decision.pk)
    goals = case.plan.goals.all() if hasattr(case, "plan") else []
    triage = (
        case.triage_rounds.filter(verdict="confirmed")
        .prefetch_related("assessments__criterion")
        .last()
    )
    return render(
        request,
        "plans/financing.html",
        {
            "case": case,
            "decision": decision,
            "criteria": criteria,
            "verdicts": CriterionAssessment.Verdict.choices,
            "goals": goals,
            "triage": triage,
        },
    )
