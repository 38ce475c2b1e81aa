"""The route UCZ → zorgbemiddeling → table and the public signals over the API, permission-checked
and logged exactly as the pages (access.py): one access-log row per request, "denied" included.
An unauthorised call is refused (403) before its body is validated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import Actor, actor_for, current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.contract import RATE_LIMITED
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases import services as case_services
from vangnet.common.clientip import client_ip
from vangnet.common.errors import NotAllowed, NotFound
from vangnet.common.schema import MunicipalityCode
from vangnet.directory.models import Organisation, OrganisationType

from . import selectors, services
from .access import question_access, signal_access
from .models import Question, Signal
from .workflow import QuestionState, SignalState

router = Router(tags=["routering"])
Text = Field(..., min_length=1, max_length=5000)


class InsurerOut(Schema):
    id: int
    name: str


class RoutingQuestionIn(Schema):
    asker_kind: Literal["citizen", "relative", "professional"]
    patient_name: str = Field(..., min_length=1, max_length=200)
    patient_birth_date: date
    patient_municipality: MunicipalityCode
    insurer_id: int = Field(
        ..., description="De zorgverzekeraar van de patiënt (GET /routing/insurers)"
    )
    question: str = Text
    contact: str = Field("", max_length=200)
    consent_by: Literal["patient", "representative"]


class AttemptOut(Schema):
    provider_id: int
    provider: str
    tried_on: date
    what: str
    result: str


class QuestionSummaryOut(Schema):
    reference: str
    state: str
    state_label: str
    deadline: date | None
    insurer_id: int
    case_reference: str | None


class QuestionPageOut(PageOut):
    items: list[QuestionSummaryOut]


class RoutingQuestionOut(QuestionSummaryOut):
    asker_kind: str
    patient_name: str
    patient_birth_date: date
    patient_municipality: str
    question: str
    contact: str
    consent_by: str
    consent_recorded_at: datetime
    handed_to_id: int | None
    outcome: str
    solved_with_id: int | None
    attempts: list[AttemptOut]


class HandOverIn(Schema):
    insurer_id: int


class RoutingReasonIn(Schema):
    reason: str = Text


class AttemptIn(Schema):
    provider_id: int = Field(..., description="Een organisatie uit de sociale kaart")
    tried_on: date
    what: str = Text
    result: str = Text


class SolveIn(Schema):
    outcome: str = Text
    solved_with_id: int | None = None


class TableRegistrationIn(Schema):
    stuck_description: str = Text
    best_solution: str = Text
    timeline: str = Text
    criteria: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list, max_length=7)
    urgency: Literal["regular", "urgent"] = "regular"


class CaseRefOut(Schema):
    case_reference: str
    table: int


class SignalSummaryOut(Schema):
    reference: str
    table: int
    state: str
    state_label: str
    received_at: datetime
    deadline: date


class SignalPageOut(PageOut):
    items: list[SignalSummaryOut]


class SignalOut(SignalSummaryOut):
    relation: str
    message: str
    contact: str
    answer: str
    case_reference: str | None


class RoutingAnswerIn(Schema):
    answer: str = Text


class SignalRegistrationIn(Schema):
    referrer_type: Literal[
        "coordinating_institution",
        "other_ggz_institution",
        "care_mediation",
        "addiction_or_chain_partner",
        "gp",
    ] = "coordinating_institution"
    patient_name: str = Field(..., min_length=1, max_length=200)
    patient_birth_date: date
    patient_municipality: MunicipalityCode
    insurer_id: int
    consent_by: Literal["patient", "representative"]
    stuck_description: str = Text
    best_solution: str = Text
    timeline: str = Text
    party_organisation: str = Field(..., min_length=1, max_length=200)
    party_action: str = Text
    table_choice_reason: str = Field("", max_length=5000)


class PublicSignalIn(Schema):
    table: int = Field(..., ge=1, le=99)
    relation: Literal["patient", "relative"]
    message: str = Field(..., min_length=1, max_length=2000)
    contact: str = Field(..., min_length=1, max_length=200)


class ReceiptOut(Schema):
    code: str = Field(..., description="Eenmalig getoond; bewaar haar")
    table: int


class ReceiptIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)


class PublicStatusOut(Schema):
    table: int
    received_on: date
    state: str
    state_label: str
    answer: str


# --- helpers --------------------------------------------------------------------------------------


def _question(reference: str) -> Question:
    question = selectors.question_by_reference(reference)
    if question is None:
        raise NotFound("Deze vraag bestaat niet.")
    return question


def _question_first(role: str | None, action: str) -> list[Any]:
    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        question = _question(reference)
        actor = request_actor(request)
        membership = question_access(actor, question, action=action, channel="api", role=role)
        request.vangnet_routing = (question, membership)  # type: ignore[attr-defined]

    return auth_then(check)


def _checked(request: HttpRequest) -> tuple[Question, Membership]:
    return request.vangnet_routing  # type: ignore[attr-defined]


def _signal_first(action: str) -> list[Any]:
    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        signal = selectors.signal_by_reference(reference)
        if signal is None:
            raise NotFound("Dit signaal bestaat niet.")
        actor = request_actor(request)
        membership = signal_access(actor, signal, action=action, channel="api")
        request.vangnet_signal = (signal, membership)  # type: ignore[attr-defined]

    return auth_then(check)


def _out(q: Question) -> RoutingQuestionOut:
    q = selectors.question_by_reference(q.reference) or q
    return RoutingQuestionOut(
        reference=q.reference,
        state=q.state,
        state_label=str(QuestionState(q.state).label),
        deadline=q.deadline,
        insurer_id=q.insurer_id,
        case_reference=q.case.reference if q.case else None,
        asker_kind=q.asker_kind,
        patient_name=q.patient_name,
        patient_birth_date=q.patient_birth_date,
        patient_municipality=q.patient_municipality.code,
        question=q.question,
        contact=q.contact,
        consent_by=q.consent_by,
        consent_recorded_at=q.consent_recorded_at,
        handed_to_id=q.handed_to_id,
        outcome=q.outcome,
        solved_with_id=q.solved_with_id,
        attempts=[
            AttemptOut(
                provider_id=a.provider_id,
                provider=a.provider.name,
                tried_on=a.tried_on,
                what=a.what,
                result=a.result,
            )
            for a in q.attempts.select_related("provider")
        ],
    )


def _signal_out(s: Signal) -> SignalOut:
    return SignalOut(
        reference=s.reference,
        table=s.table.number,
        state=s.state,
        state_label=str(SignalState(s.state).label),
        received_at=s.created_at,
        deadline=s.deadline,
        relation=s.relation,
        message=s.message,
        contact=s.contact,
        answer=s.answer,
        case_reference=s.case.reference if s.case else None,
    )


def _anonymous() -> Actor:
    return Actor(user=cast(User, AnonymousUser()), memberships=())


# --- questions ------------------------------------------------------------------------------------


@router.get("/insurers", response=list[InsurerOut], summary="Zorgverzekeraars (om uit te kiezen)")
def insurers(request: HttpRequest):
    return [
        InsurerOut(id=o.pk, name=o.name)
        for o in Organisation.objects.filter(organisation_type=OrganisationType.INSURER).order_by(
            "name"
        )
    ]


@router.get(
    "/questions",
    response=QuestionPageOut,
    summary="Vragen die u mag zien (UCZ, zorgbemiddeling; nieuwste eerst, per pagina)",
)
def list_questions(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = request_actor(request)
    if not (actor.has_role(Role.UCZ_OFFICER) or actor.has_role(Role.ZORGBEMIDDELING)):
        access_log_write(
            actor=actor, action=Action.LIST, outcome=Outcome.DENIED, channel="api", detail="vragen"
        )
        raise NotAllowed("Alleen de UCZ en zorgbemiddeling van zorgverzekeraars zien vragen.")
    page = api_page(selectors.question_list(actor, state=state), paging_query, field="created_at")
    access_log_write(actor=actor, action=Action.LIST, channel="api", detail="vragen")
    items = [
        QuestionSummaryOut(
            reference=q.reference,
            state=q.state,
            state_label=str(QuestionState(q.state).label),
            deadline=q.deadline,
            insurer_id=q.insurer_id,
            case_reference=q.case.reference if q.case else None,
        )
        for q in page.rows
    ]
    return QuestionPageOut(items=items, **paging(request, page))


def _ucz_first(request: HttpRequest) -> None:
    actor = request_actor(request)
    if actor.membership_for(role=Role.UCZ_OFFICER) is None:
        access_log_write(
            actor=actor,
            action=Action.CREATE,
            outcome=Outcome.DENIED,
            channel="api",
            detail="vraag vastleggen",
        )
        raise NotAllowed("Alleen de UCZ legt vragen van burgers en professionals vast.")


@router.post(
    "/questions",
    response={201: RoutingQuestionOut},
    auth=auth_then(_ucz_first),
    summary="Vraag vastleggen (UCZ)",
)
def record_question(request: HttpRequest, payload: RoutingQuestionIn):
    user = current_user(request)
    actor = actor_for(user)
    membership = actor.membership_for(role=Role.UCZ_OFFICER)
    assert membership is not None
    question = services.question_record(
        user=user,
        membership=membership,
        data=services.QuestionInput(
            asker_kind=payload.asker_kind,
            patient_name=payload.patient_name,
            patient_birth_date=payload.patient_birth_date,
            patient_municipality_code=payload.patient_municipality,
            insurer_id=payload.insurer_id,
            question=payload.question,
            consent_by=payload.consent_by,
            contact=payload.contact,
        ),
    )
    access_log_write(
        actor=actor,
        action=Action.CREATE,
        membership=membership,
        channel="api",
        detail=f"vraag {question.reference}",
    )
    return Status(201, _out(question))


@router.get(
    "/questions/{reference}",
    response=RoutingQuestionOut,
    auth=_question_first(None, Action.READ),
    summary="Vraag inzien",
)
def get_question(request: HttpRequest, reference: str):
    question, _ = _checked(request)
    return _out(question)


@router.post(
    "/questions/{reference}/hand-over",
    response=RoutingQuestionOut,
    auth=_question_first(Role.UCZ_OFFICER, Action.UPDATE),
    summary="Overdragen aan de zorgbemiddeling van de eigen zorgverzekeraar (UCZ)",
)
def hand_over(request: HttpRequest, reference: str, payload: HandOverIn):
    question, membership = _checked(request)
    return _out(
        services.question_hand_over(
            question=question,
            user=current_user(request),
            membership=membership,
            insurer_id=payload.insurer_id,
        )
    )


@router.post(
    "/questions/{reference}/withdraw",
    response=RoutingQuestionOut,
    auth=_question_first(Role.UCZ_OFFICER, Action.UPDATE),
    summary="Vraag intrekken (UCZ)",
)
def withdraw(request: HttpRequest, reference: str, payload: RoutingReasonIn):
    question, membership = _checked(request)
    return _out(
        services.question_withdraw(
            question=question,
            user=current_user(request),
            membership=membership,
            reason=payload.reason,
        )
    )


@router.post(
    "/questions/{reference}/take-up",
    response=RoutingQuestionOut,
    auth=_question_first(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Vraag oppakken (zorgbemiddeling)",
)
def take_up(request: HttpRequest, reference: str):
    question, membership = _checked(request)
    return _out(
        services.question_take_up(
            question=question, user=current_user(request), membership=membership
        )
    )


@router.post(
    "/questions/{reference}/send-back",
    response=RoutingQuestionOut,
    auth=_question_first(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Terugsturen naar de UCZ (zorgbemiddeling)",
)
def send_back(request: HttpRequest, reference: str, payload: RoutingReasonIn):
    question, membership = _checked(request)
    return _out(
        services.question_send_back(
            question=question,
            user=current_user(request),
            membership=membership,
            reason=payload.reason,
        )
    )


@router.post(
    "/questions/{reference}/attempts",
    response={201: RoutingQuestionOut},
    auth=_question_first(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Poging vastleggen: wat, bij welke aanbieder (zorgbemiddeling)",
)
def add_attempt(request: HttpRequest, reference: str, payload: AttemptIn):
    question, membership = _checked(request)
    services.attempt_add(
        question=question,
        user=current_user(request),
        membership=membership,
        provider_id=payload.provider_id,
        tried_on=payload.tried_on,
        what=payload.what,
        result=payload.result,
    )
    return Status(201, _out(question))


@router.post(
    "/questions/{reference}/solve",
    response=RoutingQuestionOut,
    auth=_question_first(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Opgelost door zorgbemiddeling (telt mee)",
)
def solve(request: HttpRequest, reference: str, payload: SolveIn):
    question, membership = _checked(request)
    return _out(
        services.question_solve(
            question=question,
            user=current_user(request),
            membership=membership,
            outcome=payload.outcome,
            provider_id=payload.solved_with_id,
        )
    )


@router.post(
    "/questions/{reference}/register",
    response={201: CaseRefOut},
    auth=_question_first(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Aanmelden bij de casuïstiektafel, met wat is geprobeerd (zorgbemiddeling)",
)
def register(request: HttpRequest, reference: str, payload: TableRegistrationIn):
    question, membership = _checked(request)
    case = services.question_register(
        question=question,
        user=current_user(request),
        membership=membership,
        data=services.TableRegistrationInput(
            stuck_description=payload.stuck_description,
            best_solution=payload.best_solution,
            timeline=payload.timeline,
            criteria=payload.criteria,
            urgency=payload.urgency,
        ),
    )
    access_log_write(
        actor=request_actor(request),
        action=Action.CREATE,
        membership=membership,
        channel="api",
        case_id=case.pk,
        case_reference=case.reference,
        detail=f"aanmelding vanuit vraag {question.reference}",
    )
    return Status(201, CaseRefOut(case_reference=case.reference, table=case.table.number))


# --- signals ---------------------------------------------------------------------------------------


@router.get(
    "/signals", response=SignalPageOut, summary="Signalen aan uw tafel (coördinator; per pagina)"
)
def list_signals(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = request_actor(request)
    if not actor.has_role(Role.COORDINATOR):
        access_log_write(
            actor=actor,
            action=Action.LIST,
            outcome=Outcome.DENIED,
            channel="api",
            detail="signalen",
        )
        raise NotAllowed("Alleen de coördinator van een tafel ziet de signalen.")
    page = api_page(selectors.signal_list(actor, state=state), paging_query, field="created_at")
    access_log_write(actor=actor, action=Action.LIST, channel="api", detail="signalen")
    items = [
        SignalSummaryOut(
            reference=s.reference,
            table=s.table.number,
            state=s.state,
            state_label=str(SignalState(s.state).label),
            received_at=s.created_at,
            deadline=s.deadline,
        )
        for s in page.rows
    ]
    return SignalPageOut(items=items, **paging(request, page))


@router.get(
    "/signals/{reference}",
    response=SignalOut,
    auth=_signal_first(Action.READ),
    summary="Signaal inzien (coördinator)",
)
def get_signal(request: HttpRequest, reference: str):
    signal, _ = request.vangnet_signal  # type: ignore[attr-defined]
    return _signal_out(signal)


@router.post(
    "/signals/{reference}/answer",
    response=SignalOut,
    auth=_signal_first(Action.UPDATE),
    summary="Signaal beantwoorden (coördinator)",
)
def answer_signal(request: HttpRequest, reference: str, payload: RoutingAnswerIn):
    signal, membership = request.vangnet_signal  # type: ignore[attr-defined]
    return _signal_out(
        services.signal_answer(
            signal=signal, user=current_user(request), membership=membership, answer=payload.answer
        )
    )


@router.post(
    "/signals/{reference}/register",
    response={201: CaseRefOut},
    auth=_signal_first(Action.UPDATE),
    summary="Signaal omzetten in een aanmelding door een professional (coördinator)",
)
def register_signal(request: HttpRequest, reference: str, payload: SignalRegistrationIn):
    signal, membership = request.vangnet_signal  # type: ignore[attr-defined]
    data = case_services.RegistrationInput(
        referrer_type=payload.referrer_type,
        patient_name=payload.patient_name,
        patient_birth_date=payload.patient_birth_date,
        patient_municipality_code=payload.patient_municipality,
        insurer_id=payload.insurer_id,
        consent_by=payload.consent_by,
        stuck_description=payload.stuck_description,
        best_solution=payload.best_solution,
        timeline=payload.timeline,
        party_actions=[
            case_services.PartyActionInput(payload.party_organisation, payload.party_action)
        ],
        table_number=signal.table.number,
        table_choice_reason=payload.table_choice_reason,
    )
    case = services.signal_register(
        signal=signal, user=current_user(request), membership=membership, data=data
    )
    access_log_write(
        actor=request_actor(request),
        action=Action.CREATE,
        membership=membership,
        channel="api",
        case_id=case.pk,
        case_reference=case.reference,
        detail=f"aanmelding vanuit signaal {signal.reference}",
    )
    return Status(201, CaseRefOut(case_reference=case.reference, table=case.table.number))


@router.post(
    "/public/signals",
    response={201: ReceiptOut},
    auth=None,
    openapi_extra={RATE_LIMITED: True},
    summary="Signaal van een patiënt of naaste (zonder account; begrensd per adres)",
)
def public_signal(request: HttpRequest, payload: PublicSignalIn):
    try:
        services.rate_limit(
            kind="signal", address=client_ip(request), limit=settings.VANGNET_SIGNAL_LIMIT
        )
    except services.RateLimited:
        access_log_write(
            actor=_anonymous(),
            action=Action.CREATE,
            outcome=Outcome.DENIED,
            channel="api",
            detail="signaal: te vaak",
        )
        raise
    signal, code = services.signal_submit(
        data=services.SignalInput(
            table_number=payload.table,
            relation=payload.relation,
            message=payload.message,
            contact=payload.contact,
        )
    )
    access_log_write(
        actor=_anonymous(),
        action=Action.CREATE,
        channel="api",
        detail=f"signaal {signal.reference}",
    )
    return Status(201, ReceiptOut(code=code, table=signal.table.number))


@router.post(
    "/public/signals/status",
    response=PublicStatusOut,
    auth=None,
    openapi_extra={RATE_LIMITED: True},
    summary="Status van een signaal met de ontvangstcode (in de body, nooit in het adres)",
)
def public_status(request: HttpRequest, payload: ReceiptIn):
    try:
        services.rate_limit(
            kind="receipt", address=client_ip(request), limit=settings.VANGNET_RECEIPT_LIMIT
        )
    except services.RateLimited:
        access_log_write(
            actor=_anonymous(),
            action=Action.READ,
            outcome=Outcome.DENIED,
            channel="api",
            detail="ontvangstcode: te vaak",
        )
        raise
    signal = services.signal_by_code(payload.code)
    if signal is None:
        access_log_write(
            actor=_anonymous(),
            action=Action.READ,
            outcome=Outcome.DENIED,
            channel="api",
            detail="ontvangstcode onbekend",
        )
        raise NotFound("Met deze code vinden wij geen signaal. Controleer de code.")
    access_log_write(
        actor=_anonymous(),
        action=Action.READ,
        channel="api",
        detail=f"signaal {signal.reference} (ontvangstcode)",
    )
    return PublicStatusOut(
        table=signal.table.number,
        received_on=signal.created_at.date(),
        state=signal.state,
        state_label=str(SignalState(signal.state).label),
        answer=signal.answer,
    )
