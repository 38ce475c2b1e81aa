"""The case file over the API, section by section, as the reader may see it on the page
(`casefile.SECTIONS`: an invited organisation does not open the triage or the closure), and the
reader's own notifications.

Each section read writes one access-log row ("dossier <section>", channel api), "denied" when the
reader's role may not open that section or may not read the case at all — as the section pages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from vangnet.accounts.models import Membership
from vangnet.accounts.selectors import (
    current_user,
    notifications_visible_qs,
    request_actor,
)
from vangnet.accounts.services import notification_mark_all_read, notification_mark_read
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.cases import selectors
from vangnet.cases.access import log_list
from vangnet.cases.api import Id
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.common.errors import NotFound
from vangnet.plans.selectors import case_plan
from vangnet.reference import questionnaire as codes

from . import casefile
from .selectors import case_workspace

router = Router(tags=["dossier"])


def section_access(request: HttpRequest, reference: str, slug: str) -> tuple[Case, Membership]:
    """The case if the reader may open section `slug` of its file; logged either way, as the
    section page (`casefile.open_section`)."""
    case = selectors.case_by_reference(reference)
    actor = request_actor(request)
    membership = casefile.open_section(actor, case, casefile.BY_SLUG[slug], channel="api")
    return case, membership


# --- overview -----------------------------------------------------------------------------------


class TermOut(Schema):
    deadline: date
    status: str = Field(description="ok, nearing of overdue")
    suspended: bool
    days_left: int


class OverviewOut(Schema):
    reference: str
    state: str
    state_label: str
    days_in_state: int
    term: TermOut | None
    next_checkin_on: date | None
    checkin_overdue: bool
    open_tasks: int
    overdue_tasks: int
    lead: str
    next_steps: list[str]


def _term(term: object) -> TermOut | None:
    if term is None:
        return None
    return TermOut(
        deadline=term.deadline,  # type: ignore[attr-defined]
        status=term.status,  # type: ignore[attr-defined]
        suspended=term.suspended,  # type: ignore[attr-defined]
        days_left=term.days_left,  # type: ignore[attr-defined]
    )


@router.get(
    "/cases/{reference}/file/overview",
    response=OverviewOut,
    summary="Dossier: overzicht (status, termijn, volgende check-in, open acties, wat nu)",
)
def overview(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "overzicht")
    workspace = case_workspace(case)
    rounds = list(case.triage_rounds.all())
    o = casefile.case_overview(
        case,
        workspace=workspace,
        rounds=rounds,
        now=timezone.now(),
        today=workspace["today"],
    )
    return OverviewOut(
        reference=case.reference,
        state=case.state,
        state_label=str(State(case.state).label),
        days_in_state=o.days_in_state,
        term=_term(o.term),
        next_checkin_on=o.next_checkin_on,
        checkin_overdue=o.checkin_overdue,
        open_tasks=len(o.open_tasks),
        overdue_tasks=o.overdue_tasks,
        lead=o.lead,
        next_steps=o.next_steps,
    )


# --- preparation --------------------------------------------------------------------------------


class TimelineEntryOut(Schema):
    id: int
    date: date
    organisation_name: str
    description: str


class PartyOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    role: str
    contact_name: str
    contact_email: str
    has_mandate: bool
    already_did: str
    invited_at: datetime | None


class ConsentOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    given_by: str
    valid_from: date
    valid_until: date | None
    withdrawn_at: datetime | None


class QuestionOut(Schema):
    id: int
    text: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download: str = Field(description="Het API-adres om het document te downloaden")


class PreparationOut(Schema):
    timeline: list[TimelineEntryOut]
    parties: list[PartyOut]
    consents: list[ConsentOut]
    questions: list[QuestionOut]
    documents: list[DocumentOut]


@router.get(
    "/cases/{reference}/file/preparation",
    response=PreparationOut,
    summary="Dossier: voorbereiding (tijdlijn, partijen, toestemming, vragen, documenten)",
)
def preparation(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "voorbereiding")
    return PreparationOut(
        timeline=[
            TimelineEntryOut(
                id=t.pk,
                date=t.date,
                organisation_name=t.organisation_name,
                description=t.description,
            )
            for t in case.timeline_entries.all()
        ],
        parties=[
            PartyOut(
                id=p.pk,
                organisation_id=p.organisation_id,
                organisation=p.organisation.name,
                role=p.role,
                contact_name=p.contact_name,
                contact_email=p.contact_email,
                has_mandate=p.has_mandate,
                already_did=p.already_did,
                invited_at=p.invited_at,
            )
            for p in case.parties.select_related("organisation")
        ],
        consents=[
            ConsentOut(
                id=c.pk,
                organisation_id=c.organisation_id,
                organisation=c.organisation.name,
                given_by=c.given_by,
                valid_from=c.valid_from,
                valid_until=c.valid_until,
                withdrawn_at=c.withdrawn_at,
            )
            for c in case.consents.select_related("organisation")
        ],
        questions=[QuestionOut(id=q.pk, text=q.text) for q in case.questions.all()],
        documents=[
            DocumentOut(
                id=d.pk,
                name=d.original_name,
                content_type=d.content_type,
                size=d.size,
                uploaded_at=d.uploaded_at,
                download=request.build_absolute_uri(
                    f"/api/v1/cases/{case.reference}/documents/{d.pk}"
                ),
            )
            for d in case.documents.all()
        ],
    )


# --- meetings of the case -----------------------------------------------------------------------


class CaseTaskOut(Schema):
    id: int
    description: str
    organisation_id: int
    organisation: str
    due_on: date
    done_at: datetime | None


class AgendaItemOut(Schema):
    id: int
    meeting_id: int
    meeting_kind: str
    starts_at: datetime
    shared_at: datetime | None
    discussed: str
    decisions: str
    minutes_at: datetime | None
    minutes_adopted_at: datetime | None


class CaseMeetingsOut(Schema):
    agenda_items: list[AgendaItemOut]
    tasks: list[CaseTaskOut]


@router.get(
    "/cases/{reference}/file/meetings",
    response=CaseMeetingsOut,
    summary="Dossier: besprekingen van de casus, notulen en acties (wie doet wat, wanneer)",
)
def meetings(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "besprekingen")
    return CaseMeetingsOut(
        agenda_items=[
            AgendaItemOut(
                id=i.pk,
                meeting_id=i.meeting_id,
                meeting_kind=i.meeting.kind,
                starts_at=i.meeting.starts_at,
                shared_at=i.shared_at,
                discussed=i.discussed,
                decisions=i.decisions,
                minutes_at=i.minutes_at,
                minutes_adopted_at=i.minutes_adopted_at,
            )
            for i in case.agenda_items.select_related("meeting").order_by("meeting__starts_at")
        ],
        tasks=[
            CaseTaskOut(
                id=t.pk,
                description=t.description,
                organisation_id=t.organisation_id,
                organisation=t.organisation.name,
                due_on=t.due_on,
                done_at=t.done_at,
            )
            for t in case.tasks.select_related("organisation")
        ],
    )


# --- the integral plan --------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    domain: str
    domain_label: str
    description: str
    organisation_id: int
    organisation: str
    contact: str
    financing: str
    status: str
    status_label: str
    response_note: str
    confirmed_by_name: str
    confirmed_via: str
    confirmed_on: date | None


class FinancingOut(Schema):
    id: int
    insurer_id: int
    insurer: str
    decision: str
    decision_label: str
    reason: str
    amount: Decimal | None
    duration_months: int | None
    decided_at: datetime | None


class PlanOut(Schema):
    version: int
    regiebehandelaar: str
    regiebehandelaar_organisation_id: int | None
    procesregie: str
    case_director: str = Field(description="Gebruikersnaam van de casusregisseur in Vangnet")
    handover_from: str
    handover_to: str
    handover_on: date | None
    takeover_goals: str
    takeover_return_condition: str
    if_placement_fails: str
    goals: list[GoalOut]
    financing: list[FinancingOut]


@router.get(
    "/cases/{reference}/file/plan",
    response=PlanOut,
    summary="Dossier: het integrale plan met doelen en financiering (404 zolang er geen plan is)",
)
def plan(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "plan")
    p = case_plan(case)
    if p is None:
        raise NotFound("Er is nog geen integraal plan; dat volgt op de bespreking van de casus.")
    return PlanOut(
        version=p.version,
        regiebehandelaar=p.regiebehandelaar,
        regiebehandelaar_organisation_id=p.regiebehandelaar_organisation_id,
        procesregie=p.procesregie,
        case_director=p.case_director.get_username() if p.case_director else "",
        handover_from=p.handover_from,
        handover_to=p.handover_to,
        handover_on=p.handover_on,
        takeover_goals=p.takeover_goals,
        takeover_return_condition=p.takeover_return_condition,
        if_placement_fails=p.if_placement_fails,
        goals=[
            GoalOut(
                id=g.pk,
                domain=g.domain,
                domain_label=g.get_domain_display(),
                description=g.description,
                organisation_id=g.organisation_id,
                organisation=g.organisation.name,
                contact=g.contact,
                financing=g.financing,
                status=g.status,
                status_label=g.get_status_display(),
                response_note=g.response_note,
                confirmed_by_name=g.confirmed_by_name,
                confirmed_via=g.confirmed_via,
                confirmed_on=g.confirmed_on,
            )
            for g in p.goals.all()
        ],
        financing=[
            FinancingOut(
                id=d.pk,
                insurer_id=d.insurer_id,
                insurer=d.insurer.name,
                decision=d.decision,
                decision_label=d.get_decision_display(),
                reason=d.reason,
                amount=d.amount,
                duration_months=d.duration_months,
                decided_at=d.decided_at,
            )
            for d in case.financing_decisions.select_related("insurer")
        ],
    )


# --- follow-up and term -------------------------------------------------------------------------


class ProgressOut(Schema):
    goal_id: int
    progress: str
    note: str


class CheckInOut(Schema):
    id: int
    due_on: date
    done_at: datetime | None
    summary: str
    progress: list[ProgressOut]


class PhaseOut(Schema):
    id: int
    number: int
    starts_on: date
    ends_on: date
    months: int
    focus: str
    checkins: list[CheckInOut]


class SuspensionOut(Schema):
    id: int
    starts_on: date
    planned_end: date | None
    ended_on: date | None
    reason: str


class EscalationOut(Schema):
    id: int
    from_level: int
    to_level: int
    at: datetime
    reason: str
    result: str


class FollowUpOut(Schema):
    escalation_level: int
    term: TermOut | None
    next_checkin_id: int | None
    phases: list[PhaseOut]
    suspensions: list[SuspensionOut]
    escalations: list[EscalationOut]


@router.get(
    "/cases/{reference}/file/follow-up",
    response=FollowUpOut,
    summary="Dossier: follow-up (fasen, check-ins), termijn, opschortingen en escalaties",
)
def follow_up(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "follow-up")
    w = case_workspace(case)
    upcoming = w["next_checkin"]
    return FollowUpOut(
        escalation_level=case.escalation_level,
        term=_term(w["term"]),
        next_checkin_id=upcoming.pk if upcoming is not None else None,
        phases=[
            PhaseOut(
                id=p.pk,
                number=p.number,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                months=p.months,
                focus=p.focus,
                checkins=[
                    CheckInOut(
                        id=c.pk,
                        due_on=c.due_on,
                        done_at=c.done_at,
                        summary=c.summary,
                        progress=[
                            ProgressOut(goal_id=pr.goal_id, progress=pr.progress, note=pr.note)
                            for pr in c.progress.all()
                        ],
                    )
                    for c in p.checkins.all()
                ],
            )
            for p in w["phases"]
        ],
        suspensions=[
            SuspensionOut(
                id=s.pk,
                starts_on=s.starts_on,
                planned_end=s.planned_end,
                ended_on=s.ended_on,
                reason=s.reason,
            )
            for s in case.suspensions.all()
        ],
        escalations=[
            EscalationOut(
                id=e.pk,
                from_level=e.from_level,
                to_level=e.to_level,
                at=e.at,
                reason=e.reason,
                result=e.result,
            )
            for e in case.escalations.all()
        ],
    )


# --- closure ------------------------------------------------------------------------------------


class ClosureOut(Schema):
    state: str
    outcome: str
    outcome_label: str
    offer_accepted: bool | None
    helped_by: list[str]
    obstacles: list[str]
    shortages: list[str]
    note: str
    closed_at: datetime | None


@router.get(
    "/cases/{reference}/file/closure",
    response=ClosureOut,
    summary="Dossier: afsluiting met uitkomst en monitorcodes (tafel en verwijzer)",
)
def closure(request: HttpRequest, reference: str):
    case, _ = section_access(request, reference, "afsluiting")
    return ClosureOut(
        state=case.state,
        outcome=case.outcome,
        outcome_label=dict(codes.OUTCOMES).get(case.outcome, case.outcome),
        offer_accepted=case.offer_accepted,
        helped_by=list(case.helped_by),
        obstacles=list(case.obstacles),
        shortages=list(case.shortages),
        note=case.closure_note,
        closed_at=case.closed_at,
    )


# --- notifications ------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    case_reference: str
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(PageOut):
    items: list[NotificationOut]


class MarkedReadOut(Schema):
    marked_read: int


@router.get(
    "/notifications",
    response=NotificationPageOut,
    summary="Uw meldingen, nieuwste eerst (zonder meldingen over casussen die u niet meer ziet)",
)
def notifications(request: HttpRequest, paging_query: Query[PageQuery], unread: bool = False):
    actor = request_actor(request)
    notes = notifications_visible_qs(actor)
    if unread:
        notes = notes.filter(read_at__isnull=True)
    page = api_page(notes, paging_query, field="created_at")
    # The list carries case references: a list event in the access log (NEN 7513), as the page.
    log_list(actor, channel="api", detail="meldingen")
    return NotificationPageOut(
        items=[
            NotificationOut(
                id=n.pk,
                subject=n.subject,
                body=n.body,
                case_reference=n.case_reference,
                created_at=n.created_at,
                read_at=n.read_at,
            )
            for n in page.rows
        ],
        **paging(request, page),
    )


@router.post(
    "/notifications/{notification_id}/read",
    response=MarkedReadOut,
    summary="Eén eigen melding als gelezen markeren",
)
def notification_read(request: HttpRequest, notification_id: Id):
    user = current_user(request)
    if not user.notifications.filter(pk=notification_id).exists():
        raise NotFound("Deze melding bestaat niet.")
    unread = user.notifications.filter(pk=notification_id, read_at__isnull=True).exists()
    notification_mark_read(user=user, notification_id=notification_id)
    return MarkedReadOut(marked_read=1 if unread else 0)


@router.post(
    "/notifications/read-all",
    response=MarkedReadOut,
    summary="Alle eigen meldingen als gelezen markeren",
)
def notification_read_all(request: HttpRequest):
    return MarkedReadOut(marked_read=notification_mark_all_read(user=current_user(request)))
