"""The public side of signals, without an account: a patient or relative sending a signal to a
table, and reading its status with the receipt code. Both are rate-limited per address, and every
call is logged with an anonymous actor."""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Schema, Status

from vangnet.accounts.models import User
from vangnet.accounts.selectors import Actor
from vangnet.api.contract import RATE_LIMITED
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.clientip import client_ip
from vangnet.common.errors import NotFound

from .. import services
from ..workflow import SignalState
from .common import router


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


def _anonymous() -> Actor:
    return Actor(user=cast(User, AnonymousUser()), memberships=())


@router.post(
    "/public/signals",
    response={201: ReceiptOut},
    auth=None,
    openapi_extra={RATE_LIMITED: True},
    summary="Signaal van een patiënt of naaste (zonder account; begrensd per adres)",
    operation_id="vangnet_routing_api_public_signal",
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
    operation_id="vangnet_routing_api_public_status",
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
