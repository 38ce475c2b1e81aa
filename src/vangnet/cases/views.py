"""Pages of the registration desk and triage. Thin: parse, call a selector or service, render.

Every request that touches identifiable case data goes through `case_access` (or `log_list`) once,
so it writes exactly one access-log row. No patient data appears in URLs: only case references.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor, actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.directory.models import Organisation

from . import forms_followup, selectors, services
from .access import Permission, case_access, granting_membership, log_list
from .forms import MoveForm, RegistrationForm, ScreenForm, TriageForm
from .models import Case
from .workflow import ACTIVE_STATES, Decision, State, allowed_transitions

# History lines a referrer or invited party sees; internal triage discussion stays at the table.
PUBLIC_EVENTS = [
    "register",
    "triage_confirm",
    "table_move",
    "plan_start",
    "follow_up_start",
    "close",
    "reopen",
    "escalate",
    "de_escalate",
    "term_suspend",
    "term_resume",
]


def case_or_404(reference: str) -> Case:
    try:
        return selectors.case_by_reference(reference)
    except selectors.CaseNotFound as exc:
        raise Http404 from exc


def _access(
    request: HttpRequest, case: Case, permission: Permission, action: str
) -> tuple[Actor, Any]:
    actor = actor_for(current_user(request))
    try:
        membership = case_access(actor, case, permission=permission, action=action)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return actor, membership


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


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
    overview = selectors.table_overview(actor) if actor.table_ids(Role.COORDINATOR) else None
    tasks = selectors.my_tasks(actor)
    if queue or own or overview or any(tasks.values()):
        log_list(actor, detail="overzicht")
    return render(
        request,
        "cases/dashboard.html",
        {"actor": actor, "queue": queue, "own": own, "overview": overview, "mine": tasks},
    )


@verified_required
def case_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(current_user(request))
    state = request.GET.get("status", "")
    if state and state not in State.values:
        state = ""
    cases = selectors.case_list(actor, state=state)[:500]
    log_list(actor, detail=f"casuslijst {state}".strip())
    return render(
        request, "cases/case_list.html", {"cases": cases, "states": State.choices, "state": state}
    )


@verified_required
def register(request: HttpRequest) -> HttpResponse:
    actor = actor_for(current_user(request))
    org_ids = actor.organisation_ids(Role.REFERRER)
    if not org_ids:
        if request.method == "POST":  # an attempt to register; the blank form shows no data
            access_log_write(
                actor=actor, action=Action.CREATE, outcome=Outcome.DENIED, detail="aanmelding"
            )
        return render(
            request,
            "errors/error.html",
            {"title": "Geen verwijzer", "message": "Alleen verwijzers kunnen een casus aanmelden."},
            status=403,
        )
    form = RegistrationForm(
        request.POST or None, organisations=Organisation.objects.filter(pk__in=org_ids)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.RegistrationInput(
            referrer_type=d["referrer_type"],
            patient_name=d["patient_name"],
            patient_birth_date=d["patient_birth_date"],
            patient_municipality_code=d["patient_municipality"],
            patient_insurer=d["patient_insurer"],
            patient_bsn=d["patient_bsn"],
            consent_by=d["consent_by"],
            stuck_description=d["stuck_description"],
            best_solution=d["best_solution"],
            timeline=d["timeline"],
            urgency=d["urgency"],
            in_ggz_treatment=d["in_ggz_treatment"],
            criteria=[c.number for c in d["criteria"]],
            party_actions=[
                services.PartyActionInput(organisation_name=o.value() or "", action=a.value() or "")
                for o, a in form.party_rows()
                if (o.value() or "").strip() or (a.value() or "").strip()
            ],
            table_number=d["table"].number if d["table"] else None,
            table_choice_reason=d["table_choice_reason"],
        )
        try:
            result = services.case_register(
                referrer=current_user(request), organisation=d["organisation"], data=data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            case = result.case
            membership = granting_membership(actor, case, Permission.READ)
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                case_id=case.pk,
                case_reference=case.reference,
                membership=membership,
                detail="aanmelding",
            )
            messages.success(
                request,
                f"Uw aanmelding is ontvangen onder referentie {case.reference} bij {case.table}. U ontvangt ook een bevestiging per e-mail.",
            )
            for other in result.linked:
                messages.warning(
                    request,
                    f"Deze patiënt heeft al een lopende casus ({other.reference}, {other.table}). De casussen zijn gekoppeld; de coördinator is op de hoogte.",
                )
            return redirect("cases:detail", reference=case.reference)
    return render(request, "cases/register.html", {"form": form})


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
        "f": forms_followup,
        # Shortages recorded from sociale kaart searches are the close form's starting point.
        "close_form": forms_followup.CloseForm(initial={"shortages": case.shortages})
        if case.state in ACTIVE_STATES
        else None,
        **selectors.case_workspace(case),
    }
    return render(request, "cases/detail.html", context)


@verified_required
def triage(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    action = Action.UPDATE if request.method == "POST" else Action.READ
    _, membership = _access(request, case, Permission.TRIAGE, action)
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.triage_propose(
                case=case,
                coordinator=current_user(request),
                membership=membership,
                assessments=[
                    services.CriterionInput(
                        number=c.number,
                        verdict=d[f"criterion_{c.number}"],
                        note=d[f"criterion_{c.number}_note"],
                    )
                    for c in form.criteria
                ],
                decision=d["decision"],
                reason=d["reason"],
                advice=d["advice"],
                refer_to=d["refer_to"],
                menselijke_maat_reason=d["menselijke_maat_reason"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "Het triagebesluit is voorgesteld en wacht op een tweede beoordelaar."
            )
            return redirect("cases:detail", reference=case.reference)
    last = selectors.latest_round(case)
    returned = last if last and last.verdict == last.Verdict.DISAGREED else None
    return render(
        request,
        "cases/triage.html",
        {"case": case, "form": form, "returned": returned, "decisions": Decision},
    )


@require_POST
@verified_required
def screen(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    _, membership = _access(request, case, Permission.SCREEN, Action.UPDATE)
    form = ScreenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kies of u het besluit bevestigt of niet.")
        return redirect("cases:detail", reference=case.reference)
    try:
        if form.cleaned_data["verdict"] == "confirm":
            services.triage_confirm(
                case=case,
                screener=current_user(request),
                membership=membership,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                "Het besluit is bevestigd en definitief. De verwijzer is op de hoogte gebracht.",
            )
        else:
            services.triage_disagree(
                case=case,
                screener=current_user(request),
                membership=membership,
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Het besluit is teruggelegd bij de coördinator.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", reference=case.reference)


@require_POST
@verified_required
def move(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    _, membership = _access(request, case, Permission.TRIAGE, Action.UPDATE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kies een tafel en geef een reden.")
        return redirect("cases:detail", reference=case.reference)
    try:
        services.case_move_table(
            case=case,
            actor=current_user(request),
            membership=membership,
            table=form.cleaned_data["table"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", reference=case.reference)
    messages.success(request, f"De casus is verplaatst naar {form.cleaned_data['table']}.")
    return redirect("cases:dashboard")
