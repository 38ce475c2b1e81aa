"""Meeting pages: list, detail (agenda, participants, minutes) and the agenda/minutes PDF. Each
reader sees only the cases they may see; every change is logged per case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.actions import case_object
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError
from vangnet.common.pagination import keyset_page_by, page_links, page_or_redirect
from vangnet.meetings import forms as meeting_forms
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.meetings.selectors import agenda_candidates, meeting_membership, readable_items


@verified_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    actor = actor_for(user)
    tables = actor.table_ids(Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER)
    coordinator = actor.membership_for(role=Role.COORDINATOR)
    candidates = (
        agenda_candidates(coordinator.table)
        if coordinator is not None and coordinator.table is not None
        else None
    )
    form = meeting_forms.MeetingForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if coordinator is None or coordinator.table is None:
            raise PermissionDenied
        table = coordinator.table
        if form.is_valid():
            d = form.cleaned_data
            cases = list(d["cases"])
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
                    recorded_afterwards=d["recorded_afterwards"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                for case in cases:  # each case put on the agenda is a change to that case
                    _log_change(user, coordinator, case, f"agenda bespreking {meeting.pk}")
                for w in warnings:
                    messages.warning(request, w)
                messages.success(
                    request,
                    "De bespreking is vastgelegd."
                    if meeting.recorded_afterwards
                    else "De bespreking is gepland.",
                )
                return redirect("meetings:detail", pk=meeting.pk)
    sort = request.GET.get("sorteer", "-wanneer")
    if sort not in MEETING_SORTS:
        sort = "-wanneer"
    meetings = Meeting.objects.filter(table_id__in=tables).select_related("table")
    # Page by page with a "Meer besprekingen" link (keyset on the sort column and the id: each
    # meeting exactly once, and a late page costs what the first does).
    page = page_or_redirect(
        request,
        lambda: keyset_page_by(
            meetings,
            order=MEETING_SORTS[sort],
            cursor=request.GET.get("na") or None,
            size=MEETINGS_PER_PAGE,
            name=f"besprekingen {sort}",
        ),
        sort=sort,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    return render(
        request,
        "meetings/list.html",
        {
            "meetings": page.rows,
            **page_links(request, page),
            "sort": sort,
            "form": form if coordinator else None,
            "now": timezone.now(),
        },
    )


MEETINGS_PER_PAGE = 50
MEETING_SORTS = {
    "-wanneer": ("-starts_at", "-pk"),
    "wanneer": ("starts_at", "pk"),
    "soort": ("kind", "-pk"),
    "tafel": ("table__number", "-pk"),
}


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
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not is_coordinator:
            _deny(actor, f"bespreking {meeting.pk} wijzigen")
        # A change writes its own row (update) for the case it concerns.
        bound = _meeting_post(request, meeting, membership, user)
        if not bound:
            return redirect("meetings:detail", pk=meeting.pk)
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
    if is_coordinator:
        # Each case gets its own forms (a prefix per item keeps the ids on the page unique); a
        # form that failed comes back bound, with the input kept and the error at its field.
        for item in items:
            prefix = f"item{item.pk}"
            participant_form = bound.get(f"participant{item.pk}") or (
                meeting_forms.ParticipantForm(prefix=f"{prefix}-deelnemer")
            )
            minutes_form = bound.get(f"minutes{item.pk}") or meeting_forms.MinutesForm(
                prefix=f"{prefix}-notulen",
                initial={"discussed": item.discussed, "decisions": item.decisions},
            )
            item.participant_form = participant_form  # type: ignore[attr-defined]
            item.minutes_form = minutes_form  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "is_coordinator": is_coordinator,
            "agenda_form": bound.get("agenda")
            or meeting_forms.AgendaForm(candidates=agenda_candidates(meeting.table, meeting)),
            "started": meeting.starts_at <= timezone.now(),
        },
        status=400 if bound else 200,
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
) -> dict[str, Any]:
    """Carry out one change. Returns {} when it was saved (the caller redirects), or the bound
    form that failed, by its key, to show again with the input and the error."""
    op = request.POST.get("op")
    form: Any
    key = op or ""
    try:
        if op == "agenda":
            form = meeting_forms.AgendaForm(
                request.POST, candidates=agenda_candidates(meeting.table, meeting)
            )
            if not form.is_valid():
                return {key: form}
            case = form.cleaned_data["case"]
            _log_change(user, membership, case, f"agenda bespreking {meeting.pk}")
            meeting_services.agenda_add(
                meeting=meeting, case=case, actor=user, membership=membership
            )
        elif op in {"participant", "minutes", "adopt"}:
            item = case_object(AgendaItem, request.POST.get("item"), meeting=meeting)
            key = f"{op}{item.pk}"
            _log_change(user, membership, item.case, f"{op} bespreking {meeting.pk}")
            if op == "participant":
                form = meeting_forms.ParticipantForm(
                    request.POST, prefix=f"item{item.pk}-deelnemer"
                )
                if not form.is_valid():
                    return {key: form}
                meeting_services.participant_add(
                    item=item, actor=user, membership=membership, **form.cleaned_data
                )
            elif op == "minutes":
                form = meeting_forms.MinutesForm(request.POST, prefix=f"item{item.pk}-notulen")
                if not form.is_valid():
                    return {key: form}
                d = form.cleaned_data
                meeting_services.minutes_record(
                    item=item,
                    actor=user,
                    membership=membership,
                    discussed=d["discussed"],
                    decisions=d["decisions"],
                    tasks=[meeting_services.TaskInput(*t) for t in d["tasks"]],
                )
            else:
                meeting_services.minutes_adopt(item=item, actor=user, membership=membership)
                messages.success(request, "De notulen zijn vastgesteld.")
                return {}
        else:
            raise DomainError("Onbekende handeling.")
    except DomainError as exc:
        if op in {"agenda", "participant", "minutes"}:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return {key: form}
        messages.error(request, f"Niet opgeslagen. {exc.message}")
        return {}
    messages.success(request, "Opgeslagen.")
    return {}


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
