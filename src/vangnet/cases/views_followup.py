"""Pages and actions from admission to closure (issue 4). Thin: parse a form, call a service.

Case actions are POSTs to /casussen/<ref>/actie/<name>/; each passes `case_access` once, so each
writes one access-log row, and redirects back to the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed

from . import forms_followup as f
from . import services
from .access import Permission, case_access, granting_membership
from .models import (
    AgendaItem,
    Case,
    CaseParty,
    CheckIn,
    Consent,
    Document,
    EscalationStep,
    FinancingDecision,
    Meeting,
    PlanGoal,
    Task,
    TermSuspension,
)
from .views import case_or_404


@dataclass(frozen=True)
class CaseAction:
    permission: Permission
    form: type[forms.Form] | None
    run: Callable[..., str]


def _get(model: Any, pk: Any, **filters: Any) -> Any:
    """get_object_or_404 for a posted id: a malformed id is a 404, never a server error."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_object_or_404(model, pk=key, **filters)


def _user_by_name(username: str) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise DomainError("Deze gebruiker bestaat niet.", field="case_director") from exc


def _timeline(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.timeline_add(
        case=case,
        actor=user,
        membership=m,
        on=d["date"],
        organisation_name=d["organisation_name"],
        description=d["description"],
    )
    return "Gebeurtenis toegevoegd aan de tijdlijn."


def _party(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.party_add(case=case, actor=user, membership=m, **d)
    return "Partij toegevoegd."


def _invite(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    party = _get(CaseParty, post.get("party"), case=case)
    services.party_invite(party=party, actor=user, membership=m)
    return f"{party.organisation} is uitgenodigd."


def _consent(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.consent_record(case=case, actor=user, membership=m, **d)
    return "Toestemming vastgelegd."


def _consent_withdraw(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    consent = _get(Consent, post.get("consent"), case=case)
    services.consent_withdraw(consent=consent, actor=user, membership=m)
    return "Toestemming ingetrokken; de partij ziet de casus niet meer."


def _question(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.question_add(case=case, actor=user, membership=m, text=d["text"])
    return "Vraag toegevoegd."


def _share(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    item = _get(AgendaItem, post.get("item"), case=case)
    services.case_share_prepared(item=item, actor=user, membership=m)
    return "De voorbereide casus is gedeeld met de uitgenodigde partijen."


def _plan(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    values = {k: v for k, v in d.items() if k != "case_director"}
    values["case_director"] = _user_by_name(d["case_director"])
    services.plan_update(case=case, actor=user, membership=m, values=values)
    return "Het plan is bijgewerkt (nieuwe versie)."


def _goal(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.goal_add(case=case, actor=user, membership=m, **d)
    from .access import invited_with_consent

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
    goal = _get(PlanGoal, d["goal"], plan__case=case)
    services.goal_respond(
        goal=goal, actor=user, membership=m, accept=d["response"] == "accept", note=d["note"]
    )
    return "Uw reactie op het doel is vastgelegd."


def _financing_request(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.financing_request(case=case, actor=user, membership=m, insurer=d["insurer"])
    return "Aanvraag maatwerkarrangement verstuurd naar de medisch adviseur."


def _adopt(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.plan_adopt(
        case=case, actor=user, membership=m, phase_months=d["months"], focus=d["focus"]
    )
    return "Het plan is vastgesteld; de follow-up met maandelijkse check-ins is gestart."


def _phase(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.phase_add(case=case, actor=user, membership=m, months=d["months"], focus=d["focus"])
    return "Nieuwe fase toegevoegd."


def _checkin(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    checkin = _get(CheckIn, post.get("checkin"), phase__case=case)
    progress = []
    for goal in case.plan.goals.filter(
        status__in=[PlanGoal.Status.IN_PROGRESS, PlanGoal.Status.ACCEPTED]
    ):
        progress.append(
            services.ProgressInput(
                goal_id=goal.pk,
                progress=post.get(f"goal_{goal.pk}", ""),
                note=post.get(f"goal_{goal.pk}_note", ""),
            )
        )
    services.checkin_record(
        checkin=checkin,
        actor=user,
        membership=m,
        summary=post.get("summary", ""),
        progress=progress,
    )
    return "Check-in vastgelegd."


def _task_done(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    task = _get(Task, post.get("task"), case=case)
    services.task_complete(task=task, actor=user, membership=m)
    return "Actie afgerond."


def _suspend(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.term_suspend(case=case, actor=user, membership=m, **d)
    return "De termijn is opgeschort."


def _resume(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    suspension = _get(TermSuspension, post.get("suspension"), case=case)
    services.term_resume(suspension=suspension, actor=user, membership=m)
    return "De termijn loopt weer."


def _escalate(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.escalate(case=case, actor=user, membership=m, **d)
    return "Escalatiestap vastgelegd."


def _escalation_result(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    step = _get(EscalationStep, post.get("step"), case=case)
    services.escalation_result(step=step, actor=user, membership=m, result=post.get("result", ""))
    return "Resultaat vastgelegd."


def _close(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_close(case=case, actor=user, membership=m, **d)
    return "De casus is afgesloten."


def _withdraw(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_close(case=case, actor=user, membership=m, outcome="withdrawn", note=d["reason"])
    return "Uw aanmelding is ingetrokken."


def _reopen(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_reopen(case=case, actor=user, membership=m, reason=d["reason"])
    return "De casus is heropend; de verwijzer is op de hoogte gebracht."


ACTIONS: dict[str, CaseAction] = {
    "tijdlijn": CaseAction(Permission.MANAGE, f.TimelineForm, _timeline),
    "partij": CaseAction(Permission.MANAGE, f.PartyForm, _party),
    "uitnodigen": CaseAction(Permission.MANAGE, None, _invite),
    "toestemming": CaseAction(Permission.MANAGE, f.ConsentForm, _consent),
    "toestemming-intrekken": CaseAction(Permission.MANAGE, None, _consent_withdraw),
    "vraag": CaseAction(Permission.MANAGE, f.QuestionForm, _question),
    "delen": CaseAction(Permission.MANAGE, None, _share),
    "plan": CaseAction(Permission.MANAGE, f.PlanForm, _plan),
    "doel": CaseAction(Permission.MANAGE, f.GoalForm, _goal),
    "doel-reactie": CaseAction(Permission.GOAL_RESPOND, f.GoalResponseForm, _goal_respond),
    "financiering": CaseAction(Permission.MANAGE, f.FinancingRequestForm, _financing_request),
    "vaststellen": CaseAction(Permission.MANAGE, f.PhaseForm, _adopt),
    "fase": CaseAction(Permission.MANAGE, f.PhaseForm, _phase),
    "check-in": CaseAction(Permission.CHECK_IN, None, _checkin),
    "actie-afgerond": CaseAction(Permission.READ, None, _task_done),
    "opschorten": CaseAction(Permission.MANAGE, f.SuspendForm, _suspend),
    "hervatten": CaseAction(Permission.MANAGE, None, _resume),
    "escaleren": CaseAction(Permission.MANAGE, f.EscalateForm, _escalate),
    "escalatie-resultaat": CaseAction(Permission.MANAGE, None, _escalation_result),
    "afsluiten": CaseAction(Permission.MANAGE, f.CloseForm, _close),
    "intrekken": CaseAction(Permission.REFERRER_ACT, f.ReasonForm, _withdraw),
    "heropenen": CaseAction(Permission.MANAGE, f.ReasonForm, _reopen),
}


def _errors(form: forms.Form) -> str:
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errs)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


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
            messages.error(request, f"Niet opgeslagen. {_errors(form)}")
            return redirect("cases:detail", reference=case.reference)
        data = form.cleaned_data
    try:
        message = action.run(case, user, membership, data, request.POST)
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
    else:
        messages.success(request, message)
    return redirect("cases:detail", reference=case.reference)


@require_POST
@verified_required
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    user = current_user(request)
    try:
        membership = case_access(
            actor_for(user),
            case,
            permission=Permission.MANAGE,
            action=Action.UPDATE,
            detail="document",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    form = f.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Niet opgeslagen. {_errors(form)}")
        return redirect("cases:detail", reference=case.reference)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_DOCUMENT_BYTES:
        messages.error(request, "Niet opgeslagen. Het bestand is te groot: maximaal 10 MB.")
        return redirect("cases:detail", reference=case.reference)
    try:
        services.document_upload(
            case=case, actor=user, membership=membership, name=upload.name, content=upload.read()
        )
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
    else:
        messages.success(request, "Document toegevoegd.")
    return redirect("cases:detail", reference=case.reference)


@verified_required
def document_download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    case = case_or_404(reference)
    document = get_object_or_404(Document, pk=pk, case=case)
    try:
        case_access(
            actor_for(current_user(request)),
            case,
            permission=Permission.DOCUMENT,
            action=Action.DOWNLOAD,
            detail=f"document {document.pk}",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    path = services.document_path(document)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    from .models import Criterion, CriterionAssessment

    criteria = list(Criterion.objects.all())
    if request.method == "POST":
        checks = {c.number: request.POST.get(f"criterion_{c.number}", "") for c in criteria}
        try:
            services.financing_decide(
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
        "cases/financing.html",
        {
            "case": case,
            "decision": decision,
            "criteria": criteria,
            "verdicts": CriterionAssessment.Verdict.choices,
            "goals": goals,
            "triage": triage,
        },
    )


# --- meetings ---------------------------------------------------------------------------------


def _meeting_membership(user: User, meeting: Meeting | None = None) -> Membership | None:
    actor = actor_for(user)
    for m in actor.memberships:
        if m.role in {Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER} and (
            meeting is None or m.table_id == meeting.table_id
        ):
            return m
    return None


@verified_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    actor = actor_for(user)
    tables = actor.table_ids(Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER)
    coordinator = actor.membership_for(role=Role.COORDINATOR)
    form = f.MeetingForm(request.POST or None)
    if request.method == "POST":
        if coordinator is None or coordinator.table is None:
            raise PermissionDenied
        table = coordinator.table
        if form.is_valid():
            d = form.cleaned_data
            refs = [r.strip() for r in d["cases"].split(",") if r.strip()]
            try:
                cases = [Case.objects.get(reference=r, table=table) for r in refs]
            except Case.DoesNotExist:
                form.add_error(
                    "cases", "Een van de casussen bestaat niet of hoort niet bij uw tafel."
                )
            else:
                try:
                    meeting, warnings = services.meeting_schedule(
                        table=table,
                        actor=user,
                        membership=coordinator,
                        kind=d["kind"],
                        starts_at=d["starts_at"],
                        ends_at=d["ends_at"],
                        chair_type=d["chair_type"],
                        chair_name=d["chair_name"],
                        location=d["location"],
                        video_link=d["video_link"],
                        cases=cases,
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    for case in cases:  # each case put on the agenda is a change to that case
                        _log_change(user, coordinator, case, f"agenda bespreking {meeting.pk}")
                    for w in warnings:
                        messages.warning(request, w)
                    messages.success(request, "De bespreking is gepland.")
                    return redirect("meetings:detail", pk=meeting.pk)
    meetings = (
        Meeting.objects.filter(table_id__in=tables)
        .select_related("table")
        .order_by("-starts_at")[:100]
    )
    return render(
        request,
        "cases/meeting_list.html",
        {"meetings": meetings, "form": form if coordinator else None, "now": timezone.now()},
    )


def _readable_items(user: User, meeting: Meeting) -> list[AgendaItem]:
    actor = actor_for(user)
    items = meeting.items.select_related("case", "case__table").prefetch_related(
        "participants__organisation", "tasks__organisation"
    )
    return [i for i in items if granting_membership(actor, i.case, Permission.READ) is not None]


@verified_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_object_or_404(Meeting.objects.select_related("table"), pk=pk)
    membership = _meeting_membership(user, meeting)
    actor = actor_for(user)
    if membership is None:
        _deny(actor, f"bespreking {meeting.pk}")
    assert membership is not None
    is_coordinator = membership.role == Role.COORDINATOR
    if request.method == "POST":
        if not is_coordinator:
            _deny(actor, f"bespreking {meeting.pk} wijzigen")
        # A change writes its own row (update) for the case it concerns.
        return _meeting_post(request, meeting, membership, user)
    items = _readable_items(user, meeting)
    # The privacy officer asks "who read case X": one row per case shown on this page.
    for item in items:
        access_log_write(
            actor=actor,
            action=Action.READ,
            case_id=item.case_id,
            case_reference=item.case.reference,
            membership=membership,
            detail=f"bespreking {meeting.pk}",
        )
    return render(
        request,
        "cases/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "is_coordinator": is_coordinator,
            "agenda_form": f.AgendaForm(),
            "participant_form": f.ParticipantForm(),
            "minutes_form": f.MinutesForm(),
            "started": meeting.starts_at <= timezone.now(),
        },
    )


def _deny(actor: Any, detail: str) -> None:
    """Log a refused meeting request (no case: the meeting itself was refused) and refuse it."""
    access_log_write(actor=actor, action=Action.READ, outcome=Outcome.DENIED, detail=detail)
    raise PermissionDenied


def _log_change(user: User, membership: Membership, case: Case, detail: str) -> None:
    access_log_write(
        actor=actor_for(user),
        action=Action.UPDATE,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        detail=detail,
    )


def _meeting_post(
    request: HttpRequest, meeting: Meeting, membership: Membership, user: User
) -> HttpResponse:
    op = request.POST.get("op")
    try:
        if op == "agenda":
            form = f.AgendaForm(request.POST)
            if form.is_valid():
                case = Case.objects.filter(
                    reference=form.cleaned_data["reference"].strip(), table=meeting.table
                ).first()
                if case is None:
                    raise DomainError("Deze casus bestaat niet of hoort niet bij deze tafel.")
                _log_change(user, membership, case, f"agenda bespreking {meeting.pk}")
                services.agenda_add(meeting=meeting, case=case, actor=user, membership=membership)
        elif op in {"participant", "minutes"}:
            item = _get(AgendaItem, request.POST.get("item"), meeting=meeting)
            _log_change(user, membership, item.case, f"{op} bespreking {meeting.pk}")
            if op == "participant":
                pform = f.ParticipantForm(request.POST)
                if not pform.is_valid():
                    raise DomainError(_errors(pform))
                services.participant_add(
                    item=item, actor=user, membership=membership, **pform.cleaned_data
                )
            else:
                mform = f.MinutesForm(request.POST)
                if not mform.is_valid():
                    raise DomainError(_errors(mform))
                d = mform.cleaned_data
                tasks = []
                if d["task_description"]:
                    if not d["task_organisation"] or not d["task_due_on"]:
                        raise DomainError("Een actie heeft een organisatie en een datum nodig.")
                    tasks.append(
                        services.TaskInput(
                            d["task_description"], d["task_organisation"], d["task_due_on"]
                        )
                    )
                services.minutes_record(
                    item=item,
                    actor=user,
                    membership=membership,
                    discussed=d["discussed"],
                    decisions=d["decisions"],
                    tasks=tasks,
                )
        else:
            raise DomainError("Onbekende handeling.")
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
    else:
        messages.success(request, "Opgeslagen.")
    return redirect("meetings:detail", pk=meeting.pk)


@verified_required
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Agenda and minutes as PDF, with only the cases this reader may see."""
    from weasyprint import HTML

    user = current_user(request)
    meeting = get_object_or_404(Meeting.objects.select_related("table"), pk=pk)
    membership = _meeting_membership(user, meeting)
    actor = actor_for(user)
    if membership is None:
        _deny(actor, f"bespreking {meeting.pk} als pdf")
    assert membership is not None
    items = _readable_items(user, meeting)
    for item in items:
        access_log_write(
            actor=actor,
            action=Action.EXPORT,
            case_id=item.case_id,
            case_reference=item.case.reference,
            membership=membership,
            detail=f"bespreking {meeting.pk} als pdf",
        )
    html = render_to_string(
        "cases/meeting_print.html",
        {"meeting": meeting, "items": items, "printed_at": timezone.now()},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bespreking-{meeting.pk}.pdf"'
    return response
