"""The outcome question over the API (issue 16 §3): the same one-time token, the same checks and
access log as the page. The token travels in the body, never in the URL."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action

from . import services

router = Router(tags=["uitkomst na afsluiting"])

Answer = Literal["yes", "partly", "no", "unknown"]
Reason = Literal[
    "patient_stopped",
    "provider_stopped",
    "no_capacity",
    "financing",
    "moved",
    "goals_reached",
    "other",
]


class OutcomeAnswerIn(Schema):
    token: str = Field(..., min_length=1, max_length=200, description="Het token uit de link")
    answer: Answer = Field(..., description="Krijgt de patiënt de afgesproken zorg nog?")
    reasons: list[Reason] = Field(
        default_factory=list, max_length=7, description="Waarom niet (bij partly of no)"
    )
    note: str = Field("", max_length=1000)


class OutcomeAnswerOut(Schema):
    case_reference: str
    months: int
    answer: str
    reasons: list[str]
    answered_at: datetime


@router.post(
    "/answer",
    response=OutcomeAnswerOut,
    summary="Uitkomstvraag na afsluiting beantwoorden (eenmalig, alleen de geadresseerde verwijzer)",
)
def answer(request: HttpRequest, payload: OutcomeAnswerIn):
    actor = request_actor(request)
    outcome_request, membership = services.request_open(
        actor, payload.token, action=Action.UPDATE, channel="api"
    )
    done = services.answer_record(
        request=outcome_request,
        actor=actor.user,
        membership=membership,
        answer=payload.answer,
        reasons=payload.reasons,
        note=payload.note,
    )
    assert done.answered_at is not None
    return OutcomeAnswerOut(
        case_reference=done.case.reference,
        months=done.months,
        answer=done.answer,
        reasons=done.reasons,
        answered_at=done.answered_at,
    )
