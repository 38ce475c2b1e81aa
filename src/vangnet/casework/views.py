"""The coordinator's daily work across the case-work apps: the table overview and the case page,
which shows every stage's section (each app's actions, forms and data).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action
from vangnet.cases import actions as case_actions
from vangnet.cases import forms as case_forms
from vangnet.cases import selectors
from vangnet.cases.access import Permission, case_access, granting_membership, log_list
from vangnet.cases.actions import (
    CaseAction,
    form_errors,
)
from vangnet.cases.forms import MoveForm, ScreenForm
from vangnet.cases.models import Case
from vangnet.cases.views import PUBLIC_EVENTS, _access, case_or_404
from vangnet.cases.workflow import ACTIVE_STATES, State, allowed_transitions
from vangnet.casework import selectors as casework_selectors
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.followup import actions as followup_actions
from vangnet.followup import forms as followup_forms
from vangnet.meetings import actions as meeting_actions
from vangnet.plans import actions as plan_actions
from vangnet.plans import forms as plan_forms


@verified_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(current_user(request))
    queue = (
        selectors.triage_queue(actor)
        if actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER)
        else []
    )
    own: list[Case] = []
    if actor.has_role(Role.REFERRER):
        own = list(
            selectors.case_list(actor).filter(
                referrer_organisation_id__in=actor.organisation_ids(Role.REFERRER)
            )[:50]
        )
    overview = (
        casework_selectors.table_overview(actor) if actor.table_ids(Role.COORDINATOR) else None
    )
    tasks = casework_selectors.my_tasks(actor)
    if queue or own or overview or any(tasks.values()):
        log_list(actor, detail="overzicht")
    return render(
        request,
        "casework/dashboard.html",
        {"actor": actor, "queue": queue, "own": own, "overview": overview, "mine": tasks},
    )


@verified_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    actor, membership = _access(request, case, Permission.READ, Action.READ)
    is_table = membership.role in {Role.COORDINATOR, Role.SECOND_SCREENER}
    rounds = list(
        case.triage_rounds.select_related(
            "coordinator",
            "second_screener",
            "coordinator_organisation",
            "second_screener_organisation",
        ).prefetch_related("assessments__criterion")
    )
    pending = next((r for r in rounds if r.verdict == r.Verdict.PENDING), None)
    context = {
        "case": case,
        "membership": membership,
        "is_table": is_table,
        "rounds": rounds if is_table else [],
        "final_round": selectors.final_round(case),
        "pending": pending,
        "events": case.events.select_related("actor")
        if is_table
        else case.events.filter(transition__in=PUBLIC_EVENTS),
        "can_triage": granting_membership(actor, case, Permission.TRIAGE) is not None
        and "triage_propose" in allowed_transitions(case.state),
        "can_screen": granting_membership(actor, case, Permission.SCREEN) is not None
        and pending is not None
        and pending.coordinator_id != request.user.pk,
        "can_move": granting_membership(actor, case, Permission.TRIAGE) is not None
        and "table_move" in allowed_transitions(case.state),
        "screen_form": ScreenForm(),
        "move_form": MoveForm(),
        "linked": case.linked_cases.select_related("table"),
        "can_manage": granting_membership(actor, case, Permission.MANAGE) is not None,
        "can_respond": granting_membership(actor, case, Permission.GOAL_RESPOND) is not None,
        "can_check_in": granting_membership(actor, case, Permission.CHECK_IN) is not None,
        "can_withdraw": membership.role == Role.REFERRER
        and case.state in {State.REGISTERED, State.TRIAGE_PROPOSED},
        "active": case.state in ACTIVE_STATES,
        "f": FORMS,
        # Shortages recorded from sociale kaart searches are the close form's starting point.
        "close_form": case_forms.CloseForm(initial={"shortages": case.shortages})
        if case.state in ACTIVE_STATES
        else None,
        **casework_selectors.case_workspace(case),
    }
    return render(request, "casework/detail.html", context)


# The case page's forms, one namespace for the template (`f.PlanForm`): each app owns its forms.
FORMS = SimpleNamespace(
    TimelineForm=case_forms.TimelineForm,
    PartyForm=case_forms.PartyForm,
    ConsentForm=case_forms.ConsentForm,
    QuestionForm=case_forms.QuestionForm,
    DocumentForm=case_forms.DocumentForm,
    ReasonForm=case_forms.ReasonForm,
    PlanForm=plan_forms.PlanForm,
    GoalForm=plan_forms.GoalForm,
    FinancingRequestForm=plan_forms.FinancingRequestForm,
    PhaseForm=followup_forms.PhaseForm,
    SuspendForm=followup_forms.SuspendForm,
    EscalateForm=followup_forms.EscalateForm,
)


ACTIONS: dict[str, CaseAction] = {
    **case_actions.ACTIONS,
    **meeting_actions.ACTIONS,
    **plan_actions.ACTIONS,
    **followup_actions.ACTIONS,
}


@require_POST
@verified_required
def case_action(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    case = case_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    try:
        membership = case_access(
            actor, case, permission=action.permission, action=Action.UPDATE, detail=name
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    data: dict[str, Any] = {}
    if action.form is not None:
        form = action.form(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, f"Niet opgeslagen. {form_errors(form)}")
            return redirect("cases:detail", reference=case.reference)
        data = form.cleaned_data
    try:
        message = action.run(case, user, membership, data, request.POST)
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
    else:
        messages.success(request, message)
    return redirect("cases:detail", reference=case.reference)
