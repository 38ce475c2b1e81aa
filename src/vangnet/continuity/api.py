"""Continuity of care over the API: the GP practice, the crisis card, the medication overview,
contact persons, warm handovers and letters to the GP, permission-checked exactly as the case
page (the coordinator of the case's table writes; who may read the plan reads).

Each endpoint calls `case_access` once: one access-log row per request, "denied" included. The
permission is checked before the body is read, so an unauthorised call with a bad body is a 403.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.cases.selectors import case_by_reference
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.directory.models import Organisation

from . import selectors, services
from .models import ContactPerson, CrisisCard, GpLetter, Handover, MedicationLine

router = Router(tags=["continuïteit"])

Short = Field(..., min_length=1, max_length=200)
Long = Field(..., min_length=1, max_length=5000)


def _access(
    request: HttpRequest, reference: str, permission: Permission, action: str
) -> tuple[Case, Membership]:
    checked = getattr(request, "vangnet_case_access", None)
    if checked is not None:  # checked and logged before the body was read
        return checked
    case = case_by_reference(reference)
    actor = request_actor(request)
    membership = case_access(
        actor, case, permission=permission, action=action, channel="api", detail="continuïteit"
    )
    return case, membership


def _first(permission: Permission, action: str) -> list[object]:
    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        request.vangnet_case_access = _access(request, reference, permission, action)  # type: ignore[attr-defined]

    return auth_then(check)


MANAGE = _first(Permission.MANAGE, Action.UPDATE)


# --- schemas ----------------------------------------------------------------------------------


class CardContactIO(Schema):
    who: str = Field(..., max_length=200)
    phone: str = Field(..., max_length=30)
    hours: str = Field(..., max_length=200, description="Bereikbaar, bijv. 'dag en nacht'")


class CrisisCardIn(Schema):
    early_signs: str = Long
    what_helps: str = Long
    client_words: str = Field("", max_length=5000, description="In de woorden van de cliënt")
    contacts: list[CardContactIO] = Field(..., max_length=services.MAX_CARD_CONTACTS)
    review_on: date = Field(..., description="Herzien uiterlijk (na vandaag, binnen twee jaar)")
    share_with_gp: bool = Field(
        False, description="Delen met de huisarts: alleen met geldige toestemming voor de praktijk"
    )


class CrisisCardOut(Schema):
    version: int
    early_signs: str
    what_helps: str
    client_words: str
    contacts: list[CardContactIO]
    review_on: date
    review_overdue: bool
    share_with_gp: bool
    recorded_at: datetime


class GpIn(Schema):
    practice_id: int = Field(..., description="Organisatie van het type huisartsenpraktijk")
    gp_name: str = Field("", max_length=200)


class GpOut(Schema):
    practice_id: int | None
    practice: str
    gp_name: str
    consent: bool


class MedicationOverviewIn(Schema):
    somatic_screening_by: str = Short
    pharmaceutical_care_by: str = Short
    review_on: date


class MedicationLineIn(Schema):
    medicine: str = Short
    dose_amount: Decimal = Field(..., description="Dosis per keer (groter dan nul)")
    dose_unit: Literal["mg", "g", "microgram", "ml", "iu", "piece"]
    frequency: str = Field(..., min_length=1, max_length=100)
    prescriber: str = Short
    since: date
    checked_on: date


class MedicationLineOut(Schema):
    id: int
    medicine: str
    dose_amount: Decimal
    dose_unit: str
    frequency: str
    prescriber: str
    since: date
    checked_on: date
    stopped_on: date | None
    stop_reason: str


class MedicationStopIn(Schema):
    stopped_on: date
    reason: str = Field(..., min_length=1, max_length=300)


class MedicationOut(Schema):
    somatic_screening_by: str
    pharmaceutical_care_by: str
    review_on: date
    review_overdue: bool
    lines: list[MedicationLineOut]


class ContactIn(Schema):
    audience: Literal["client", "gp"]
    name: str = Short
    organisation: str = Short
    phone: str = Field(..., min_length=1, max_length=30)
    reachable: str = Short
    until: str = Field(..., min_length=1, max_length=300)


class ContactOut(ContactIn):
    recorded_at: datetime


class HandoverIn(Schema):
    kind: Literal["gp", "social_domain", "other"]
    handed_over_by: str = Short
    taken_over_by: str = Short
    taken_over_organisation_id: int
    spoke_on: date
    agreed_aftercare: str = Long
    corrects_id: int | None = Field(None, description="De overdracht die deze corrigeert")


class HandoverOut(Schema):
    id: int
    kind: str
    handed_over_by: str
    taken_over_by: str
    taken_over_organisation: str
    spoke_on: date
    agreed_aftercare: str
    corrects_id: int | None
    recorded_at: datetime


class GpLetterIn(Schema):
    event: Literal["admitted", "planned", "closed"]


class GpLetterOut(Schema):
    id: int
    event: str
    event_label: str
    practice: str
    delivery: str
    created_at: datetime
    pdf: str = Field(..., description="Adres van de brief als pdf (API)")


class ContinuityOut(Schema):
    gp: GpOut
    crisis_card: CrisisCardOut | None
    medication: MedicationOut | None
    contacts: list[ContactOut]
    handovers: list[HandoverOut]
    letters: list[GpLetterOut]
    warnings: list[str]


# --- conversions ------------------------------------------------------------------------------


def _card(card: CrisisCard, today: date) -> CrisisCardOut:
    return CrisisCardOut(
        version=card.version,
        early_signs=card.early_signs,
        what_helps=card.what_helps,
        client_words=card.client_words,
        contacts=[CardContactIO(**c) for c in card.contacts],
        review_on=card.review_on,
        review_overdue=card.review_on < today,
        share_with_gp=card.share_with_gp,
        recorded_at=card.recorded_at,
    )


def _line(line: MedicationLine) -> MedicationLineOut:
    return MedicationLineOut(
        id=line.pk,
        medicine=line.medicine,
        dose_amount=line.dose_amount,
        dose_unit=line.dose_unit,
        frequency=line.frequency,
        prescriber=line.prescriber,
        since=line.since,
        checked_on=line.checked_on,
        stopped_on=line.stopped_on,
        stop_reason=line.stop_reason,
    )


def _contact(c: ContactPerson) -> ContactOut:
    return ContactOut(
        audience=c.audience,  # type: ignore[arg-type]
        name=c.name,
        organisation=c.organisation,
        phone=c.phone,
        reachable=c.reachable,
        until=c.until,
        recorded_at=c.recorded_at,
    )


def _handover(h: Handover) -> HandoverOut:
    return HandoverOut(
        id=h.pk,
        kind=h.kind,
        handed_over_by=h.handed_over_by,
        taken_over_by=h.taken_over_by,
        taken_over_organisation=str(h.taken_over_organisation),
        spoke_on=h.spoke_on,
        agreed_aftercare=h.agreed_aftercare,
        corrects_id=h.corrects_id,
        recorded_at=h.recorded_at,
    )


def _letter(request: HttpRequest, letter: GpLetter) -> GpLetterOut:
    from django.urls import reverse

    return GpLetterOut(
        id=letter.pk,
        event=letter.event,
        event_label=letter.get_event_display(),
        practice=str(letter.practice),
        delivery=letter.delivery,
        created_at=letter.created_at,
        pdf=reverse("api:continuity_letter_pdf", args=[letter.pk]),
    )


def _organisation(pk: int, field: str) -> Organisation:
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise DomainError("Deze organisatie bestaat niet.", field=field)
    return org


# --- endpoints --------------------------------------------------------------------------------


@router.get(
    "/cases/{reference}",
    response=ContinuityOut,
    summary="Crisiskaart, medicatie, contactpersonen, overdrachten en huisartsbrieven van een casus",
    auth=_first(Permission.READ, Action.READ),
)
def read_continuity(request: HttpRequest, reference: str):
    case, membership = _access(request, reference, Permission.READ, Action.READ)
    c = selectors.case_continuity(case)
    today = timezone.localdate()
    # The letters (with their PDF) are for the coordinator who sends them; the GP reads them
    # through /gp-letters. Other readers of the plan see that the GP was informed, not the letter.
    manages = membership.role == Role.COORDINATOR and membership.table_id == case.table_id
    return ContinuityOut(
        gp=GpOut(
            practice_id=c.practice.pk if c.practice else None,
            practice=str(c.practice or ""),
            gp_name=c.gp.gp_name if c.gp else "",
            consent=c.gp_consent,
        ),
        crisis_card=_card(c.card, today) if c.card else None,
        medication=MedicationOut(
            somatic_screening_by=c.medication.somatic_screening_by,
            pharmaceutical_care_by=c.medication.pharmaceutical_care_by,
            review_on=c.medication.review_on,
            review_overdue=c.medication.review_on < today,
            lines=[_line(line) for line in c.lines],
        )
        if c.medication
        else None,
        contacts=[_contact(x) for x in c.contacts.values()],
        handovers=[_handover(h) for h in c.handovers],
        letters=[_letter(request, x) for x in c.letters] if manages else [],
        warnings=c.warnings,
    )


@router.put(
    "/cases/{reference}/gp", response=GpOut, summary="Huisartsenpraktijk vastleggen", auth=MANAGE
)
def set_gp(request: HttpRequest, reference: str, payload: GpIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    gp = services.gp_set(
        case=case,
        actor=current_user(request),
        membership=membership,
        practice=_organisation(payload.practice_id, "practice_id"),
        gp_name=payload.gp_name,
    )
    return GpOut(
        practice_id=gp.practice_id,
        practice=str(gp.practice),
        gp_name=gp.gp_name,
        consent=selectors.gp_consent(case, gp.practice_id),
    )


@router.post(
    "/cases/{reference}/crisis-card",
    response={201: CrisisCardOut},
    summary="Crisiskaart vastleggen (nieuwe versie; eerdere versies blijven)",
    auth=MANAGE,
)
def save_crisis_card(request: HttpRequest, reference: str, payload: CrisisCardIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    card = services.crisis_card_save(
        case=case,
        actor=current_user(request),
        membership=membership,
        early_signs=payload.early_signs,
        what_helps=payload.what_helps,
        client_words=payload.client_words,
        contacts=[services.CardContact(c.who, c.phone, c.hours) for c in payload.contacts],
        review_on=payload.review_on,
        share_with_gp=payload.share_with_gp,
    )
    return Status(201, _card(card, timezone.localdate()))


class CrisisCardPageOut(PageOut):
    items: list[CrisisCardOut]


@router.get(
    "/cases/{reference}/crisis-card/versions",
    response=CrisisCardPageOut,
    summary="Alle versies van de crisiskaart (nieuwste eerst, per pagina; volg `next`)",
    auth=_first(Permission.READ, Action.READ),
)
def crisis_card_versions(request: HttpRequest, reference: str, paging_query: Query[PageQuery]):
    case, _ = _access(request, reference, Permission.READ, Action.READ)
    today = timezone.localdate()
    # Every version, page by page (keyset on the version number), instead of the newest 100.
    page = api_page(case.crisis_cards.all(), paging_query, field="version")
    return CrisisCardPageOut(
        items=[_card(card, today) for card in page.rows], **paging(request, page)
    )


@router.put(
    "/cases/{reference}/medication",
    response=MedicationOut,
    summary="Medicatieoverzicht: verantwoordelijken voor somatische en farmaceutische zorg, herziening",
    auth=MANAGE,
)
def save_medication(request: HttpRequest, reference: str, payload: MedicationOverviewIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    overview = services.medication_overview_save(
        case=case, actor=current_user(request), membership=membership, **payload.dict()
    )
    return MedicationOut(
        somatic_screening_by=overview.somatic_screening_by,
        pharmaceutical_care_by=overview.pharmaceutical_care_by,
        review_on=overview.review_on,
        review_overdue=overview.review_on < timezone.localdate(),
        lines=[_line(line) for line in overview.lines.all()],
    )


@router.post(
    "/cases/{reference}/medication/lines",
    response={201: MedicationLineOut},
    summary="Medicijn toevoegen (dosis en datums worden gecontroleerd)",
    auth=MANAGE,
)
def add_medication(request: HttpRequest, reference: str, payload: MedicationLineIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    line = services.medication_add(
        case=case, actor=current_user(request), membership=membership, **payload.dict()
    )
    return Status(201, _line(line))


@router.post(
    "/cases/{reference}/medication/lines/{line_id}/stop",
    response=MedicationLineOut,
    summary="Medicijn stoppen (blijft in de geschiedenis)",
    auth=MANAGE,
)
def stop_medication(request: HttpRequest, reference: str, line_id: int, payload: MedicationStopIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    line = MedicationLine.objects.filter(pk=line_id, overview__case=case).first()
    if line is None:
        raise NotFound("Dit medicijn staat niet in het overzicht van deze casus.")
    line = services.medication_stop(
        line=line,
        actor=current_user(request),
        membership=membership,
        stopped_on=payload.stopped_on,
        reason=payload.reason,
    )
    return _line(line)


@router.post(
    "/cases/{reference}/contacts",
    response={201: ContactOut},
    summary="Contactpersoon voor cliënt en naasten of voor de huisarts, tot de volgende stap",
    auth=MANAGE,
)
def add_contact(request: HttpRequest, reference: str, payload: ContactIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    contact = services.contact_person_set(
        case=case, actor=current_user(request), membership=membership, **payload.dict()
    )
    return Status(201, _contact(contact))


@router.post(
    "/cases/{reference}/handovers",
    response={201: HandoverOut},
    summary="Warme overdracht vastleggen (afschalen of terugverwijzen; nooit overschreven)",
    auth=MANAGE,
)
def add_handover(request: HttpRequest, reference: str, payload: HandoverIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    corrects = None
    if payload.corrects_id is not None:
        corrects = Handover.objects.filter(pk=payload.corrects_id, case=case).first()
        if corrects is None:
            raise DomainError("Die overdracht hoort niet bij deze casus.", field="corrects_id")
    handover = services.handover_record(
        case=case,
        actor=current_user(request),
        membership=membership,
        kind=payload.kind,
        handed_over_by=payload.handed_over_by,
        taken_over_by=payload.taken_over_by,
        taken_over_organisation=_organisation(
            payload.taken_over_organisation_id, "taken_over_organisation_id"
        ),
        spoke_on=payload.spoke_on,
        agreed_aftercare=payload.agreed_aftercare,
        corrects=corrects,
    )
    return Status(201, _handover(handover))


@router.post(
    "/cases/{reference}/gp-letters",
    response={201: GpLetterOut},
    summary="Brief aan de huisarts maken (alleen met toestemming van de cliënt)",
    auth=MANAGE,
)
def create_gp_letter(request: HttpRequest, reference: str, payload: GpLetterIn):
    case, membership = _access(request, reference, Permission.MANAGE, Action.UPDATE)
    letter = services.gp_letter_create(
        case=case,
        actor=current_user(request),
        membership=membership,
        event=payload.event,
        channel="api",
    )
    return Status(201, _letter(request, letter))


@router.get(
    "/gp-letters/{letter_id}/pdf",
    url_name="continuity_letter_pdf",
    summary="Huisartsbrief als pdf (coördinator of huisarts van de praktijk, met toestemming)",
    openapi_extra={
        "responses": {
            200: {
                "description": "De brief (pdf)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def gp_letter_pdf(request: HttpRequest, letter_id: int):
    from .views import letter_reader, render_letter_pdf

    letter = GpLetter.objects.select_related("case__table", "practice").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("Deze brief bestaat niet.")
    actor = request_actor(request)
    membership = letter_reader(actor, letter)
    access_log_write(
        actor=actor,
        action=Action.EXPORT,
        outcome=Outcome.ALLOWED if membership else Outcome.DENIED,
        case_id=letter.case_id,
        case_reference=letter.case.reference,
        membership=membership,
        channel="api",
        detail=f"huisartsbrief {letter.pk} als pdf",
    )
    if membership is None:
        raise NotAllowed()
    response = HttpResponse(render_letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="huisartsbrief-{letter.case.reference}-{letter.event}.pdf"'
    )
    return response
