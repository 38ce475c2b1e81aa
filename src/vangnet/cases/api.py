"""The registration and triage journey over the API, permission-checked exactly as the pages.

Each endpoint that touches case data calls `case_access` or `log_list` once: one access-log row
per request, "denied" included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import actor_for, current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases.models import Case, CaseParty, Consent, Document
from vangnet.common.errors import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    TooLarge,
    raise_all,
)
from vangnet.common.schema import Bsn, MunicipalityCode, PlausibleDate
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Table

from . import selectors, services
from .access import Permission, case_access, granting_membership, log_list
from .workflow import State

router = Router(tags=["casussen"])
M = TypeVar("M", bound=Model)

Text = Field(..., min_length=1, max_length=5000)
# A registration names what the parties already did: a handful, never thousands (issue 10 §4).
MAX_PARTY_ACTIONS = 20
CRITERIA = 7


class PartyActionIn(Schema):
    organisation_name: str = Field(..., min_length=1, max_length=200)
    action: str = Field(..., min_length=1, max_length=5000)


class RegistrationIn(Schema):
    organisation_id: int | None = Field(
        None, description="Namens welke organisatie (standaard: uw enige verwijzersorganisatie)"
    )
    referrer_type: Literal[
        "coordinating_institution",
        "other_ggz_institution",
        "care_mediation",
        "addiction_or_chain_partner",
        "gp",
    ]
    patient_name: str = Field(..., min_length=1, max_length=200)
    patient_birth_date: date = Field(
        ..., description="Geboortedatum (JJJJ-MM-DD), niet vóór 1900 en niet in de toekomst"
    )
    patient_municipality: MunicipalityCode
    insurer_id: int | None = Field(
        None,
        description="De zorgverzekeraar van de patiënt: id van een organisatie van het type zorgverzekeraar",
    )
    patient_insurer: str | None = Field(
        None,
        max_length=100,
        description="Of de naam van die zorgverzekeraar precies zoals in de lijst (als insurer_id ontbreekt)",
    )
    patient_bsn: Bsn = ""
    consent_by: Literal["patient", "representative"]
    stuck_description: str = Text
    best_solution: str = Text
    timeline: str = Text
    urgency: Literal["regular", "urgent"] = "regular"
    in_ggz_treatment: bool | None = Field(
        None, description="Nu in behandeling in de ggz (monitor vraag 7)"
    )
    criteria: list[Annotated[int, Field(ge=1, le=CRITERIA)]] = Field(
        default_factory=list, max_length=CRITERIA, description="Nummers van de criteria (1-7)"
    )
    # At least one is a domain rule (answered 400 with a Dutch message), stated in the schema too.
    party_actions: list[PartyActionIn] = Field(
        ..., max_length=MAX_PARTY_ACTIONS, json_schema_extra={"minItems": 1}
    )
    table: int | None = Field(None, ge=1, le=8)
    table_choice_reason: str = Field("", max_length=5000)


class CaseSummaryOut(Schema):
    reference: str
    state: str
    state_label: str
    table: int
    registered_at: datetime
    referrer_organisation: str


class CasePageOut(PageOut):
    items: list[CaseSummaryOut]


class PartyActionOut(Schema):
    organisation_name: str
    action: str


class DecisionOut(Schema):
    decision: str
    decision_label: str
    reason: str
    advice: str
    refer_to: str
    menselijke_maat_reason: str
    confirmed_at: datetime | None


class PriorAttemptOut(Schema):
    by_organisation: str
    provider: str | None
    tried_on: date
    what: str
    result: str


class CaseOut(CaseSummaryOut):
    patient_name: str
    patient_birth_date: date
    patient_municipality: str
    insurer_id: int
    patient_insurer: str
    consent_by: str
    stuck_description: str
    best_solution: str
    timeline: str
    urgency: str
    referrer_type: str
    criteria: list[int]
    party_actions: list[PartyActionOut]
    prior_attempts: list[PriorAttemptOut]
    linked_cases: list[str]
    decision: DecisionOut | None


class CriterionIn(Schema):
    number: int = Field(..., ge=1, le=7)
    verdict: Literal["met", "not_met", "unknown"]
    note: str = Field("", max_length=5000)


class TriageIn(Schema):
    # All seven is a domain rule (400, "zeven criteria"); the schema states it too.
    assessments: list[CriterionIn] = Field(
        ..., max_length=CRITERIA, json_schema_extra={"minItems": CRITERIA}
    )
    decision: Literal["admit", "consultation", "refer", "not_suitable"]
    reason: str = Field("", max_length=5000)
    advice: str = Field("", max_length=5000)
    refer_to: str = Field("", max_length=200)
    menselijke_maat_reason: str = Field("", max_length=5000)


class ScreenIn(Schema):
    verdict: Literal["confirm", "disagree"]
    note: str = Field("", max_length=5000)


class MoveIn(Schema):
    table: int = Field(..., ge=1, le=8)
    reason: str = Field(..., max_length=5000)


class AssessmentOut(Schema):
    number: int
    verdict: str
    note: str


class TriageRoundDetailOut(Schema):
    decision: str
    decision_label: str
    verdict: str
    reason: str
    advice: str
    refer_to: str
    menselijke_maat_reason: str
    proposed_at: datetime
    proposed_by: str
    proposed_by_organisation: str
    same_organisation: bool
    second_screener_note: str
    assessments: list[AssessmentOut]


class EventOut(Schema):
    at: datetime
    what: str
    from_state: str
    to_state: str
    note: str


class EventPageOut(PageOut):
    items: list[EventOut]


class TriageRoundOut(Schema):
    decision: str
    verdict: str
    same_organisation: bool
    second_screener_note: str


def _summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        reference=case.reference,
        state=case.state,
        state_label=str(State(case.state).label),
        table=case.table.number,
        registered_at=case.registered_at,
        referrer_organisation=case.referrer_organisation.name,
    )


def _detail(case: Case, *, table_view: bool = False) -> CaseOut:
    """The case as the API shows it; `linked_cases` (the same patient's other cases) only to
    the table's coordinator and screener (issue 10 §1)."""
    final = selectors.final_round(case)
    return CaseOut(
        **_summary(case).dict(),
        patient_name=case.patient_name,
        patient_birth_date=case.patient_birth_date,
        patient_municipality=case.patient_municipality.code,
        insurer_id=case.insurer_id,
        patient_insurer=case.insurer.name,
        consent_by=case.consent_by,
        stuck_description=case.stuck_description,
        best_solution=case.best_solution,
        timeline=case.timeline,
        urgency=case.urgency,
        referrer_type=case.referrer_type,
        criteria=sorted(c.number for c in case.referrer_criteria.all()),
        party_actions=[
            PartyActionOut(organisation_name=p.organisation_name, action=p.action)
            for p in case.party_actions.all()
        ],
        prior_attempts=[
            PriorAttemptOut(
                by_organisation=a.by_organisation.name,
                provider=a.provider.name if a.provider else None,
                tried_on=a.tried_on,
                what=a.what,
                result=a.result,
            )
            for a in case.prior_attempts.select_related("by_organisation", "provider")
        ],
        linked_cases=[c.reference for c in case.linked_cases.all()] if table_view else [],
        decision=DecisionOut(
            decision=final.decision,
            decision_label=final.get_decision_display(),
            reason=final.reason,
            advice=final.advice,
            refer_to=final.refer_to,
            menselijke_maat_reason=final.menselijke_maat_reason,
            confirmed_at=final.screened_at,
        )
        if final
        else None,
    )


def case_for(
    request: HttpRequest,
    reference: str,
    permission: Permission,
    action: str,
    detail: str = "",
) -> tuple[Case, Membership]:
    """The case and the membership that grants `permission` on it, checked and logged once per
    request (channel api); `detail` names the step in the access log as the page does."""
    checked = getattr(request, "vangnet_case_access", None)
    if checked is not None:  # already checked and logged before the body was read
        return checked
    case = selectors.case_by_reference(reference)
    actor = request_actor(request)
    membership = case_access(
        actor, case, permission=permission, action=action, channel="api", detail=detail
    )
    return case, membership


def case_auth(permission: Permission, action: str, detail: str = "") -> list[object]:
    """Authentication that also checks the case permission before the body is validated, so an
    unauthorised call with an invalid body is refused (403) and logged, never a bare 422."""

    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        access = case_for(request, reference, permission, action, detail)
        request.vangnet_case_access = access  # type: ignore[attr-defined]

    return auth_then(check)


# The old private names, kept for the triage endpoints below.
_channel_access = case_for


def _permission_first(permission: Permission, action: str) -> list[object]:
    return case_auth(permission, action)


@router.get(
    "",
    response=CasePageOut,
    summary="Casussen die u mag zien (nieuwste eerst, per pagina; volg `next`)",
)
def list_cases(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = request_actor(request)
    cases = selectors.case_list(actor, state=state if state in State.values else "")
    page = api_page(cases, paging_query, field="registered_at")
    log_list(actor, channel="api", detail="casuslijst")
    return CasePageOut(items=[_summary(c) for c in page.rows], **paging(request, page))


def _insurer_id(payload: RegistrationIn) -> int | None:
    """The insurer by id, or by its exact name in the list (a typed name no insurer has is an
    error, never a new organisation)."""
    if payload.insurer_id is not None:
        return payload.insurer_id
    name = " ".join((payload.patient_insurer or "").split())
    if not name:
        return None
    found = list(
        Organisation.objects.filter(
            organisation_type=OrganisationType.INSURER, name__iexact=name
        ).values_list("pk", flat=True)[:2]
    )
    if len(found) != 1:
        raise DomainError(
            f"Onbekende zorgverzekeraar '{name[:60]}': kies er een uit de lijst (insurer_id).",
            field="insurer_id",
        )
    return found[0]


@router.post("", response={201: CaseOut}, summary="Casus aanmelden")
def register(request: HttpRequest, payload: RegistrationIn):
    user = current_user(request)
    actor = actor_for(user)
    org_ids = actor.organisation_ids(Role.REFERRER)
    if payload.organisation_id is None and len(org_ids) == 1:
        org_id = next(iter(org_ids))
    elif payload.organisation_id is None and len(org_ids) > 1:
        names = ", ".join(
            f"{o.pk} ({o.name})" for o in Organisation.objects.filter(pk__in=org_ids).order_by("pk")
        )
        raise DomainError(
            f"U bent verwijzer voor meer organisaties: kies er één met organisation_id ({names}).",
            field="organisation_id",
        )
    elif payload.organisation_id in org_ids:
        org_id = payload.organisation_id
    else:
        access_log_write(
            actor=actor, action=Action.CREATE, outcome="denied", channel="api", detail="aanmelding"
        )
        raise NotAllowed(
            "U kunt alleen aanmelden namens een organisatie waarvoor u verwijzer bent."
        )
    data = services.RegistrationInput(
        referrer_type=payload.referrer_type,
        patient_name=payload.patient_name,
        patient_birth_date=payload.patient_birth_date,
        patient_municipality_code=payload.patient_municipality,
        insurer_id=_insurer_id(payload),
        patient_bsn=payload.patient_bsn,
        consent_by=payload.consent_by,
        stuck_description=payload.stuck_description,
        best_solution=payload.best_solution,
        timeline=payload.timeline,
        urgency=payload.urgency,
        in_ggz_treatment=payload.in_ggz_treatment,
        criteria=payload.criteria,
        party_actions=[
            services.PartyActionInput(p.organisation_name, p.action) for p in payload.party_actions
        ],
        table_number=payload.table,
        table_choice_reason=payload.table_choice_reason,
    )
    result = services.case_register(
        referrer=user, organisation=Organisation.objects.get(pk=org_id), data=data
    )
    case = selectors.case_by_reference(result.case.reference)
    access_log_write(
        actor=actor,
        action=Action.CREATE,
        case_id=case.pk,
        case_reference=case.reference,
        membership=granting_membership(actor, case, Permission.READ),
        channel="api",
        detail="aanmelding",
    )
    return Status(201, _detail(case))


@router.get("/{reference}", response=CaseOut, summary="Casus inzien")
def read_case(request: HttpRequest, reference: str):
    case, membership = _channel_access(request, reference, Permission.READ, Action.READ)
    table_view = membership.role in {Role.COORDINATOR, Role.SECOND_SCREENER}
    return _detail(case, table_view=table_view)


@router.post(
    "/{reference}/triage",
    response=TriageRoundOut,
    summary="Triagebesluit voorstellen (coördinator)",
    auth=_permission_first(Permission.TRIAGE, Action.UPDATE),
)
def propose(request: HttpRequest, reference: str, payload: TriageIn):
    case, membership = _channel_access(request, reference, Permission.TRIAGE, Action.UPDATE)
    round_ = services.triage_propose(
        case=case,
        coordinator=current_user(request),
        membership=membership,
        assessments=[
            services.CriterionInput(a.number, a.verdict, a.note) for a in payload.assessments
        ],
        decision=payload.decision,
        reason=payload.reason,
        advice=payload.advice,
        refer_to=payload.refer_to,
        menselijke_maat_reason=payload.menselijke_maat_reason,
    )
    return TriageRoundOut(
        decision=round_.decision,
        verdict=round_.verdict,
        same_organisation=False,
        second_screener_note="",
    )


@router.post(
    "/{reference}/screen",
    response=TriageRoundOut,
    summary="Tweede beoordeling (vier ogen)",
    auth=_permission_first(Permission.SCREEN, Action.UPDATE),
)
def screen(request: HttpRequest, reference: str, payload: ScreenIn):
    case, membership = _channel_access(request, reference, Permission.SCREEN, Action.UPDATE)
    if payload.verdict == "confirm":
        round_ = services.triage_confirm(
            case=case, screener=current_user(request), membership=membership, note=payload.note
        )
    else:
        round_ = services.triage_disagree(
            case=case, screener=current_user(request), membership=membership, note=payload.note
        )
    return TriageRoundOut(
        decision=round_.decision,
        verdict=round_.verdict,
        same_organisation=round_.same_organisation,
        second_screener_note=round_.second_screener_note,
    )


@router.post(
    "/{reference}/move",
    response=CaseSummaryOut,
    summary="Naar andere tafel verplaatsen",
    auth=_permission_first(Permission.TRIAGE, Action.UPDATE),
)
def move(request: HttpRequest, reference: str, payload: MoveIn):
    case, membership = _channel_access(request, reference, Permission.TRIAGE, Action.UPDATE)
    table = Table.objects.get(number=payload.table)
    case = services.case_move_table(
        case=case,
        actor=current_user(request),
        membership=membership,
        table=table,
        reason=payload.reason,
    )
    return _summary(case)


@router.get(
    "/{reference}/triage",
    response=list[TriageRoundDetailOut],
    summary="Triagerondes met het oordeel per criterium (coördinator, tweede beoordelaar)",
)
def triage_rounds(request: HttpRequest, reference: str):
    case, _ = _channel_access(request, reference, Permission.SCREEN, Action.READ)
    rounds = case.triage_rounds.select_related(
        "coordinator", "coordinator_organisation"
    ).prefetch_related("assessments__criterion")
    return [
        TriageRoundDetailOut(
            decision=r.decision,
            decision_label=r.get_decision_display(),
            verdict=r.verdict,
            reason=r.reason,
            advice=r.advice,
            refer_to=r.refer_to,
            menselijke_maat_reason=r.menselijke_maat_reason,
            proposed_at=r.proposed_at,
            proposed_by=r.coordinator.get_full_name() or r.coordinator.get_username(),
            proposed_by_organisation=r.coordinator_organisation.name,
            same_organisation=r.same_organisation,
            second_screener_note=r.second_screener_note,
            assessments=[
                AssessmentOut(number=a.criterion.number, verdict=a.verdict, note=a.note)
                for a in r.assessments.all()
            ],
        )
        for r in rounds.order_by("proposed_at", "id")
    ]


@router.get(
    "/{reference}/history",
    response=EventPageOut,
    summary="Geschiedenis van de casus (tafel: alles; verwijzer: de hoofdstappen), oudste eerst",
)
def history(request: HttpRequest, reference: str, paging_query: Query[PageQuery]):
    from vangnet.cases.views import PUBLIC_EVENTS

    case, membership = _channel_access(request, reference, Permission.READ, Action.READ)
    events = case.events.all()
    if membership.role not in {Role.COORDINATOR, Role.SECOND_SCREENER}:
        events = events.filter(transition__in=PUBLIC_EVENTS)
    page = api_page(events, paging_query, field="at", descending=False)
    return EventPageOut(
        items=[
            EventOut(
                at=e.at, what=e.label, from_state=e.from_state, to_state=e.to_state, note=e.note
            )
            for e in page.rows
        ],
        **paging(request, page),
    )


# --- helpers shared by the case-work routers (meetings, plans, follow-up, case file) ------------

# Database ids in paths and bodies: positive and within a 32-bit integer column, so a huge
# number is a 422 instead of a database overflow.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Long = Field("", max_length=5000)


def case_object(model: type[M], pk: int, *, what: str, **filters: object) -> M:
    """One row of the case (`filters` tie it to the case), or 404 in Dutch."""
    found = model._default_manager.filter(pk=pk, **filters).first()
    if found is None:
        raise NotFound(f"{what} bestaat niet bij deze casus.")
    return found


def organisations_by_id(wanted: dict[str, int | None]) -> dict[str, Organisation | None]:
    """Organisations by id per input field; every unknown id is reported at once (400)."""
    ids = {v for v in wanted.values() if v is not None}
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    errors = [
        DomainError(f"Organisatie {pk} bestaat niet.", field=name)
        for name, pk in wanted.items()
        if pk is not None and pk not in found
    ]
    raise_all(errors)
    return {name: found.get(pk) if pk is not None else None for name, pk in wanted.items()}


def organisation_by_id(pk: int, field: str = "organisation_id") -> Organisation:
    found = organisations_by_id({field: pk})[field]
    assert found is not None
    return found


class DoneOut(Schema):
    """The answer to a step: what happened, in Dutch, and the case's state after it."""

    message: str
    reference: str
    state: str
    state_label: str


def done(case: Case, message: str) -> DoneOut:
    case.refresh_from_db()
    return DoneOut(
        message=message,
        reference=case.reference,
        state=case.state,
        state_label=str(State(case.state).label),
    )


# --- preparation: timeline, parties, consent, questions, documents ------------------------------


class TimelineIn(Schema):
    date: PlausibleDate
    organisation_name: str = Field(..., max_length=200)
    description: str = Field(..., max_length=5000)


class CreatedOut(DoneOut):
    id: int


def created(case: Case, obj: Any, message: str) -> CreatedOut:
    return CreatedOut(id=obj.pk, **done(case, message).dict())


@router.post(
    "/{reference}/timeline",
    response={201: CreatedOut},
    summary="Gebeurtenis aan de tijdlijn toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "tijdlijn"),
)
def timeline_add(request: HttpRequest, reference: str, payload: TimelineIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "tijdlijn")
    entry = services.timeline_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        on=payload.date,
        organisation_name=payload.organisation_name,
        description=payload.description,
    )
    return Status(201, created(case, entry, "Gebeurtenis toegevoegd aan de tijdlijn."))


class PartyIn(Schema):
    organisation_id: Id
    role: str = Field(..., max_length=200)
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)
    has_mandate: bool = False
    already_did: str = Long


