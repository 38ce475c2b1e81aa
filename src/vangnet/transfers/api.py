"""The transfer mechanism over the API: capacity, candidates, screening, proposals and transfer
steps. The same services and access rules as the pages (every read of a candidate logged with
channel "api", refusals 403 with a denied row); bad input is a 4xx problem+json in Dutch; lists
are keyset pages (follow `next`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vangnet.accounts.selectors import Actor, request_actor
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed, NotFound, TooLarge
from vangnet.common.schema import MunicipalityCode, PlausibleDate

from . import access, proposals, selectors, services
from .forms import MAX_CSV_BYTES
from .models import (
    Candidate,
    CandidateState,
    Capacity,
    FinancingRegime,
    Proposal,
    ProposalLine,
    Transfer,
    Urgency,
)

router = Router(tags=["transfers"])
API = "api"

Kind = Literal["province", "veiligheidsregio", "table"]


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


# --- schemas ----------------------------------------------------------------------------------


class CapacityIn(Schema):
    location_id: int = Field(..., description="Nummer van de locatie op de sociale kaart")
    diagnosis_group: str = Field(..., min_length=1, max_length=40, description="Code, bijv. angst")
    week: PlausibleDate
    free_slots: int = Field(..., description="Vrije intakeplekken in die week (0 tot 500)")
    expected_wait_weeks: int = Field(..., description="Verwachte wachttijd tot intake (weken)")
    valid_until: PlausibleDate


class CapacityOut(Schema):
    id: int
    location_id: int
    location: str
    diagnosis_group: str
    week: date
    free_slots: int
    free_left: int
    expected_wait_weeks: int
    valid_until: date
    published_at: datetime
    stale: bool


class CapacityPageOut(PageOut):
    items: list[CapacityOut]


class CandidateIn(Schema):
    consent: bool = Field(..., description="De cliënt gaf toestemming om te delen")
    consent_given_on: PlausibleDate | None = None
    municipality_code: MunicipalityCode
    diagnosis_group: str = Field(..., min_length=1, max_length=40)
    waiting_for: str = Field(..., min_length=1, max_length=200)
    waiting_since: PlausibleDate
    birth_date: PlausibleDate
    expected_home_wait_weeks: int = Field(12, description="Verwachte resterende wachttijd (weken)")
    financing: Literal["zvw", "wlz", "forensic"] = FinancingRegime.ZVW.value  # type: ignore[assignment]
    urgency: Literal["regular", "high"] = Urgency.REGULAR.value  # type: ignore[assignment]
    current_provider_id: int | None = None
    current_location_id: int | None = None
    provider_reference: str = Field("", max_length=40)
    insurer_id: int | None = None
    travel_radius_km: int = 35
    ehealth_ok: bool = False
    neighbouring_regions_ok: bool = False
    refused_provider_ids: list[int] = Field(default_factory=list, max_length=100)
    preferred_provider_id: int | None = None
    contact_name: str = Field("", max_length=120)
    contact_phone: str = Field("", max_length=30)
    organisation_id: int | None = Field(None, description="Namens welke organisatie")


class CandidateOut(Schema):
    reference: str
    state: str
    state_label: str
    region_kind: str
    region_code: str
    diagnosis_group: str
    waiting_for: str
    waiting_since: date
    urgency: str
    financing: str
    municipality_code: str
    travel_radius_km: int
    ehealth_ok: bool
    neighbouring_regions_ok: bool
    put_forward_as: str
    put_forward_organisation: str
    screened: bool
    waiting_at_preferred_since: date | None


class CandidatePageOut(PageOut):
    items: list[CandidateOut]


class ScreeningIn(Schema):
    suitable: bool
    note: str = Field("", max_length=2000)


class LineOut(Schema):
    id: int
    candidate: str
    location_id: int | None
    location: str | None
    capacity_id: int | None
    days_saved: float
    distance_km: float | None
    cost: int
    decision: str


class ProposalOut(Schema):
    id: int
    region_kind: str
    region_code: str
    state: str
    created_at: datetime
    objective: int = Field(..., description="Tiende dagen wachten boven de norm plus reiskosten")
    greedy_objective: int
    stay_objective: int
    certificate_ok: bool
    candidate_count: int
    lines: list[LineOut]


class ChangeIn(Schema):
    capacity_id: int


class TransferEventOut(Schema):
    at: datetime
    from_state: str
    to_state: str
    note: str


class TransferOut(Schema):
    id: int
    candidate: str
    state: str
    state_label: str
    receiving_location_id: int
    receiving_location: str
    offered_at: datetime | None
    answer_due: date | None
    intake_due: date | None
    intake_date: date | None
    intake_done_on: date | None
    days_saved: float
    zorgbemiddeling: str | None
    zorgbemiddeling_note: str
    events: list[TransferEventOut]


class TransferPageOut(PageOut):
    items: list[TransferOut]


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class TransferAnswerIn(Schema):
    accepted: bool
    reason: str = Field("", max_length=2000)


class TransferContactIn(Schema):
    spoke_with: str = Field(..., min_length=1, max_length=200)
    spoke_on: PlausibleDate
    note: str = Field("", max_length=2000)


class IntakeIn(Schema):
    intake_date: PlausibleDate


class IntakeDoneIn(Schema):
    on: PlausibleDate | None = None


class TransferReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


# --- converters -------------------------------------------------------------------------------


def _capacity_out(row: selectors.CapacityRow) -> CapacityOut:
    c = row.capacity
    return CapacityOut(
        id=c.pk,
        location_id=c.location_id,
        location=str(c.location),
        diagnosis_group=c.diagnosis_group.code,
        week=c.week,
        free_slots=c.free_slots,
        free_left=row.left,
        expected_wait_weeks=c.expected_wait_weeks,
        valid_until=c.valid_until,
        published_at=c.published_at,
        stale=row.stale,
    )


def _candidate_out(c: Candidate) -> CandidateOut:
    return CandidateOut(
        reference=c.reference,
        state=c.state,
        state_label=str(CandidateState(c.state).label),
        region_kind=c.region_kind,
        region_code=c.region_code,
        diagnosis_group=c.diagnosis_group.code,
        waiting_for=c.waiting_for,
        waiting_since=c.waiting_since,
        urgency=c.urgency,
        financing=c.financing,
        municipality_code=c.municipality.code,
        travel_radius_km=c.travel_radius_km,
        ehealth_ok=c.ehealth_ok,
        neighbouring_regions_ok=c.neighbouring_regions_ok,
        put_forward_as=c.put_forward_as,
        put_forward_organisation=c.put_forward_organisation.name,
        screened=c.screened_at is not None,
        waiting_at_preferred_since=c.waiting_at_preferred_since,
    )


def _proposal_out(p: Proposal) -> ProposalOut:
    lines = p.lines.select_related("candidate", "location__organisation")
    return ProposalOut(
        id=p.pk,
        region_kind=p.region_kind,
        region_code=p.region_code,
        state=p.state,
        created_at=p.created_at,
        objective=p.objective,
        greedy_objective=p.greedy_objective,
        stay_objective=p.stay_objective,
        certificate_ok=p.certificate_ok,
        candidate_count=p.candidate_count,
        lines=[
            LineOut(
                id=line.pk,
                candidate=line.candidate.reference,
                location_id=line.location_id,
                location=str(line.location) if line.location else None,
                capacity_id=line.capacity_id,
                days_saved=line.days_saved,
                distance_km=line.distance_km if line.location_id else None,
                cost=line.cost,
                decision=line.decision,
            )
            for line in lines
        ],
    )


def _transfer_out(t: Transfer) -> TransferOut:
    from .models import TransferState

    return TransferOut(
        id=t.pk,
        candidate=t.candidate.reference,
        state=t.state,
        state_label=str(TransferState(t.state).label),
        receiving_location_id=t.receiving_location_id,
        receiving_location=str(t.receiving_location),
        offered_at=t.offered_at,
        answer_due=t.answer_due,
        intake_due=t.intake_due,
        intake_date=t.intake_date,
        intake_done_on=t.intake_done_on,
        days_saved=t.days_saved,
        zorgbemiddeling=t.zorgbemiddeling.name if t.zorgbemiddeling else None,
        zorgbemiddeling_note=t.zorgbemiddeling_note,
        events=[
            TransferEventOut(at=e.at, from_state=e.from_state, to_state=e.to_state, note=e.note)
            for e in t.events.all()
        ],
    )


def _candidate(reference: str) -> Candidate:
    c = selectors.candidate_by_reference(reference)
    if c is None:
        raise NotFound("Deze transferkandidaat bestaat niet.")
    return c


def _line(pk: int) -> ProposalLine:
    line = ProposalLine.objects.select_related("proposal", "candidate").filter(pk=pk).first()
    if line is None:
        raise NotFound("Deze voorstelregel bestaat niet.")
    return line


def _transfer_fresh(pk: int) -> TransferOut:
    return _transfer_out(services.transfer_get(pk))


# --- capacity ---------------------------------------------------------------------------------


@router.get("/capacity", response=CapacityPageOut, summary="Capaciteit van uw eigen locaties")
def capacity_list(request: HttpRequest, paging_query: Query[PageQuery]):
    actor = _actor(request)
    if not access.capacity_memberships(actor):
        access.log_denied(actor, action=Action.LIST, channel=API, detail="capaciteit")
        raise NotAllowed("Alleen de datafunctionaris of manager van een aanbieder ziet dit.")
    qs = Capacity.objects.filter(location__in=selectors.own_locations(actor)).select_related(
        "location__organisation", "diagnosis_group"
    )
    page = api_page(qs, paging_query, field="published_at")
    left = proposals.capacity_left(page.rows)
    return CapacityPageOut(
        items=[
            _capacity_out(selectors.CapacityRow(r, r.is_stale(), left[r.pk])) for r in page.rows
        ],
        **paging(request, page),
    )


@router.post("/capacity", response={201: list[CapacityOut]}, summary="Capaciteit publiceren")
def capacity_publish(request: HttpRequest, payload: list[CapacityIn]):
    """All rows or none; a new figure for the same location, group and week replaces the old."""
    actor = _actor(request)
    rows = services.capacity_publish(
        actor=actor,
        rows=[services.CapacityInput(**row.dict()) for row in payload],
        channel=API,
    )
    left = proposals.capacity_left(rows)
    return Status(201, [_capacity_out(selectors.CapacityRow(r, False, left[r.pk])) for r in rows])


@router.post(
    "/capacity/upload", response={201: list[CapacityOut]}, summary="Capaciteit als CSV uploaden"
)
def capacity_upload(request: HttpRequest, file: File[UploadedFile]):
    """CSV (UTF-8) with the columns location_id, diagnosis_group, week, free_slots,
    expected_wait_weeks, valid_until. All lines or none: every bad line is reported by number."""
    actor = _actor(request)
    if file.size is None or file.size > MAX_CSV_BYTES:
        raise TooLarge(f"Het bestand is te groot (maximaal {MAX_CSV_BYTES // (1024 * 1024)} MB).")
    rows = services.capacity_import(actor=actor, content=file.read(), channel=API)
    left = proposals.capacity_left(rows)
    return Status(201, [_capacity_out(selectors.CapacityRow(r, False, left[r.pk])) for r in rows])


# --- candidates -------------------------------------------------------------------------------


@router.get("/candidates", response=CandidatePageOut, summary="Transferkandidaten die u mag zien")
def candidate_list(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = _actor(request)
    qs = selectors.visible_candidates(actor)
    if state:
        if state not in CandidateState.values:
            raise DomainError("Onbekende status.", field="state")
        qs = qs.filter(state=state)
    page = api_page(qs, paging_query, field="created_at")
    access_log_write(actor=actor, action=Action.LIST, channel=API, detail="transferkandidaten")
    return CandidatePageOut(items=[_candidate_out(c) for c in page.rows], **paging(request, page))


@router.post("/candidates", response={201: CandidateOut}, summary="Cliënt aandragen voor transfer")
def candidate_create(request: HttpRequest, payload: CandidateIn):
    actor = _actor(request)
    c = services.candidate_put_forward(
        actor=actor, data=services.CandidateInput(**payload.dict()), channel=API
    )
    return Status(201, _candidate_out(_candidate(c.reference)))


@router.get("/candidates/{reference}", response=CandidateOut, summary="Eén transferkandidaat")
def candidate_detail(request: HttpRequest, reference: str):
    actor = _actor(request)
    c = _candidate(reference)
    access.candidate_access(actor, c, action=Action.READ, channel=API)
    return _candidate_out(c)


@router.post(
    "/candidates/{reference}/screening",
    response=CandidateOut,
    summary="Screening (vier ogen) vastleggen",
)
def candidate_screening(request: HttpRequest, reference: str, payload: ScreeningIn):
    actor = _actor(request)
    c = services.candidate_screen(
        actor=actor,
        candidate=_candidate(reference),
        suitable=payload.suitable,
        note=payload.note,
        channel=API,
    )
    return _candidate_out(_candidate(c.reference))


# --- proposals --------------------------------------------------------------------------------


@router.post(
    "/regions/{kind}/{code}/proposals",
    response={201: ProposalOut},
    summary="Voorstel maken voor de regio (transfertafel)",
)
def proposal_create(request: HttpRequest, kind: Kind, code: str):
    actor = _actor(request)
    p = proposals.proposal_run(actor=actor, region=(kind, code[:10]), channel=API)
    return Status(201, _proposal_out(p))


@router.get("/proposals/{pk}", response=ProposalOut, summary="Eén voorstel met zijn regels")
def proposal_detail(request: HttpRequest, pk: int):
    actor = _actor(request)
    p = Proposal.objects.filter(pk=pk).first()
    if p is None:
        raise NotFound("Dit voorstel bestaat niet.")
    membership = access.require_desk_logged(
        actor, (p.region_kind, p.region_code), channel=API, detail="voorstel"
    )
    access_log_write(
        actor=actor,
        action=Action.LIST,
        membership=membership,
        channel=API,
        detail=f"transfervoorstel {p.pk}",
    )
    return _proposal_out(p)


@router.post(
    "/proposal-lines/{pk}/accept", response={201: TransferOut}, summary="Voorstelregel overnemen"
)
def line_accept(request: HttpRequest, pk: int):
    t = proposals.line_accept(actor=_actor(request), line=_line(pk), channel=API)
    return Status(201, _transfer_fresh(t.pk))


@router.post(
    "/proposal-lines/{pk}/change",
    response={201: TransferOut},
    summary="Andere locatie met capaciteit kiezen",
)
def line_change(request: HttpRequest, pk: int, payload: ChangeIn):
    t = proposals.line_change(
        actor=_actor(request), line=_line(pk), capacity_id=payload.capacity_id, channel=API
    )
    return Status(201, _transfer_fresh(t.pk))


@router.post("/proposal-lines/{pk}/drop", response=LineOut, summary="Voorstelregel laten vervallen")
def line_drop(request: HttpRequest, pk: int):
    line = proposals.line_drop(actor=_actor(request), line=_line(pk), channel=API)
    return LineOut(
        id=line.pk,
        candidate=line.candidate.reference,
        location_id=line.location_id,
        location=str(line.location) if line.location else None,
        capacity_id=line.capacity_id,
        days_saved=line.days_saved,
        distance_km=line.distance_km,
        cost=line.cost,
        decision=line.decision,
    )


# --- transfers --------------------------------------------------------------------------------


@router.get("/transfers", response=TransferPageOut, summary="Transfers die u mag zien")
def transfer_list(request: HttpRequest, paging_query: Query[PageQuery]):
    actor = _actor(request)
    qs = selectors.visible_transfers(actor).prefetch_related("events")
    page = api_page(qs, paging_query, field="created_at")
    access_log_write(actor=actor, action=Action.LIST, channel=API, detail="transfers")
    return TransferPageOut(items=[_transfer_out(t) for t in page.rows], **paging(request, page))


@router.get("/transfers/{pk}", response=TransferOut, summary="Eén transfer met zijn geschiedenis")
def transfer_detail(request: HttpRequest, pk: int):
    actor = _actor(request)
    t = services.transfer_get(pk)
    access.candidate_access(actor, t.candidate, action=Action.READ, channel=API, detail="transfer")
    return _transfer_out(t)


@router.post("/transfers/{pk}/offer", response=TransferOut, summary="Aanbieden aan de cliënt")
def transfer_offer(request: HttpRequest, pk: int, payload: NoteIn):
    services.transfer_offer(
        actor=_actor(request), transfer=services.transfer_get(pk), note=payload.note, channel=API
    )
    return _transfer_fresh(pk)


@router.post("/transfers/{pk}/answer", response=TransferOut, summary="Antwoord van de cliënt")
def transfer_answer(request: HttpRequest, pk: int, payload: TransferAnswerIn):
    services.transfer_answer(
        actor=_actor(request),
        transfer=services.transfer_get(pk),
        accepted=payload.accepted,
        reason=payload.reason,
        channel=API,
    )
    return _transfer_fresh(pk)


@router.post(
    "/transfers/{pk}/contacts", response={201: TransferOut}, summary="Overdrachtscontact vastleggen"
)
def transfer_contact(request: HttpRequest, pk: int, payload: TransferContactIn):
    services.handover_contact_record(
        actor=_actor(request),
        transfer=services.transfer_get(pk),
        spoke_with=payload.spoke_with,
        spoke_on=payload.spoke_on,
        note=payload.note,
        channel=API,
    )
    return Status(201, _transfer_fresh(pk))


@router.post("/transfers/{pk}/intake", response=TransferOut, summary="Intakedatum bevestigen")
def transfer_intake(request: HttpRequest, pk: int, payload: IntakeIn):
    services.transfer_intake_plan(
        actor=_actor(request),
        transfer=services.transfer_get(pk),
        intake_date=payload.intake_date,
        channel=API,
    )
    return _transfer_fresh(pk)


@router.post("/transfers/{pk}/intake-done", response=TransferOut, summary="Intake gedaan")
def transfer_intake_done(request: HttpRequest, pk: int, payload: IntakeDoneIn):
    services.transfer_intake_done(
        actor=_actor(request), transfer=services.transfer_get(pk), on=payload.on, channel=API
    )
    return _transfer_fresh(pk)


@router.post(
    "/transfers/{pk}/intake-failed", response=TransferOut, summary="Intake niet doorgegaan"
)
def transfer_intake_failed(request: HttpRequest, pk: int, payload: TransferReasonIn):
    services.transfer_intake_failed(
        actor=_actor(request),
        transfer=services.transfer_get(pk),
        reason=payload.reason,
        channel=API,
    )
    return _transfer_fresh(pk)


@router.post(
    "/transfers/{pk}/zorgbemiddeling",
    response=TransferOut,
    summary="Zorgbemiddeling van de verzekeraar inschakelen",
)
def transfer_zorgbemiddeling(request: HttpRequest, pk: int, payload: NoteIn):
    services.transfer_attach_zorgbemiddeling(
        actor=_actor(request), transfer=services.transfer_get(pk), note=payload.note, channel=API
    )
    return _transfer_fresh(pk)


@router.post(
    "/transfers/{pk}/zorgbemiddeling-note",
    response=TransferOut,
    summary="Vastleggen wat zorgbemiddeling regelde",
)
def transfer_zorgbemiddeling_note(request: HttpRequest, pk: int, payload: NoteIn):
    services.transfer_zorgbemiddeling_record(
        actor=_actor(request), transfer=services.transfer_get(pk), note=payload.note, channel=API
    )
    return _transfer_fresh(pk)
