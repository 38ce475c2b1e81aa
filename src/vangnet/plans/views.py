"""Pages of the integral plan: the financing part that the insurer's medical adviser sees, and
the adviser's list of their own decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.views import case_or_404
from vangnet.common.errors import DomainError
from vangnet.common.pagination import keyset_page_by, page_links, page_or_redirect
from vangnet.plans import services as plan_services
from vangnet.plans.forms import FinancingDecisionForm
from vangnet.plans.models import FinancingDecision
from vangnet.plans.selectors import adviser_decisions, adviser_open_requests


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
    goals = case.plan.goals.select_related("organisation") if hasattr(case, "plan") else None
    form = FinancingDecisionForm(
        request.POST if request.method == "POST" else None,
        goals=goals,
    )
    checks = {c.number: request.POST.get(f"criterion_{c.number}", "") for c in criteria}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan_services.financing_decide(
                decision=decision,
                actor=user,
                membership=membership,
                criteria_checks=checks,
                approved=d["decision"] == "approved",
                reason=d["reason"],
                amount=d["amount"],
                duration_months=d["duration_months"],
                goal_ids=[g.pk for g in d["goals"]],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Uw besluit is vastgelegd.")
            return redirect("cases:financing", reference=case.reference, pk=decision.pk)
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
            "criteria": [(c, checks.get(c.number, "")) for c in criteria],
            "verdicts": CriterionAssessment.Verdict.choices,
            "goals": goals if goals is not None else [],
            "covered": set(decision.goals.values_list("pk", flat=True)),
            "triage": triage,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


DECISIONS_PER_PAGE = 50
OPEN_REQUESTS_PER_PAGE = 50
# Keyset orders (see my_decisions): every key non-null, the id last.
DECISION_SORTS = {
    "-besloten": ("-decided", "-pk"),
    "besloten": ("decided", "pk"),
    "casus": ("case__reference", "-pk"),
    "besluit": ("decision", "-decided", "-pk"),
    "-bedrag": ("-amount_or_none", "-decided", "-pk"),
}


@verified_required
def my_decisions(request: HttpRequest) -> HttpResponse:
    """The medical adviser's own past decisions (sortable) and the open requests at their
    insurers, each list page by page with its own "Meer …" link (keyset: each row exactly once,
    no OFFSET). Only requests at an insurer they still advise link to the financing page."""
    from vangnet.cases.access import log_list

    user = current_user(request)
    actor = actor_for(user)
    insurers = actor.organisation_ids(Role.MEDICAL_ADVISER)
    if not insurers:
        access_log_write(
            actor=actor, action=Action.LIST, outcome=Outcome.DENIED, detail="financieringsbesluiten"
        )
        raise PermissionDenied
    sort = request.GET.get("sorteer", "-besloten")
    if sort not in DECISION_SORTS:
        sort = "-besloten"
    # Sort keys are never NULL: a decision without a time sorts at its request, one without an
    # amount (a refusal) below every amount.
    decisions = adviser_decisions(user).annotate(
        decided=Coalesce("decided_at", F("created_at")),
        amount_or_none=Coalesce(
            "amount", Value(-1), output_field=DecimalField(max_digits=9, decimal_places=2)
        ),
    )
    pages = page_or_redirect(
        request,
        lambda: (
            keyset_page_by(
                decisions,
                order=DECISION_SORTS[sort],
                cursor=request.GET.get("na") or None,
                size=DECISIONS_PER_PAGE,
                name=f"financieringsbesluiten {sort}",
            ),
            keyset_page_by(
                adviser_open_requests(list(insurers)),
                order=("created_at", "pk"),
                cursor=request.GET.get("open_na") or None,
                size=OPEN_REQUESTS_PER_PAGE,
                name="open aanvragen",
            ),
        ),
        sort=sort,
    )
    if isinstance(pages, HttpResponseRedirect):
        return pages
    page, open_page = pages
    # The page lists case references: a list event in the access log (NEN 7513).
    log_list(actor, detail="financieringsbesluiten")
    return render(
        request,
        "plans/decisions.html",
        {
            "decisions": page.rows,
            **page_links(request, page),
            "sort": sort,
            "open_requests": open_page.rows,
            "open_links": page_links(request, open_page, param="open_na"),
            "insurers": set(insurers),
        },
    )