@router.post(
    "/{reference}/parties",
    response={201: CreatedOut},
    summary="Betrokken partij toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "partij"),
)
def party_add(request: HttpRequest, reference: str, payload: PartyIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "partij")
    errors: list[DomainError] = []
    email = payload.contact_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(DomainError("Vul een geldig e-mailadres in.", field="contact_email"))
    try:
        organisation = organisation_by_id(payload.organisation_id)
    except DomainError as exc:
        errors.append(exc)
    raise_all(errors)
    party = services.party_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        organisation=organisation,
        role=payload.role,
        contact_name=payload.contact_name,
        contact_email=email,
        has_mandate=payload.has_mandate,
        already_did=payload.already_did,
    )
    return Status(201, created(case, party, "Partij toegevoegd."))


@router.post(
    "/{reference}/parties/{party_id}/invite",
    response=DoneOut,
    summary="Partij uitnodigen; zij ziet de casus zolang de toestemming dit dekt (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "uitnodigen"),
)
def party_invite(request: HttpRequest, reference: str, party_id: Id):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "uitnodigen")
    party = case_object(CaseParty, party_id, what="Deze partij", case=case)
    services.party_invite(party=party, actor=current_user(request), membership=membership)
    return done(case, f"{party.organisation} is uitgenodigd.")


