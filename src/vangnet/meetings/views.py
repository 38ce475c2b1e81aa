"""Meeting pages: list, detail (agenda, participants, minutes) and the agenda/minutes PDF. Each
reader sees only the cases they may see; every change is logged per case."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.actions import case_object, form_errors
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError
from vangnet.common.pagination import keyset_page
from vangnet.meetings import forms as meeting_forms
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.meetings.selectors import meeting_membership, readable_items

PAGE_SIZE = 100


@verified_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    actor = actor_for(user)
    tables = actor.table_ids(Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER)
    coordinator = actor.membership_for(role=Role.COORDINATOR)
    form = meeting_forms.MeetingForm(request.POST or None)
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
                    meeting, warnings = meeting_services.meeting_schedule(
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
    # Page by page (keyset), newest first, with a "more" link: years of meetings, no cut-off.
    try:
        page = keyset_page(
            Meeting.objects.filter(table_id__in=tables).select_related("table"),
            field="starts_at",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
        )
    except DomainError:
        return redirect("meetings:list")
    return render(
        request,
        "meetings/list.html",
        {
            "meetings": page.rows,
            "more": urlencode({"na": page.next_cursor}) if page.next_cursor else None,
            "form": form if coordinator else None,
            "now": timezone.now(),
        },
    )


@verified_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_object_or_404(Meeting.objects.select_related("table"), pk=pk)
    membership = meeting_membership(user, meeting)
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
    items = readable_items(user, meeting)
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
        "meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "is_coordinator": is_coordinator,
            "agenda_form": meeting_forms.AgendaForm(),
            "participant_form": meeting_forms.ParticipantForm(),
            "minutes_form": meeting_forms.MinutesForm(),
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
            form = meeting_forms.AgendaForm(request.POST)
            if form.is_valid():
                case = Case.objects.filter(
                    reference=form.cleaned_data["reference"].strip(), table=meeting.table
                ).first()
                if case is None:
                    raise DomainError("Deze casus bestaat niet of hoort niet bij deze tafel.")
                _log_change(user, membership, case, f"agenda bespreking {meeting.pk}")
                meeting_services.agenda_add(
                    meeting=meeting, case=case, actor=user, membership=membership
                )
        elif op in {"participant", "minutes"}:
            item = case_object(AgendaItem, request.POST.get("item"), meeting=meeting)
            _log_change(user, membership, item.case, f"{op} bespreking {meeting.pk}")
            if op == "participant":
                pform = meeting_forms.ParticipantForm(request.POST)
                if not pform.is_valid():
                    raise DomainError(form_errors(pform))
                meeting_services.participant_add(
                    item=item, actor=user, membership=membership, **pform.cleaned_data
                )
            else:
                mform = meeting_forms.MinutesForm(request.POST)
                if not mform.is_valid():
                    raise DomainError(form_errors(mform))
                d = mform.cleaned_data
                tasks = []
                if d["task_description"]:
                    if not d["task_organisation"] or not d["task_due_on"]:
                        raise DomainError("Een actie heeft een organisatie en een datum nodig.")
                    tasks.append(
                        meeting_services.TaskInput(
                            d["task_description"], d["task_organisation"], d["task_due_on"]
                        )
                    )
                meeting_services.minutes_record(
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
    membership = meeting_membership(user, meeting)
    actor = actor_for(user)
    if membership is None:
        _deny(actor, f"bespreking {meeting.pk} als pdf")
    assert membership is not None
    items = readable_items(user, meeting)
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
        "meetings/meeting_print.html",
        {"meeting": meeting, "items": items, "printed_at": timezone.now()},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bespreking-{meeting.pk}.pdf"'
    return response
