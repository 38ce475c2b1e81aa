"""The coordinator's side of a signal over the API: the signals to their table, reading one,
answering it, and turning it into a registration by a professional."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases import services as case_services
from vangnet.common.errors import NotAllowed, NotFound
from vangnet.common.schema import MunicipalityCode

from .. import selectors, services
from ..access import signal_access
from ..models import Signal
from ..workflow import SignalState
from .common import CaseRefOut, Text, router


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


@router.get(
    "/signals",
    response=SignalPageOut,
    summary="Signalen aan uw tafel (coördinator; per pagina)",
    operation_id="vangnet_routing_api_list_signals",
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
    operation_id="vangnet_routing_api_get_signal",
)
def get_signal(request: HttpRequest, reference: str):
    signal, _ = request.vangnet_signal  # type: ignore[attr-defined]
    return _signal_out(signal)


@router.post(
    "/signals/{reference}/answer",
    response=SignalOut,
    auth=_signal_first(Action.UPDATE),
    summary="Signaal beantwoorden (coördinator)",
    operation_id="vangnet_routing_api_answer_signal",
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
    operation_id="vangnet_routing_api_register_signal",
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