class ConsentIn(Schema):
    organisation_id: Id
    given_by: Literal["patient", "representative"]
    valid_from: PlausibleDate
    valid_until: PlausibleDate | None = None


@router.post(
    "/{reference}/consents",
    response={201: CreatedOut},
    summary="Toestemming van de patiënt om te delen met een organisatie vastleggen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "toestemming"),
)
def consent_record(request: HttpRequest, reference: str, payload: ConsentIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "toestemming")
    consent = services.consent_record(
        case=case,
        actor=current_user(request),
        membership=membership,
        organisation=organisation_by_id(payload.organisation_id),
        given_by=payload.given_by,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, created(case, consent, "Toestemming vastgelegd."))


@router.post(
    "/{reference}/consents/{consent_id}/withdraw",
    response=DoneOut,
    summary="Toestemming intrekken; de partij ziet de casus niet meer (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "toestemming-intrekken"),
)
def consent_withdraw(request: HttpRequest, reference: str, consent_id: Id):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "toestemming-intrekken"
    )
    consent = case_object(Consent, consent_id, what="Deze toestemming", case=case)
    services.consent_withdraw(consent=consent, actor=current_user(request), membership=membership)
    return done(case, "Toestemming ingetrokken; de partij ziet de casus niet meer.")


class QuestionIn(Schema):
    text: str = Field(..., max_length=5000)


