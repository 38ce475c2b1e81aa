"""Follow-up over the API, checked and logged as the case page: adopting the plan (which starts
follow-up), phases, check-ins with progress per goal, the offer term's suspensions and the
escalation ladder."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from vangnet.accounts.selectors import current_user
from vangnet.audit.models import Action
from vangnet.cases.access import Permission
from vangnet.cases.api import (
    CreatedOut,
    DoneOut,
    Id,
    Long,
    case_auth,
    case_for,
    case_object,
    created,
    done,
)
from vangnet.common.schema import PlausibleDate

from . import services
from .models import CheckIn, EscalationStep, TermSuspension

router = Router(tags=["follow-up, termijn en escalatie"])


class PhaseIn(Schema):
    months: int = Field(3, ge=3, le=6, description="Duur van de fase in maanden (3 tot 6)")
    focus: str = Long


@router.post(
    "/cases/{reference}/plan/adopt",
    response={201: CreatedOut},
    summary="Plan vaststellen en de follow-up starten (alle doelen geaccepteerd; coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "vaststellen"),
)
def plan_adopt(request: HttpRequest, reference: str, payload: PhaseIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "vaststellen")
    phase = services.plan_adopt(
        case=case,
        actor=current_user(request),
        membership=membership,
        phase_months=payload.months,
        focus=payload.focus,
    )
    return Status(
        201,
        created(
            case,
            phase,
            "Het plan is vastgesteld; de follow-up met maandelijkse check-ins is gestart.",
        ),
    )


@router.post(
    "/cases/{reference}/phases",
    response={201: CreatedOut},
    summary="Volgende follow-upfase toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "fase"),
)
def phase_add(request: HttpRequest, reference: str, payload: PhaseIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "fase")
    phase = services.phase_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        months=payload.months,
        focus=payload.focus,
    )
    return Status(201, created(case, phase, "Nieuwe fase toegevoegd."))


class ProgressIn(Schema):
    goal_id: Id
    progress: Literal["on_track", "delayed", "stalled", "achieved"]
    note: str = Long


class CheckInIn(Schema):
    summary: str = Field(..., max_length=5000)
    progress: list[ProgressIn] = Field(
        ..., max_length=100, description="De voortgang van elk lopend doel, één keer"
    )


@router.post(
    "/cases/{reference}/check-ins/{checkin_id}",
    response=DoneOut,
    summary="Check-in vastleggen met de voortgang per lopend doel (casusregisseur, coördinator)",
    auth=case_auth(Permission.CHECK_IN, Action.UPDATE, "check-in"),
)
def checkin_record(request: HttpRequest, reference: str, checkin_id: Id, payload: CheckInIn):
    case, membership = case_for(request, reference, Permission.CHECK_IN, Action.UPDATE, "check-in")
    checkin = case_object(CheckIn, checkin_id, what="Deze check-in", phase__case=case)
    services.checkin_record(
        checkin=checkin,
        actor=current_user(request),
        membership=membership,
        summary=payload.summary,
        progress=[
            services.ProgressInput(goal_id=p.goal_id, progress=p.progress, note=p.note)
            for p in payload.progress
        ],
    )
    return done(case, "Check-in vastgelegd.")


class SuspendIn(Schema):
    reason: str = Field(..., max_length=5000)
    starts_on: PlausibleDate
    planned_end: PlausibleDate | None = None


@router.post(
    "/cases/{reference}/suspensions",
    response={201: CreatedOut},
    summary="De aanbodtermijn opschorten, één opschorting tegelijk (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "opschorten"),
)
def term_suspend(request: HttpRequest, reference: str, payload: SuspendIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "opschorten")
    suspension = services.term_suspend(
        case=case,
        actor=current_user(request),
        membership=membership,
        reason=payload.reason,
        starts_on=payload.starts_on,
        planned_end=payload.planned_end,
    )
    return Status(201, created(case, suspension, "De termijn is opgeschort."))


@router.post(
    "/cases/{reference}/suspensions/{suspension_id}/resume",
    response=DoneOut,
    summary="De termijn laten doorlopen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "hervatten"),
)
def term_resume(request: HttpRequest, reference: str, suspension_id: Id):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "hervatten")
    suspension = case_object(TermSuspension, suspension_id, what="Deze opschorting", case=case)
    services.term_resume(suspension=suspension, actor=current_user(request), membership=membership)
    return done(case, "De termijn loopt weer.")


class EscalateIn(Schema):
    to_level: int = Field(..., ge=0, le=4, description="Niveau 0 tot en met 4; omhoog één tegelijk")
    reason: str = Field(..., max_length=5000, description="Tempo en voortgang, niet de inhoud")
    result: str = Long


@router.post(
    "/cases/{reference}/escalations",
    response={201: CreatedOut},
    summary="Een stap op de escalatieladder vastleggen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "escaleren"),
)
def escalate(request: HttpRequest, reference: str, payload: EscalateIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "escaleren")
    step = services.escalate(
        case=case,
        actor=current_user(request),
        membership=membership,
        to_level=payload.to_level,
        reason=payload.reason,
        result=payload.result,
    )
    return Status(201, created(case, step, "Escalatiestap vastgelegd."))


class ResultIn(Schema):
    result: str = Field(..., max_length=5000)


@router.post(
    "/cases/{reference}/escalations/{step_id}/result",
    response=DoneOut,
    summary="Het resultaat van een escalatiestap vastleggen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "escalatie-resultaat"),
)
def escalation_result(request: HttpRequest, reference: str, step_id: Id, payload: ResultIn):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "escalatie-resultaat"
    )
    step = case_object(EscalationStep, step_id, what="Deze escalatiestap", case=case)
    services.escalation_result(
        step=step, actor=current_user(request), membership=membership, result=payload.result
    )
    return done(case, "Resultaat vastgelegd.")
