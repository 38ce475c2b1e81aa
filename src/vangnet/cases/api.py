"""The registration and triage journey over the API, permission-checked exactly as the pages.

Each endpoint that touches case data calls `case_access` or `log_list` once: one access-log row
per request, "denied" included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.schema import Bsn, MunicipalityCode
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Table

from . import selectors, services
from .access import Permission, case_access, granting_membership, log_list
from .workflow import State

router = Router(tags=["casussen"])

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


def _channel_access(
    request: HttpRequest, reference: str, permission: Permission, action: str
) -> tuple[Case, Membership]:
    checked = getattr(request, "vangnet_case_access", None)
    if checked is not None:  # already checked and logged before the body was read
        return checked
    case = selectors.case_by_reference(reference)
    actor = actor_for(current_user(request))
    membership = case_access(actor, case, permission=permission, action=action, channel="api")
    return case, membership


def _permission_first(permission: Permission, action: str) -> list[object]:
    """Authentication that also checks the case permission before the body is validated, so an
    unauthorised call with an invalid body is refused (403) and logged, never a bare 422."""

    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        access = _channel_access(request, reference, permission, action)
        request.vangnet_case_access = access  # type: ignore[attr-defined]

    return auth_then(check)


@router.get(
    "",
    response=CasePageOut,
    summary="Casussen die u mag zien (nieuwste eerst, per pagina; volg `next`)",
)
def list_cases(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = actor_for(current_user(request))
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