@router.post(
    "/{reference}/questions",
    response={201: CreatedOut},
    summary="Vraag voor de bespreking toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "vraag"),
)
def question_add(request: HttpRequest, reference: str, payload: QuestionIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "vraag")
    question = services.question_add(
        case=case, actor=current_user(request), membership=membership, text=payload.text
    )
    return Status(201, created(case, question, "Vraag toegevoegd."))


@router.post(
    "/{reference}/documents",
    response={201: CreatedOut},
    summary="Document toevoegen (pdf, docx, odt, txt, png, jpg; max. 10 MB; coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "document"),
)
def document_upload(request: HttpRequest, reference: str, file: File[UploadedFile]):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "document")
    # Read nothing into memory before the size is known to be within the limit.
    if file.size is None or file.size > services.MAX_DOCUMENT_BYTES:
        raise TooLarge("Het bestand is te groot: maximaal 10 MB.", field="file")
    document = services.document_upload(
        case=case,
        actor=current_user(request),
        membership=membership,
        name=file.name or "",
        content=file.read(),
    )
    return Status(201, created(case, document, "Document toegevoegd."))


@router.get(
    "/{reference}/documents/{document_id}",
    summary="Document downloaden (tafel, verwijzer, uitgenodigde partij met toestemming)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Het bestand zoals het werd toegevoegd",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def document_download(request: HttpRequest, reference: str, document_id: Id):
    case = selectors.case_by_reference(reference)
    document = case_object(Document, document_id, what="Dit document", case=case)
    case_for(request, reference, Permission.DOCUMENT, Action.DOWNLOAD, f"document {document.pk}")
    path = services.document_path(document)
    if not path.exists():
        raise NotFound("Het bestand van dit document ontbreekt.")
    response = FileResponse(
        path.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- closure, withdrawal, ending and reopening --------------------------------------------------


class CloseIn(Schema):
    outcome: str = Field(
        ...,
        max_length=40,
        description="Uitkomst (monitor vraag 11), bijvoorbeeld new_offer of no_offer",
    )
    offer_accepted: bool | None = Field(
        None, description="Bij new_offer: heeft de patiënt het nieuwe aanbod aanvaard?"
    )
    helped_by: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=30, description="Codes: wat hielp"
    )
    obstacles: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=30, description="Codes: wat stond in de weg"
    )
    shortages: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=30, description="Codes: tekorten"
    )
    note: str = Long


