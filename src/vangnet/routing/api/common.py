"""What the routing API's modules share: the one router, the question check that runs before the
body is read (and is logged once per request), the question's answer, and the schemas more than
one stage uses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vangnet.accounts.models import Membership
from vangnet.accounts.selectors import request_actor
from vangnet.api.auth import auth_then
from vangnet.common.errors import NotFound

from .. import selectors
from ..access import question_access
from ..models import Question
from ..workflow import QuestionState

# One router for the whole routing API: the modules add their routes to it in the route's order
# (see __init__). Operation ids are given by name on every route: ninja's default is the
# function's module, and the ids are part of the published contract (docs/openapi.json).
router = Router(tags=["routering"])
Text = Field(..., min_length=1, max_length=5000)


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


class RoutingReasonIn(Schema):
    reason: str = Text


class CaseRefOut(Schema):
    case_reference: str
    table: int


def _question(reference: str) -> Question:
    question = selectors.question_by_reference(reference)
    if question is None:
        raise NotFound("Deze vraag bestaat niet.")
    return question


def question_auth(role: str | None, action: str) -> list[Any]:
    """Authentication that also checks the question (for `role`, if given) before the body is
    validated, logged once; the route reads the result with `question_checked`."""

    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        question = _question(reference)
        actor = request_actor(request)
        membership = question_access(actor, question, action=action, channel="api", role=role)
        request.vangnet_routing = (question, membership)  # type: ignore[attr-defined]

    return auth_then(check)


def question_checked(request: HttpRequest) -> tuple[Question, Membership]:
    return request.vangnet_routing  # type: ignore[attr-defined]


def question_out(q: Question) -> RoutingQuestionOut:
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
