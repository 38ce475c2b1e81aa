"""Meetings over the API, checked and logged as the meeting pages: schedule (the table's
coordinator), agenda, participants, minutes with actions, adoption of the minutes; sharing the
prepared case and completing an action are steps of the case (its permissions, its log row).

A reader sees only the cases on a meeting's agenda that they may read; each case shown or changed
writes its own access-log row ("bespreking <id>"), a refused meeting a "denied" row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for, current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission
from vangnet.cases.api import (
    DoneOut,
    Id,
    case_auth,
    case_for,
    case_object,
    done,
    organisations_by_id,
)
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, NotAllowed, NotFound, raise_all
from vangnet.common.schema import PlausibleDate

from . import services
from .models import AgendaItem, Meeting, Task
from .selectors import agenda_candidates, meeting_membership, readable_items

router = Router(tags=["besprekingen"])

# The models' choices as literals: django-ninja names an enum schema after its class, and
# Meeting.Kind and Participant.Kind would both be "Kind" in the OpenAPI document (one lost).
# tests/test_api_choices.py keeps them equal to the models' choices.
MeetingKind = Literal["scheduled", "ad_hoc"]
ChairType = Literal["independent", "fixed", "rotating"]
ParticipantKind = Literal["organisation", "patient", "relative", "expert_by_experience"]


def _log_case(user: User, membership: Membership, case: Case, action: str, detail: str) -> None:
    access_log_write(
        actor=actor_for(user),
        action=action,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        channel="api",
        detail=detail,
    )


def _meeting_for(
    request: HttpRequest, meeting_id: int, *, change: bool
) -> tuple[Meeting, Membership]:
    """The meeting and the reader's membership of its table; a change needs its coordinator.
    A refusal is logged (no case: the meeting itself was refused) and answered 403."""
    checked = getattr(request, "vangnet_meeting_access", None)
    if checked is not None:
        return checked
    user = current_user(request)
    meeting = Meeting.objects.select_related("table").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("Deze bespreking bestaat niet.")
    membership = meeting_membership(user, meeting)
    if membership is None or (change and membership.role != Role.COORDINATOR):
        access_log_write(
            actor=actor_for(user),
            action=Action.UPDATE if change else Action.READ,
            outcome=Outcome.DENIED,
            channel="api",
            detail=f"bespreking {meeting.pk}{' wijzigen' if change else ''}",
        )
        raise NotAllowed(
            "Alleen de coördinator van deze tafel wijzigt een bespreking."
            if change
            else "U neemt niet deel aan de besprekingen van deze tafel."
        )
    return meeting, membership


def _meeting_change_first() -> list[object]:
    """The coordinator check before the body is read: a refusal is a 403, never a 422."""

    def check(request: HttpRequest) -> None:
        meeting_id = request.resolver_match.kwargs["meeting_id"]  # type: ignore[union-attr]
        try:
            key = int(meeting_id)
        except (TypeError, ValueError):
            return  # not an id: the path validation answers
        request.vangnet_meeting_access = _meeting_for(request, key, change=True)  # type: ignore[attr-defined]

    return auth_then(check)


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = (
        AgendaItem.objects.select_related("case", "meeting")
        .filter(pk=item_id, meeting=meeting)
        .first()
    )
    if item is None:
        raise NotFound("Deze casus staat niet op de agenda van deze bespreking.")
    return item


class MeetingSummaryOut(Schema):
    id: int
    table: int
    kind: str
    kind_label: str
    starts_at: datetime
    ends_at: datetime
    location: str
    video_link: str
    chair_type: str
    chair_name: str
    recorded_afterwards: bool


class MeetingPageOut(PageOut):
    items: list[MeetingSummaryOut]


class ParticipantOut(Schema):
    id: int
    kind: str
    organisation_id: int | None
    person_name: str
    has_mandate: bool


class TaskOut(Schema):
    id: int
    description: str
    organisation_id: int
    due_on: date
    done_at: datetime | None


class ItemOut(Schema):
    id: int
    reference: str
    position: int
    shared_at: datetime | None
    discussed: str
    decisions: str
    minutes_at: datetime | None
    minutes_adopted_at: datetime | None
    participants: list[ParticipantOut]
    tasks: list[TaskOut]


class MeetingOut(MeetingSummaryOut):
    agenda: list[ItemOut] = Field(description="Alleen de casussen die u mag zien")


class ScheduledOut(MeetingOut):
    warnings: list[str] = Field(
        description="Waarschuwingen, bijvoorbeeld een late ad-hocbespreking"
    )


def _summary(m: Meeting) -> MeetingSummaryOut:
    return MeetingSummaryOut(
        id=m.pk,
        table=m.table.number,
        kind=m.kind,
        kind_label=m.get_kind_display(),
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        location=m.location,
        video_link=m.video_link,
        chair_type=m.chair_type,
        chair_name=m.chair_name,
        recorded_afterwards=m.recorded_afterwards,
    )


def _item_out(i: AgendaItem) -> ItemOut:
    return ItemOut(
        id=i.pk,
        reference=i.case.reference,
        position=i.position,
        shared_at=i.shared_at,
        discussed=i.discussed,
        decisions=i.decisions,
        minutes_at=i.minutes_at,
        minutes_adopted_at=i.minutes_adopted_at,
        participants=[
            ParticipantOut(
                id=p.pk,
                kind=p.kind,
                organisation_id=p.organisation_id,
                person_name=p.person_name,
                has_mandate=p.has_mandate,
            )
            for p in i.participants.all()
        ],
        tasks=[
            TaskOut(
                id=t.pk,
                description=t.description,
                organisation_id=t.organisation_id,
                due_on=t.due_on,
                done_at=t.done_at,
            )
            for t in i.tasks.all()
        ],
    )


def _meeting_out(
    request: HttpRequest, meeting: Meeting, membership: Membership, action: str
) -> MeetingOut:
    """The meeting with the cases the reader may see, one access-log row per case shown."""
    user = current_user(request)
    items = readable_items(user, meeting)
    for item in items:
        _log_case(user, membership, item.case, action, f"bespreking {meeting.pk}")
    return MeetingOut(**_summary(meeting).dict(), agenda=[_item_out(i) for i in items])


@router.get(
    "/meetings",
    response=MeetingPageOut,
    summary="Besprekingen van uw tafels, nieuwste eerst (zonder casusgegevens)",
)
def meeting_list(request: HttpRequest, paging_query: Query[PageQuery]):
    actor = request_actor(request)
    tables = actor.table_ids(Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER)
    meetings: QuerySet[Meeting] = Meeting.objects.filter(table_id__in=tables).select_related(
        "table"
    )
    page = api_page(meetings, paging_query, field="starts_at")
    return MeetingPageOut(items=[_summary(m) for m in page.rows], **paging(request, page))


class MeetingIn(Schema):
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime
    chair_type: ChairType
    chair_name: str = Field("", max_length=200)
    location: str = Field("", max_length=200)
    video_link: str = Field("", max_length=200, description="https-adres van de videoverbinding")
    cases: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Referenties van casussen van uw tafel (toegelaten, plan of follow-up)",
    )
    recorded_afterwards: bool = Field(
        False, description="De bespreking heeft al plaatsgevonden (begin in het verleden)"
    )


def _coordinator(request: HttpRequest) -> Membership:
    actor = request_actor(request)
    coordinator = actor.membership_for(role=Role.COORDINATOR)
    if coordinator is None or coordinator.table is None:
        access_log_write(
            actor=actor,
            action=Action.CREATE,
            outcome=Outcome.DENIED,
            channel="api",
            detail="bespreking plannen",
        )
        raise NotAllowed("Alleen de coördinator van een tafel plant besprekingen.")
    return coordinator


def _coordinator_first() -> list[object]:
    def check(request: HttpRequest) -> None:
        request.vangnet_coordinator = _coordinator(request)  # type: ignore[attr-defined]

    return auth_then(check)


@router.post(
    "/meetings",
    response={201: ScheduledOut},
    summary="Bespreking plannen of achteraf vastleggen (coördinator)",
    auth=_coordinator_first(),
)
def meeting_schedule(request: HttpRequest, payload: MeetingIn):
    coordinator: Membership = getattr(request, "vangnet_coordinator", None) or _coordinator(request)
    assert coordinator.table is not None
    user = current_user(request)
    candidates = {
        c.reference: c
        for c in agenda_candidates(coordinator.table).filter(reference__in=payload.cases)
    }
    errors = [
        DomainError(
            f"Casus {ref} kan niet op de agenda van uw tafel (onbekend, andere tafel of niet in "
            "voorbereiding, plan of follow-up).",
            field="cases",
        )
        for ref in payload.cases
        if ref not in candidates
    ]
    if payload.video_link and not payload.video_link.startswith("https://"):
        errors.append(DomainError("Een videolink begint met https://.", field="video_link"))
    raise_all(errors)
    cases = [candidates[ref] for ref in dict.fromkeys(payload.cases)]
    meeting, warnings = services.meeting_schedule(
        table=coordinator.table,
        actor=user,
        membership=coordinator,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        chair_type=payload.chair_type,
        chair_name=payload.chair_name,
        location=payload.location,
        video_link=payload.video_link,
        cases=cases,
        recorded_afterwards=payload.recorded_afterwards,
    )
    for case in cases:  # each case put on the agenda is a change to that case
        _log_case(user, coordinator, case, Action.UPDATE, f"agenda bespreking {meeting.pk}")
    out = ScheduledOut(
        **_summary(meeting).dict(),
        warnings=warnings,
        agenda=[_item_out(i) for i in meeting.items.select_related("case")],
    )
    return Status(201, out)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="Bespreking inzien")
def meeting_detail(request: HttpRequest, meeting_id: Id):
    meeting, membership = _meeting_for(request, meeting_id, change=False)
    return _meeting_out(request, meeting, membership, Action.READ)


class AgendaIn(Schema):
    reference: str = Field(..., max_length=20)


@router.post(
    "/meetings/{meeting_id}/agenda",
    response=MeetingOut,
    summary="Casus op de agenda zetten (coördinator)",
    auth=_meeting_change_first(),
)
def agenda_add(request: HttpRequest, meeting_id: Id, payload: AgendaIn):
    meeting, membership = _meeting_for(request, meeting_id, change=True)
    case = agenda_candidates(meeting.table, meeting).filter(reference=payload.reference).first()
    if case is None:
        raise DomainError(
            f"Casus {payload.reference} kan niet op deze agenda (onbekend, andere tafel, al "
            "geagendeerd of niet in voorbereiding, plan of follow-up).",
            field="reference",
        )
    user = current_user(request)
    _log_case(user, membership, case, Action.UPDATE, f"agenda bespreking {meeting.pk}")
    services.agenda_add(meeting=meeting, case=case, actor=user, membership=membership)
    return _meeting_out(request, meeting, membership, Action.READ)


class ParticipantIn(Schema):
    kind: ParticipantKind
    person_name: str = Field(..., max_length=200)
    organisation_id: Id | None = None
    has_mandate: bool = False


@router.post(
    "/meetings/{meeting_id}/items/{item_id}/participants",
    response={201: ParticipantOut},
    summary="Deelnemer aan de bespreking van een casus toevoegen (coördinator)",
    auth=_meeting_change_first(),
)
def participant_add(request: HttpRequest, meeting_id: Id, item_id: Id, payload: ParticipantIn):
    meeting, membership = _meeting_for(request, meeting_id, change=True)
    item = _item(meeting, item_id)
    user = current_user(request)
    _log_case(user, membership, item.case, Action.UPDATE, f"participant bespreking {meeting.pk}")
    organisation = organisations_by_id({"organisation_id": payload.organisation_id})[
        "organisation_id"
    ]
    p = services.participant_add(
        item=item,
        actor=user,
        membership=membership,
        kind=payload.kind,
        person_name=payload.person_name,
        organisation=organisation,
        has_mandate=payload.has_mandate,
    )
    return Status(
        201,
        ParticipantOut(
            id=p.pk,
            kind=p.kind,
            organisation_id=p.organisation_id,
            person_name=p.person_name,
            has_mandate=p.has_mandate,
        ),
    )


class TaskIn(Schema):
    description: str = Field(..., max_length=5000)
    organisation_id: Id
    due_on: PlausibleDate
    assignee: str = Field("", max_length=150, description="Gebruikersnaam (optioneel)")


class MinutesIn(Schema):
    discussed: str = Field(..., max_length=5000)
    decisions: str = Field(..., max_length=5000)
    tasks: list[TaskIn] = Field(
        default_factory=list, max_length=30, description="Acties: wie doet wat, wanneer"
    )


@router.post(
    "/meetings/{meeting_id}/items/{item_id}/minutes",
    response=ItemOut,
    summary="Notulen en acties van een casus vastleggen of corrigeren (coördinator)",
    auth=_meeting_change_first(),
)
def minutes_record(request: HttpRequest, meeting_id: Id, item_id: Id, payload: MinutesIn):
    meeting, membership = _meeting_for(request, meeting_id, change=True)
    item = _item(meeting, item_id)
    user = current_user(request)
    _log_case(user, membership, item.case, Action.UPDATE, f"minutes bespreking {meeting.pk}")
    # Every task's organisation and assignee resolved first: each unknown one reported at once.
    orgs = organisations_by_id(
        {f"tasks.{n}.organisation_id": t.organisation_id for n, t in enumerate(payload.tasks)}
    )
    names = {t.assignee for t in payload.tasks if t.assignee}
    users = {u.get_username(): u for u in User.objects.filter(username__in=names)}
    raise_all(
        [
            DomainError(f"Gebruiker {t.assignee} bestaat niet.", field=f"tasks.{n}.assignee")
            for n, t in enumerate(payload.tasks)
            if t.assignee and t.assignee not in users
        ]
    )
    tasks = []
    for n, t in enumerate(payload.tasks):
        organisation = orgs[f"tasks.{n}.organisation_id"]
        assert organisation is not None
        tasks.append(
            services.TaskInput(
                description=t.description,
                organisation=organisation,
                due_on=t.due_on,
                assignee=users.get(t.assignee),
            )
        )
    item = services.minutes_record(
        item=item,
        actor=user,
        membership=membership,
        discussed=payload.discussed,
        decisions=payload.decisions,
        tasks=tasks,
    )
    return _item_out(_item(meeting, item.pk))


@router.post(
    "/meetings/{meeting_id}/items/{item_id}/adopt",
    response=ItemOut,
    summary="Notulen van een casus vaststellen; daarna zijn zij definitief (coördinator)",
    auth=_meeting_change_first(),
)
def minutes_adopt(request: HttpRequest, meeting_id: Id, item_id: Id):
    meeting, membership = _meeting_for(request, meeting_id, change=True)
    item = _item(meeting, item_id)
    user = current_user(request)
    _log_case(user, membership, item.case, Action.UPDATE, f"adopt bespreking {meeting.pk}")
    services.minutes_adopt(item=item, actor=user, membership=membership)
    return _item_out(_item(meeting, item.pk))


@router.post(
    "/cases/{reference}/agenda-items/{item_id}/share",
    response=DoneOut,
    summary="Voorbereide casus vooraf delen met de uitgenodigde partijen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "delen"),
)
def share_prepared(request: HttpRequest, reference: str, item_id: Id):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "delen")
    item = case_object(AgendaItem, item_id, what="Deze agendering", case=case)
    services.case_share_prepared(item=item, actor=current_user(request), membership=membership)
    return done(case, "De voorbereide casus is gedeeld met de uitgenodigde partijen.")


@router.post(
    "/cases/{reference}/tasks/{task_id}/done",
    response=DoneOut,
    summary="Actie afronden (de uitvoerende organisatie of de coördinator)",
    auth=case_auth(Permission.READ, Action.UPDATE, "actie-afgerond"),
)
def task_done(request: HttpRequest, reference: str, task_id: Id):
    case, membership = case_for(
        request, reference, Permission.READ, Action.UPDATE, "actie-afgerond"
    )
    task = case_object(Task, task_id, what="Deze actie", case=case)
    services.task_complete(task=task, actor=current_user(request), membership=membership)
    return done(case, "Actie afgerond.")
