"""Ending a case over the API: closing it with an outcome, the referrer withdrawing a registration
not yet assessed, ending it during the preparation, and reopening it."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Schema

from vangnet.accounts.selectors import current_user
from vangnet.audit.models import Action
from vangnet.cases import services
from vangnet.cases.access import Permission
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition

from .common import DoneOut, Long, case_auth, case_for, done, router


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
    operation_id="vangnet_cases_api_close",
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
    operation_id="vangnet_cases_api_withdraw",
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
    operation_id="vangnet_cases_api_end",
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
    operation_id="vangnet_cases_api_reopen",
)
def reopen(request: HttpRequest, reference: str, payload: ReasonIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "heropenen")
    services.case_reopen(
        case=case, actor=current_user(request), membership=membership, reason=payload.reason
    )
    return done(case, "De casus is heropend; de verwijzer is op de hoogte gebracht.")
