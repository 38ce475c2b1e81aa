"""Writes for meetings: schedule, agenda, participants, sharing prepared cases, minutes and tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.access import invited_with_consent
from vangnet.cases.models import Case
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    case_event,
    enter_state,
    organisation_table_members,
    require_state,
)
from vangnet.cases.workflow import (
    State,
    check_transition,
)
from vangnet.common.dates import dutch_datetime
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text
from vangnet.directory.models import Organisation
from vangnet.meetings.models import AgendaItem, Meeting, Participant, Task
from vangnet.plans.models import (
    Plan,
)
from vangnet.regions.models import Table


@transaction.atomic
def meeting_schedule(
    *,
    table: Table,
    actor: User,
    membership: Membership,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    chair_type: str,
    chair_name: str = "",
    location: str = "",
    video_link: str = "",
    cases: Sequence[Case] = (),
    recorded_afterwards: bool = False,
) -> tuple[Meeting, list[str]]:
    """Schedule a table meeting (or an ad-hoc one for one case). Returns the meeting and warnings.

    With `recorded_afterwards` the meeting has already taken place (by phone, or planned outside
    Vangnet) and is entered so its minutes can be kept: its start then lies in the past, never
    before a case on its agenda was registered."""
    if membership.role != Role.COORDINATOR or membership.table_id != table.pk:
        raise NotAllowed("Alleen de coördinator van deze tafel plant besprekingen.")
    if kind not in Meeting.Kind.values:
        raise DomainError("Kies het soort bespreking.", field="kind")
    if chair_type not in Meeting.Chair.values:
        raise DomainError("Kies het type voorzitterschap.", field="chair_type")
    if recorded_afterwards:
        if starts_at > timezone.now():
            raise DomainError(
                "Een bespreking die u achteraf vastlegt, is al begonnen: kies een begin in het "
                "verleden, of plan haar gewoon.",
                field="starts_at",
            )
        for case in cases:
            if starts_at < case.registered_at:
                raise DomainError(
                    f"Casus {case.reference} was op dat moment nog niet aangemeld.",
                    field="starts_at",
                )
    elif starts_at <= timezone.now():
        raise DomainError(
            "Een bespreking kan niet in het verleden worden gepland. Heeft zij al "
            "plaatsgevonden? Kies dan 'achteraf vastleggen'.",
            field="starts_at",
        )
    if ends_at <= starts_at:
        raise DomainError("De bespreking moet eindigen na het begin.", field="ends_at")
    if not location.strip() and not video_link.strip():
        raise DomainError("Vermeld een plaats of een videolink.", field="location")
    overlap = (
        Meeting.objects.select_for_update()
        .filter(table=table, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .first()
    )
    if overlap is not None:
        raise DomainError(
            f"Deze bespreking overlapt met een andere bespreking van de tafel ({dutch_datetime(overlap.starts_at)}).",
            field="starts_at",
        )
    if kind == Meeting.Kind.AD_HOC and len(cases) != 1:
        raise DomainError("Een ad-hocbespreking gaat over precies één casus.", field="cases")
    warnings: list[str] = []
    meeting = Meeting.objects.create(
        table=table,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=clean_text(
            location, field="location", label="De plaats", max_length=SHORT, required=False
        ),
        video_link=video_link.strip(),
        chair_type=chair_type,
        chair_name=clean_text(
            chair_name, field="chair_name", label="De voorzitter", max_length=SHORT, required=False
        ),
        created_by=actor,
        recorded_afterwards=recorded_afterwards,
    )
    for case in cases:
        agenda_add(meeting=meeting, case=case, actor=actor, membership=membership)
        if (
            kind == Meeting.Kind.AD_HOC
            and case.admitted_on
            and (timezone.localtime(starts_at).date() - case.admitted_on).days > 7
        ):
            warnings.append(
                f"{case.reference}: de ad-hocbespreking valt later dan een week na toelating (Tien in Twente: binnen een week)."
            )
    return meeting, warnings


@transaction.atomic
def agenda_add(*, meeting: Meeting, case: Case, actor: User, membership: Membership) -> AgendaItem:
    if case.table_id != meeting.table_id:
        raise DomainError(f"Casus {case.reference} hoort niet bij deze tafel.", field="cases")
    require_state(case, State.ADMITTED, State.PLAN, State.FOLLOW_UP, action="Agenderen")
    if AgendaItem.objects.filter(meeting=meeting, case=case).exists():
        raise DomainError(f"Casus {case.reference} staat al op de agenda.", field="cases")
    item = AgendaItem.objects.create(meeting=meeting, case=case, position=meeting.items.count() + 1)
    case_event(
        case,
        actor,
        membership,
        "agenda_add",
        f"Geagendeerd voor {dutch_datetime(meeting.starts_at)}",
    )
    return item


@transaction.atomic
def participant_add(
    *,
    item: AgendaItem,
    actor: User,
    membership: Membership,
    kind: str,
    person_name: str,
    organisation: Organisation | None = None,
    has_mandate: bool = False,
) -> Participant:
    if kind not in Participant.Kind.values:
        raise DomainError("Kies het soort deelnemer.", field="kind")
    if kind == Participant.Kind.ORGANISATION and organisation is None:
        raise DomainError("Kies de organisatie van de deelnemer.", field="organisation")
    return Participant.objects.create(
        item=item,
        kind=kind,
        organisation=organisation,
        has_mandate=has_mandate,
        person_name=clean_text(
            person_name,
            field="person_name",
            label="De naam van de deelnemer",
            max_length=SHORT,
            required=True,
        ),
    )


@transaction.atomic
def case_share_prepared(*, item: AgendaItem, actor: User, membership: Membership) -> AgendaItem:
    """Share the prepared case (timeline, parties, questions) with invited parties before the meeting."""
    case = item.case
    if item.meeting.starts_at <= timezone.now():
        raise DomainError("De bespreking is al begonnen; delen vooraf is niet meer mogelijk.")
    invited = [
        p
        for p in case.parties.filter(invited_at__isnull=False)
        if invited_with_consent(case, p.organisation_id)
    ]
    if not invited:
        raise DomainError("Nodig eerst minstens één partij uit waarvoor toestemming is vastgelegd.")
    if not case.questions.exists():
        raise DomainError("Zet eerst de vragen voor de bespreking klaar.")
    item.shared_at = timezone.now()
    item.save(update_fields=["shared_at"])
    case_event(
        case,
        actor,
        membership,
        "share_prepared",
        f"Voorbereide casus gedeeld met {len(invited)} partij(en)",
    )
    for party in invited:
        notification_send(
            users=organisation_table_members(case, party.organisation_id),
            subject=f"Voorbereiding casus {case.reference} staat klaar",
            body=f"De tijdlijn en de vragen voor de bespreking van {dutch_datetime(item.meeting.starts_at)} staan klaar in Vangnet.",
            case_reference=case.reference,
        )
    return item


@dataclass(frozen=True)
class TaskInput:
    description: str
    organisation: Organisation
    due_on: date
    assignee: User | None = None


@transaction.atomic
def minutes_record(
    *,
    item: AgendaItem,
    actor: User,
    membership: Membership,
    discussed: str,
    decisions: str,
    tasks: Sequence[TaskInput] = (),
) -> AgendaItem:
    """Minutes per case: what was discussed, decisions, who does what by when (any number of
    actions). Minutes can be corrected, and actions added, until they are adopted."""
    case = Case.objects.select_for_update().get(pk=item.case_id)
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if item.meeting.starts_at > timezone.now():
        raise DomainError("Notulen kunnen pas tijdens of na de bespreking worden vastgelegd.")
    if item.minutes_adopted_at is not None:
        raise DomainError("Deze notulen zijn vastgesteld en kunnen niet meer worden gewijzigd.")
    first = item.minutes_at is None
    item.discussed = clean_text(
        discussed, field="discussed", label="Wat is besproken", max_length=LONG, required=True
    )
    item.decisions = clean_text(
        decisions, field="decisions", label="De besluiten", max_length=LONG, required=True
    )
    item.minutes_by = actor
    item.minutes_at = timezone.now()
    item.save()
    for t in tasks:
        if t.due_on < timezone.localdate():
            raise DomainError("Een actie kan geen einddatum in het verleden hebben.", field="tasks")
        Task.objects.create(
            case=case,
            agenda_item=item,
            organisation=t.organisation,
            assignee=t.assignee,
            due_on=t.due_on,
            description=clean_text(
                t.description, field="tasks", label="De actie", max_length=LONG, required=True
            ),
        )
    if first:
        case_event(case, actor, membership, "minutes", "Notulen vastgelegd")
    else:
        case_event(case, actor, membership, "minutes_edit", "Notulen gewijzigd")
    if case.state == State.ADMITTED:
        check_transition("plan_start", case.state)
        enter_state(case, State.PLAN, actor=actor, role=membership.role, transition="plan_start")
        Plan.objects.get_or_create(case=case)
    return item


@transaction.atomic
def minutes_adopt(*, item: AgendaItem, actor: User, membership: Membership) -> AgendaItem:
    """The coordinator adopts the minutes of one case: from now on they are final."""
    item = AgendaItem.objects.select_for_update().select_related("meeting", "case").get(pk=item.pk)
    if membership.role != Role.COORDINATOR or membership.table_id != item.meeting.table_id:
        raise NotAllowed("Alleen de coördinator van deze tafel stelt notulen vast.")
    if item.minutes_at is None:
        raise DomainError("Leg eerst de notulen vast.")
    if item.minutes_adopted_at is not None:
        raise DomainError("Deze notulen zijn al vastgesteld.")
    item.minutes_adopted_at = timezone.now()
    item.minutes_adopted_by = actor
    item.save(update_fields=["minutes_adopted_at", "minutes_adopted_by"])
    case_event(item.case, actor, membership, "minutes_adopt", "Notulen vastgesteld")
    return item


@transaction.atomic
def task_complete(*, task: Task, actor: User, membership: Membership) -> Task:
    if task.done_at is not None:
        raise DomainError("Deze actie is al afgerond.")
    if membership.organisation_id != task.organisation_id and membership.role != Role.COORDINATOR:
        raise NotAllowed("Alleen de uitvoerende organisatie of de coördinator rondt een actie af.")
    task.done_at = timezone.now()
    task.save(update_fields=["done_at", "updated_at"])
    return task
