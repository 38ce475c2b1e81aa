"""The consultation register of a table over the API, as its page: the coordinator and the table
members record a question and the advice, answer later, and list their tables' consultations
(logged as a list, "consultaties"). A named consultation holds the patient's name only with
recorded consent (the service refuses it otherwise)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed, NotFound
from vangnet.common.schema import PlausibleDate

from . import services
from .models import Consultation
from .selectors import consultations_for

router = Router(tags=["consultaties"])

# The model's choices as a literal (tests keep them equal): no enum schema whose name collides.
RequesterType = Literal["gp", "poh_ggz", "clinician", "insurer", "municipality", "other"]

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _membership(request: HttpRequest) -> Membership:
    """The coordinator's or table member's membership; anyone else is refused and logged."""
    checked = getattr(request, "vangnet_consultation_member", None)
    if checked is not None:
        return checked
    actor = request_actor(request)
    membership = actor.membership_for(role=Role.COORDINATOR) or actor.membership_for(
        role=Role.TABLE_MEMBER
    )
    if membership is None:
        access_log_write(
            actor=actor,
            action=Action.UPDATE if request.method == "POST" else Action.LIST,
            outcome=Outcome.DENIED,
            channel="api",
            detail="consultaties",
        )
        raise NotAllowed("Alleen de coördinator of tafelleden zien en leggen consultaties vast.")
    return membership


def _member_first() -> list[object]:
    def check(request: HttpRequest) -> None:
        request.vangnet_consultation_member = _membership(request)  # type: ignore[attr-defined]

    return auth_then(check)


class ConsultationOut(Schema):
    id: int
    table: int
    requested_on: date
    requester_type: str
    requester_organisation: str
    anonymous: bool
    patient_name: str
    consent_recorded: bool
    question: str
    advice: str
    answered_on: date | None
    minutes_spent: int


class ConsultationPageOut(PageOut):
    items: list[ConsultationOut]


def _out(c: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=c.pk,
        table=c.table.number,
        requested_on=c.requested_on,
        requester_type=c.requester_type,
        requester_organisation=c.requester_organisation,
        anonymous=c.anonymous,
        patient_name=c.patient_name,
        consent_recorded=c.consent_recorded,
        question=c.question,
        advice=c.advice,
        answered_on=c.answered_on,
        minutes_spent=c.minutes_spent,
    )


@router.get(
    "",
    response=ConsultationPageOut,
    summary="Consultaties van uw tafel(s), nieuwste eerst (coördinator, tafellid)",
    auth=_member_first(),
)
def consultation_list(request: HttpRequest, paging_query: Query[PageQuery]):
    membership = _membership(request)
    actor = request_actor(request)
    page = api_page(consultations_for(actor), paging_query, field="requested_on")
    access_log_write(
        actor=actor, action=Action.LIST, membership=membership, channel="api", detail="consultaties"
    )
    return ConsultationPageOut(items=[_out(c) for c in page.rows], **paging(request, page))


class ConsultationIn(Schema):
    requested_on: PlausibleDate
    requester_type: RequesterType
    requester_organisation: str = Field("", max_length=200)
    anonymous: bool = True
    patient_name: str = Field("", max_length=200, description="Alleen op naam, met toestemming")
    consent_recorded: bool = False
    question: str = Field(..., max_length=5000)
    advice: str = Field("", max_length=5000)
    minutes_spent: int = Field(0, ge=0, le=1440, description="Bestede tijd in minuten")


@router.post(
    "",
    response={201: ConsultationOut},
    summary="Consultatie vastleggen (coördinator, tafellid)",
    auth=_member_first(),
)
def consultation_record(request: HttpRequest, payload: ConsultationIn):
    membership = _membership(request)
    consultation = services.consultation_record(
        actor=current_user(request), membership=membership, **payload.dict()
    )
    return Status(201, _out(consultation))


class AnswerIn(Schema):
    advice: str = Field(..., max_length=5000)
    minutes_spent: int = Field(..., ge=0, le=1440)


@router.post(
    "/{consultation_id}/answer",
    response=ConsultationOut,
    summary="Het advies bij een eerder vastgelegde consultatie vastleggen",
    auth=_member_first(),
)
def consultation_answer(request: HttpRequest, consultation_id: Id, payload: AnswerIn):
    membership = _membership(request)
    actor = request_actor(request)
    consultation = consultations_for(actor).filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFound("Deze consultatie bestaat niet bij uw tafel.")
    consultation = services.consultation_answer(
        consultation=consultation,
        actor=current_user(request),
        membership=membership,
        advice=payload.advice,
        minutes_spent=payload.minutes_spent,
    )
    return Status(200, _out(consultation))
