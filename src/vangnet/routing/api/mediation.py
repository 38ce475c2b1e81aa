"""The zorgbemiddeling's side of a question over the API: taking it up, sending it back to the UCZ,
recording what was tried at which provider, solving it, and registering it at the table with
those attempts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write

from .. import services
from .common import (
    CaseRefOut,
    RoutingQuestionOut,
    RoutingReasonIn,
    Text,
    question_auth,
    question_checked,
    question_out,
    router,
)


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


@router.post(
    "/questions/{reference}/take-up",
    response=RoutingQuestionOut,
    auth=question_auth(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Vraag oppakken (zorgbemiddeling)",
    operation_id="vangnet_routing_api_take_up",
)
def take_up(request: HttpRequest, reference: str):
    question, membership = question_checked(request)
    return question_out(
        services.question_take_up(
            question=question, user=current_user(request), membership=membership
        )
    )


@router.post(
    "/questions/{reference}/send-back",
    response=RoutingQuestionOut,
    auth=question_auth(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Terugsturen naar de UCZ (zorgbemiddeling)",
    operation_id="vangnet_routing_api_send_back",
)
def send_back(request: HttpRequest, reference: str, payload: RoutingReasonIn):
    question, membership = question_checked(request)
    return question_out(
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
    auth=question_auth(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Poging vastleggen: wat, bij welke aanbieder (zorgbemiddeling)",
    operation_id="vangnet_routing_api_add_attempt",
)
def add_attempt(request: HttpRequest, reference: str, payload: AttemptIn):
    question, membership = question_checked(request)
    services.attempt_add(
        question=question,
        user=current_user(request),
        membership=membership,
        provider_id=payload.provider_id,
        tried_on=payload.tried_on,
        what=payload.what,
        result=payload.result,
    )
    return Status(201, question_out(question))


@router.post(
    "/questions/{reference}/solve",
    response=RoutingQuestionOut,
    auth=question_auth(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Opgelost door zorgbemiddeling (telt mee)",
    operation_id="vangnet_routing_api_solve",
)
def solve(request: HttpRequest, reference: str, payload: SolveIn):
    question, membership = question_checked(request)
    return question_out(
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
    auth=question_auth(Role.ZORGBEMIDDELING, Action.UPDATE),
    summary="Aanmelden bij de casuïstiektafel, met wat is geprobeerd (zorgbemiddeling)",
    operation_id="vangnet_routing_api_register",
)
def register(request: HttpRequest, reference: str, payload: TableRegistrationIn):
    question, membership = question_checked(request)
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
