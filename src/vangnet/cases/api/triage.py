"""Triage over the API: the coordinator's proposal, the second screener's verdict (four eyes),
moving a case to another table, the triage rounds and the case's history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import current_user
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.cases import services
from vangnet.cases.access import Permission
from vangnet.regions.models import Table

from .common import CRITERIA, CaseSummaryOut, case_auth, case_for, case_summary, router


class CriterionIn(Schema):
    number: int = Field(..., ge=1, le=7)
    verdict: Literal["met", "not_met", "unknown"]
    note: str = Field("", max_length=5000)


class TriageIn(Schema):
    # All seven is a domain rule (400, "zeven criteria"); the schema states it too.
    assessments: list[CriterionIn] = Field(
        ..., max_length=CRITERIA, json_schema_extra={"minItems": CRITERIA}
    )
    decision: Literal["admit", "consultation", "refer", "not_suitable"]
    reason: str = Field("", max_length=5000)
    advice: str = Field("", max_length=5000)
    refer_to: str = Field("", max_length=200)
    menselijke_maat_reason: str = Field("", max_length=5000)


class ScreenIn(Schema):
    verdict: Literal["confirm", "disagree"]
    note: str = Field("", max_length=5000)


class MoveIn(Schema):
    table: int = Field(..., ge=1, le=8)
    reason: str = Field(..., max_length=5000)


class AssessmentOut(Schema):
    number: int
    verdict: str
    note: str


class TriageRoundDetailOut(Schema):
    decision: str
    decision_label: str
    verdict: str
    reason: str
    advice: str
    refer_to: str
    menselijke_maat_reason: str
    proposed_at: datetime
    proposed_by: str
    proposed_by_organisation: str
    same_organisation: bool
    second_screener_note: str
    assessments: list[AssessmentOut]


class EventOut(Schema):
    at: datetime
    what: str
    from_state: str
    to_state: str
    note: str


class EventPageOut(PageOut):
    items: list[EventOut]


class TriageRoundOut(Schema):
    decision: str
    verdict: str
    same_organisation: bool
    second_screener_note: str


@router.post(
    "/{reference}/triage",
    response=TriageRoundOut,
    summary="Triagebesluit voorstellen (coördinator)",
    auth=case_auth(Permission.TRIAGE, Action.UPDATE),
    operation_id="vangnet_cases_api_propose",
)
def propose(request: HttpRequest, reference: str, payload: TriageIn):
    case, membership = case_for(request, reference, Permission.TRIAGE, Action.UPDATE)
    round_ = services.triage_propose(
        case=case,
        coordinator=current_user(request),
        membership=membership,
        assessments=[
            services.CriterionInput(a.number, a.verdict, a.note) for a in payload.assessments
        ],
        decision=payload.decision,
        reason=payload.reason,
        advice=payload.advice,
        refer_to=payload.refer_to,
        menselijke_maat_reason=payload.menselijke_maat_reason,
    )
    return TriageRoundOut(
        decision=round_.decision,
        verdict=round_.verdict,
        same_organisation=False,
        second_screener_note="",
    )


@router.post(
    "/{reference}/screen",
    response=TriageRoundOut,
    summary="Tweede beoordeling (vier ogen)",
    auth=case_auth(Permission.SCREEN, Action.UPDATE),
    operation_id="vangnet_cases_api_screen",
)
def screen(request: HttpRequest, reference: str, payload: ScreenIn):
    case, membership = case_for(request, reference, Permission.SCREEN, Action.UPDATE)
    if payload.verdict == "confirm":
        round_ = services.triage_confirm(
            case=case, screener=current_user(request), membership=membership, note=payload.note
        )
    else:
        round_ = services.triage_disagree(
            case=case, screener=current_user(request), membership=membership, note=payload.note
        )
    return TriageRoundOut(
        decision=round_.decision,
        verdict=round_.verdict,
        same_organisation=round_.same_organisation,
        second_screener_note=round_.second_screener_note,
    )


@router.post(
    "/{reference}/move",
    response=CaseSummaryOut,
    summary="Naar andere tafel verplaatsen",
    auth=case_auth(Permission.TRIAGE, Action.UPDATE),
    operation_id="vangnet_cases_api_move",
)
def move(request: HttpRequest, reference: str, payload: MoveIn):
    case, membership = case_for(request, reference, Permission.TRIAGE, Action.UPDATE)
    table = Table.objects.get(number=payload.table)
    case = services.case_move_table(
        case=case,
        actor=current_user(request),
        membership=membership,
        table=table,
        reason=payload.reason,
    )
    return case_summary(case)


@router.get(
    "/{reference}/triage",
    response=list[TriageRoundDetailOut],
    summary="Triagerondes met het oordeel per criterium (coördinator, tweede beoordelaar)",
    operation_id="vangnet_cases_api_triage_rounds",
)
def triage_rounds(request: HttpRequest, reference: str):
    case, _ = case_for(request, reference, Permission.SCREEN, Action.READ)
    rounds = case.triage_rounds.select_related(
        "coordinator", "coordinator_organisation"
    ).prefetch_related("assessments__criterion")
    return [
        TriageRoundDetailOut(
            decision=r.decision,
            decision_label=r.get_decision_display(),
            verdict=r.verdict,
            reason=r.reason,
            advice=r.advice,
            refer_to=r.refer_to,
            menselijke_maat_reason=r.menselijke_maat_reason,
            proposed_at=r.proposed_at,
            proposed_by=r.coordinator.get_full_name() or r.coordinator.get_username(),
            proposed_by_organisation=r.coordinator_organisation.name,
            same_organisation=r.same_organisation,
            second_screener_note=r.second_screener_note,
            assessments=[
                AssessmentOut(number=a.criterion.number, verdict=a.verdict, note=a.note)
                for a in r.assessments.all()
            ],
        )
        for r in rounds.order_by("proposed_at", "id")
    ]


@router.get(
    "/{reference}/history",
    response=EventPageOut,
    summary="Geschiedenis van de casus (tafel: alles; verwijzer: de hoofdstappen), oudste eerst",
    operation_id="vangnet_cases_api_history",
)
def history(request: HttpRequest, reference: str, paging_query: Query[PageQuery]):
    from vangnet.cases.views import PUBLIC_EVENTS

    case, membership = case_for(request, reference, Permission.READ, Action.READ)
    events = case.events.all()
    if membership.role not in {Role.COORDINATOR, Role.SECOND_SCREENER}:
        events = events.filter(transition__in=PUBLIC_EVENTS)
    page = api_page(events, paging_query, field="at", descending=False)
    return EventPageOut(
        items=[
            EventOut(
                at=e.at, what=e.label, from_state=e.from_state, to_state=e.to_state, note=e.note
            )
            for e in page.rows
        ],
        **paging(request, page),
    )
