"""The UCZ's side of a question over the API: the insurers to choose from, the questions the user
may see, recording one, reading one, handing it over to the zorgbemiddeling of the patient's
insurer, and withdrawing it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed
from vangnet.common.schema import MunicipalityCode
from vangnet.directory.models import Organisation, OrganisationType

from .. import selectors, services
from ..workflow import QuestionState
from .common import (
    QuestionSummaryOut,
    RoutingQuestionOut,
    RoutingReasonIn,
    Text,
    question_auth,
    question_checked,
    question_out,
    router,
)


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


class QuestionPageOut(PageOut):
    items: list[QuestionSummaryOut]


class HandOverIn(Schema):
    insurer_id: int


@router.get(
    "/insurers",
    response=list[InsurerOut],
    summary="Zorgverzekeraars (om uit te kiezen)",
    operation_id="vangnet_routing_api_insurers",
)
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
    operation_id="vangnet_routing_api_list_questions",
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
    operation_id="vangnet_routing_api_record_question",
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
    return Status(201, question_out(question))


@router.get(
    "/questions/{reference}",
    response=RoutingQuestionOut,
    auth=question_auth(None, Action.READ),
    summary="Vraag inzien",
    operation_id="vangnet_routing_api_get_question",
)
def get_question(request: HttpRequest, reference: str):
    question, _ = question_checked(request)
    return question_out(question)


@router.post(
    "/questions/{reference}/hand-over",
    response=RoutingQuestionOut,
    auth=question_auth(Role.UCZ_OFFICER, Action.UPDATE),
    summary="Overdragen aan de zorgbemiddeling van de eigen zorgverzekeraar (UCZ)",
    operation_id="vangnet_routing_api_hand_over",
)
def hand_over(request: HttpRequest, reference: str, payload: HandOverIn):
    question, membership = question_checked(request)
    return question_out(
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
    auth=question_auth(Role.UCZ_OFFICER, Action.UPDATE),
    summary="Vraag intrekken (UCZ)",
    operation_id="vangnet_routing_api_withdraw",
)
def withdraw(request: HttpRequest, reference: str, payload: RoutingReasonIn):
    question, membership = question_checked(request)
    return question_out(
        services.question_withdraw(
            question=question,
            user=current_user(request),
            membership=membership,
            reason=payload.reason,
        )
    )