class ReasonIn(Schema):
    reason: str = Field(..., max_length=5000)


@router.post(
    "/{reference}/close",
    response=DoneOut,
    summary="Casus afsluiten met een uitkomst (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "afsluiten"),
)
def close(request: HttpRequest, reference: str, payload: CloseIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "afsluiten")
    if payload.outcome == "not_suitable":  # the page does not offer it either: a triage outcome
        raise DomainError(
            "'Niet passend binnen de criteria' is een uitkomst van de triage.", field="outcome"
        )
    services.case_close(
        case=case,
        actor=current_user(request),
        membership=membership,
        outcome=payload.outcome,
        offer_accepted=payload.offer_accepted,
        helped_by=payload.helped_by,
        obstacles=payload.obstacles,
        shortages=payload.shortages,
        note=payload.note,
    )
    return done(case, "De casus is afgesloten.")


@router.post(
    "/{reference}/withdraw",
    response=DoneOut,
    summary="Eigen aanmelding intrekken zolang die niet is beoordeeld (verwijzer)",
    auth=case_auth(Permission.REFERRER_ACT, Action.UPDATE, "intrekken"),
)
def withdraw(request: HttpRequest, reference: str, payload: ReasonIn):
    case, membership = case_for(
        request, reference, Permission.REFERRER_ACT, Action.UPDATE, "intrekken"
    )
    services.case_close(
        case=case,
        actor=current_user(request),
        membership=membership,
        outcome="withdrawn",
        note=payload.reason,
    )
    return done(case, "Uw aanmelding is ingetrokken.")


@router.post(
    "/{reference}/end",
    response=DoneOut,
    summary="Casus tijdens de voorbereiding beëindigen (teruggetrokken of afgebroken; coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "beeindigen"),
)
def end(request: HttpRequest, reference: str, payload: ReasonIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "beeindigen")
    if case.state != State.ADMITTED:
        raise InvalidTransition("Beëindigen kan alleen tijdens de voorbereiding; sluit anders af.")
    services.case_close(
        case=case,
        actor=current_user(request),
        membership=membership,
        outcome="withdrawn",
        note=payload.reason,
    )
    return done(case, "De casus is beëindigd (teruggetrokken of afgebroken).")


@router.post(
    "/{reference}/reopen",
    response=DoneOut,
    summary="Afgesloten casus heropenen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "heropenen"),
)
def reopen(request: HttpRequest, reference: str, payload: ReasonIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "heropenen")
    services.case_reopen(
        case=case, actor=current_user(request), membership=membership, reason=payload.reason
    )
    return done(case, "De casus is heropend; de verwijzer is op de hoogte gebracht.")
