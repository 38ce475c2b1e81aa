"""The integral plan and its financing over the API, checked and logged as the case page and the
medical adviser's financing page: plan fields, goals (add, edit, status, remove, accept on behalf),
the responsible organisation's response, the plan's revisions, the request for a
maatwerkarrangement and the adviser's decision.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.api.auth import auth_then
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases import selectors as case_selectors
from vangnet.cases.access import Permission, log_list
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
    organisation_by_id,
)
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, NotAllowed, NotFound, raise_all
from vangnet.common.schema import PlausibleDate

from . import services
from .models import FinancingDecision, PlanGoal
from .selectors import adviser_decisions, adviser_open_requests

router = Router(tags=["integraal plan en financiering"])

# The models' choices as literals, so the OpenAPI document states them without enum schemas
# whose names could collide (tests/test_api_choices.py keeps them equal to the models').
Domain = Literal["treatment", "housing", "finances", "daytime", "social", "safety"]
FinancingKind = Literal["zvw", "wmo", "wlz", "fz", "jeugdwet", "maatwerk"]
Via = Literal["phone", "email", "meeting", "letter"]


class PlanIn(Schema):
    """Only the fields given change; each change is a new version with who changed what."""

    regiebehandelaar: str | None = Field(None, max_length=200)
    regiebehandelaar_organisation_id: Id | None = None
    procesregie: str | None = Field(None, max_length=200)
    handover_from: str | None = Field(None, max_length=200)
    handover_to: str | None = Field(None, max_length=200)
    handover_on: PlausibleDate | None = None
    takeover_goals: str | None = Field(None, max_length=5000)
    takeover_return_condition: str | None = Field(None, max_length=5000)
    if_placement_fails: str | None = Field(None, max_length=5000)
    case_director: str | None = Field(
        None,
        max_length=150,
        description="Gebruikersnaam van de casusregisseur in Vangnet; leeg om te wissen",
    )


class PlanVersionOut(DoneOut):
    version: int


@router.post(
    "/cases/{reference}/plan",
    response=PlanVersionOut,
    summary="Regie, overdracht en vangnet van het plan bijwerken (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "plan"),
)
def plan_update(request: HttpRequest, reference: str, payload: PlanIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "plan")
    given = payload.dict(exclude_unset=True)
    values: dict[str, object] = {
        k: v
        for k, v in given.items()
        if k not in {"case_director", "regiebehandelaar_organisation_id"}
    }
    errors: list[DomainError] = []
    for name in ("regiebehandelaar", "procesregie", "handover_from", "handover_to"):
        if name in values and values[name] is None:
            values[name] = ""
    if "regiebehandelaar_organisation_id" in given:
        org_id = given["regiebehandelaar_organisation_id"]
        try:
            values["regiebehandelaar_organisation"] = (
                organisation_by_id(org_id, "regiebehandelaar_organisation_id")
                if org_id is not None
                else None
            )
        except DomainError as exc:
            errors.append(exc)
    if "case_director" in given:
        username = given["case_director"] or ""
        director = User.objects.filter(username=username).first() if username else None
        if username and director is None:
            errors.append(DomainError("Deze gebruiker bestaat niet.", field="case_director"))
        values["case_director"] = director
    raise_all(errors)
    plan = services.plan_update(
        case=case, actor=current_user(request), membership=membership, values=values
    )
    return PlanVersionOut(version=plan.version, **done(case, "Het plan is bijgewerkt.").dict())


class GoalIn(Schema):
    domain: Domain
    description: str = Field(..., max_length=5000)
    organisation_id: Id
    financing: FinancingKind
    contact: str = Field("", max_length=200)


@router.post(
    "/cases/{reference}/plan/goals",
    response={201: CreatedOut},
    summary="Doel toevoegen; de verantwoordelijke organisatie accepteert of weigert (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "doel"),
)
def goal_add(request: HttpRequest, reference: str, payload: GoalIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "doel")
    goal = services.goal_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        domain=payload.domain,
        description=payload.description,
        organisation=organisation_by_id(payload.organisation_id),
        financing=payload.financing,
        contact=payload.contact,
    )
    return Status(
        201, created(case, goal, "Doel toegevoegd; de organisatie kan het accepteren of weigeren.")
    )


def _goal(case: Case, goal_id: int) -> PlanGoal:
    return case_object(PlanGoal, goal_id, what="Dit doel", plan__case=case)


@router.put(
    "/cases/{reference}/plan/goals/{goal_id}",
    response=DoneOut,
    summary="Doel wijzigen of overdragen; een nieuwe organisatie of tekst accepteert opnieuw",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "doel-wijzigen"),
)
def goal_update(request: HttpRequest, reference: str, goal_id: Id, payload: GoalIn):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "doel-wijzigen"
    )
    goal = services.goal_update(
        goal=_goal(case, goal_id),
        actor=current_user(request),
        membership=membership,
        domain=payload.domain,
        description=payload.description,
        organisation=organisation_by_id(payload.organisation_id),
        financing=payload.financing,
        contact=payload.contact,
    )
    if goal.status == PlanGoal.Status.PROPOSED:
        return done(case, f"Doel gewijzigd; {goal.organisation} moet het (opnieuw) accepteren.")
    return done(case, "Doel gewijzigd.")


class ResponseIn(Schema):
    response: Literal["accept", "decline"]
    note: str = Field("", max_length=5000, description="Verplicht bij weigeren")


@router.post(
    "/cases/{reference}/plan/goals/{goal_id}/response",
    response=DoneOut,
    summary="Doel accepteren of weigeren (de verantwoordelijke organisatie)",
    auth=case_auth(Permission.GOAL_RESPOND, Action.UPDATE, "doel-reactie"),
)
def goal_respond(request: HttpRequest, reference: str, goal_id: Id, payload: ResponseIn):
    case, membership = case_for(
        request, reference, Permission.GOAL_RESPOND, Action.UPDATE, "doel-reactie"
    )
    services.goal_respond(
        goal=_goal(case, goal_id),
        actor=current_user(request),
        membership=membership,
        accept=payload.response == "accept",
        note=payload.note,
    )
    return done(case, "Uw reactie op het doel is vastgelegd.")


class GoalStatusIn(Schema):
    status: Literal["in_progress", "achieved", "stopped"]


@router.post(
    "/cases/{reference}/plan/goals/{goal_id}/status",
    response=DoneOut,
    summary="Status van een doel wijzigen: loopt, bereikt of gestopt (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "doel-status"),
)
def goal_status(request: HttpRequest, reference: str, goal_id: Id, payload: GoalStatusIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "doel-status")
    goal = services.goal_set_status(
        goal=_goal(case, goal_id),
        actor=current_user(request),
        membership=membership,
        status=payload.status,
    )
    return done(case, f"Status van het doel: {goal.get_status_display().lower()}.")


class RemoveIn(Schema):
    reason: str = Field(..., max_length=5000)


@router.post(
    "/cases/{reference}/plan/goals/{goal_id}/remove",
    response=DoneOut,
    summary="Doel verwijderen vóór het vaststellen van het plan (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "doel-verwijderen"),
)
def goal_remove(request: HttpRequest, reference: str, goal_id: Id, payload: RemoveIn):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "doel-verwijderen"
    )
    services.goal_remove(
        goal=_goal(case, goal_id),
        actor=current_user(request),
        membership=membership,
        reason=payload.reason,
    )
    return done(case, "Doel verwijderd; de reden staat in de wijzigingen van het plan.")


class ConfirmIn(Schema):
    confirmed_by: str = Field(..., max_length=200, description="Naam en functie")
    confirmed_via: Via
    confirmed_on: PlausibleDate
    note: str = Long


@router.post(
    "/cases/{reference}/plan/goals/{goal_id}/confirm",
    response=DoneOut,
    summary="Doel accepteren namens een organisatie zonder gebruikers in Vangnet (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "doel-namens"),
)
def goal_confirm(request: HttpRequest, reference: str, goal_id: Id, payload: ConfirmIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "doel-namens")
    goal = services.goal_confirm_on_behalf(
        goal=_goal(case, goal_id),
        actor=current_user(request),
        membership=membership,
        confirmed_by=payload.confirmed_by,
        confirmed_via=payload.confirmed_via,
        confirmed_on=payload.confirmed_on,
        note=payload.note,
    )
    return done(case, f"Doel geaccepteerd namens {goal.organisation}.")


class ChangeOut(Schema):
    field: str
    old: str
    new: str


class RevisionOut(Schema):
    version: int
    changed_at: datetime
    changed_by: str
    summary: str
    changes: list[ChangeOut]


class RevisionPageOut(PageOut):
    items: list[RevisionOut]


@router.get(
    "/cases/{reference}/plan/revisions",
    response=RevisionPageOut,
    summary="Wijzigingen in het plan, nieuwste eerst: wie wijzigde wat (coördinator)",
)
def plan_revisions(request: HttpRequest, reference: str, paging_query: Query[PageQuery]):
    # The page shows the revisions to those who manage the plan only.
    case, _ = case_for(request, reference, Permission.MANAGE, Action.READ, "plan wijzigingen")
    plan = getattr(case, "plan", None)
    if plan is None:
        raise NotFound("Er is nog geen integraal plan.")
    page = api_page(plan.revisions.select_related("changed_by"), paging_query, field="changed_at")
    return RevisionPageOut(
        items=[
            RevisionOut(
                version=r.version,
                changed_at=r.changed_at,
                changed_by=r.changed_by.get_full_name() or r.changed_by.get_username(),
                summary=r.summary,
                changes=[
                    ChangeOut(
                        field=str(c.get("field", "")),
                        old=str(c.get("old", "")),
                        new=str(c.get("new", "")),
                    )
                    for c in r.changes
                ],
            )
            for r in page.rows
        ],
        **paging(request, page),
    )


# --- financing (maatwerkarrangement) ------------------------------------------------------------


class FinancingRequestIn(Schema):
    insurer_id: Id


@router.post(
    "/cases/{reference}/financing",
    response={201: CreatedOut},
    summary="Maatwerkarrangement aanvragen bij een zorgverzekeraar (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "financiering"),
)
def financing_request(request: HttpRequest, reference: str, payload: FinancingRequestIn):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "financiering"
    )
    decision = services.financing_request(
        case=case,
        actor=current_user(request),
        membership=membership,
        insurer=organisation_by_id(payload.insurer_id, "insurer_id"),
    )
    return Status(
        201,
        created(case, decision, "Aanvraag maatwerkarrangement verstuurd naar de medisch adviseur."),
    )


def _adviser_for(
    request: HttpRequest, reference: str, decision_id: int, action: str
) -> tuple[Case, FinancingDecision, Membership]:
    """The request and the adviser's membership of the insurer it is addressed to; anyone else
    is logged as denied ("financiering"), as on the financing page."""
    checked = getattr(request, "vangnet_financing_access", None)
    if checked is not None:
        return checked
    case = case_selectors.case_by_reference(reference)
    decision = case_object(FinancingDecision, decision_id, what="Deze aanvraag", case=case)
    actor = request_actor(request)
    membership = next(
        (
            m
            for m in actor.memberships
            if m.role == Role.MEDICAL_ADVISER and m.organisation_id == decision.insurer_id
        ),
        None,
    )
    access_log_write(
        actor=actor,
        action=action,
        outcome=Outcome.ALLOWED if membership else Outcome.DENIED,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        channel="api",
        detail="financiering",
    )
    if membership is None:
        raise NotAllowed(
            "Alleen een medisch adviseur van de zorgverzekeraar van deze aanvraag ziet haar."
        )
    return case, decision, membership


def _adviser_first() -> list[object]:
    def check(request: HttpRequest) -> None:
        kwargs = request.resolver_match.kwargs  # type: ignore[union-attr]
        try:
            decision_id = int(kwargs["decision_id"])
        except (TypeError, ValueError):
            return  # not an id: the path validation answers
        request.vangnet_financing_access = _adviser_for(  # type: ignore[attr-defined]
            request, kwargs["reference"], decision_id, Action.UPDATE
        )

    return auth_then(check)


class CriterionCheckOut(Schema):
    number: int
    verdict: str


class FinancingGoalOut(Schema):
    id: int
    domain: str
    description: str
    organisation: str
    financing: str
    status: str


class FinancingDecisionOut(Schema):
    id: int
    reference: str
    insurer_id: int
    insurer: str
    decision: str
    decision_label: str
    reason: str
    amount: Decimal | None
    duration_months: int | None
    goal_ids: list[int]
    criteria_checks: list[CriterionCheckOut]
    requested_at: datetime
    decided_at: datetime | None
    triage_assessments: list[CriterionCheckOut] = Field(
        description="Het oordeel van de tafel per criterium (bevestigde triage)"
    )
    goals: list[FinancingGoalOut] = Field(description="De doelen van het plan")


def _decision_out(case: Case, d: FinancingDecision) -> FinancingDecisionOut:
    triage = (
        case.triage_rounds.filter(verdict="confirmed")
        .prefetch_related("assessments__criterion")
        .last()
    )
    plan = getattr(case, "plan", None)
    goals = list(plan.goals.select_related("organisation")) if plan is not None else []
    return FinancingDecisionOut(
        id=d.pk,
        reference=case.reference,
        insurer_id=d.insurer_id,
        insurer=d.insurer.name,
        decision=d.decision,
        decision_label=d.get_decision_display(),
        reason=d.reason,
        amount=d.amount,
        duration_months=d.duration_months,
        goal_ids=sorted(d.goals.values_list("pk", flat=True)),
        criteria_checks=[
            CriterionCheckOut(number=int(k), verdict=str(v))
            for k, v in sorted(d.criteria_checks.items(), key=lambda kv: int(kv[0]))
        ],
        requested_at=d.created_at,
        decided_at=d.decided_at,
        triage_assessments=[
            CriterionCheckOut(number=a.criterion.number, verdict=a.verdict)
            for a in (triage.assessments.all() if triage else [])
        ],
        goals=[
            FinancingGoalOut(
                id=g.pk,
                domain=g.domain,
                description=g.description,
                organisation=g.organisation.name,
                financing=g.financing,
                status=g.status,
            )
            for g in goals
        ],
    )


@router.get(
    "/cases/{reference}/financing/{decision_id}",
    response=FinancingDecisionOut,
    summary="Aanvraag maatwerkarrangement: wat het besluit nodig heeft (medisch adviseur)",
)
def financing_read(request: HttpRequest, reference: str, decision_id: Id):
    case, decision, _ = _adviser_for(request, reference, decision_id, Action.READ)
    return _decision_out(case, decision)


Verdict = Literal["met", "not_met", "unknown"]


class CriterionCheckIn(Schema):
    number: int = Field(..., ge=1, le=7)
    verdict: Verdict


class FinancingDecisionIn(Schema):
    decision: Literal["approved", "declined"]
    criteria: list[CriterionCheckIn] = Field(
        ..., max_length=7, json_schema_extra={"minItems": 7}, description="Elk van de 7 criteria"
    )
    reason: str = Field(..., max_length=5000)
    amount: Annotated[Decimal, Field(max_digits=9, decimal_places=2)] | None = Field(
        None, description="Bij goedkeuren: bedrag in euro's"
    )
    duration_months: int | None = Field(None, ge=0, le=1000, description="Bij goedkeuren")
    goal_ids: list[Id] = Field(
        default_factory=list, max_length=100, description="Bij goedkeuren: welke doelen"
    )


@router.post(
    "/cases/{reference}/financing/{decision_id}/decision",
    response=FinancingDecisionOut,
    summary="Besluiten over het maatwerkarrangement (medisch adviseur van de zorgverzekeraar)",
    auth=_adviser_first(),
)
def financing_decide(
    request: HttpRequest, reference: str, decision_id: Id, payload: FinancingDecisionIn
):
    case, decision, membership = _adviser_for(request, reference, decision_id, Action.UPDATE)
    checks: dict[int, str] = {c.number: c.verdict for c in payload.criteria}
    if len(checks) != len(payload.criteria):
        raise DomainError("Toets elk criterium één keer.", field="criteria")
    decision = services.financing_decide(
        decision=decision,
        actor=current_user(request),
        membership=membership,
        criteria_checks=checks,
        approved=payload.decision == "approved",
        reason=payload.reason,
        amount=payload.amount,
        duration_months=payload.duration_months,
        goal_ids=payload.goal_ids,
    )
    return _decision_out(case, FinancingDecision.objects.get(pk=decision.pk))


class FinancingItemOut(Schema):
    id: int
    reference: str
    insurer: str
    decision: str
    amount: Decimal | None
    requested_at: datetime
    decided_at: datetime | None


class FinancingPageOut(PageOut):
    items: list[FinancingItemOut]


def _adviser_insurers(request: HttpRequest, detail: str) -> tuple[object, list[int]]:
    actor = request_actor(request)
    insurers = list(actor.organisation_ids(Role.MEDICAL_ADVISER))
    if not insurers:
        access_log_write(
            actor=actor, action=Action.LIST, outcome=Outcome.DENIED, channel="api", detail=detail
        )
        raise NotAllowed("Alleen een medisch adviseur van een zorgverzekeraar ziet deze lijst.")
    return actor, insurers


def _item(d: FinancingDecision) -> FinancingItemOut:
    return FinancingItemOut(
        id=d.pk,
        reference=d.case.reference,
        insurer=d.insurer.name,
        decision=d.decision,
        amount=d.amount,
        requested_at=d.created_at,
        decided_at=d.decided_at,
    )


@router.get(
    "/financing/requests",
    response=FinancingPageOut,
    summary="Open aanvragen bij uw zorgverzekeraar(s), oudste eerst (medisch adviseur)",
)
def financing_open(request: HttpRequest, paging_query: Query[PageQuery]):
    actor, insurers = _adviser_insurers(request, "open aanvragen financiering")
    page = api_page(
        adviser_open_requests(insurers), paging_query, field="created_at", descending=False
    )
    log_list(actor, channel="api", detail="open aanvragen financiering")  # type: ignore[arg-type]
    return FinancingPageOut(items=[_item(d) for d in page.rows], **paging(request, page))


@router.get(
    "/financing/decisions",
    response=FinancingPageOut,
    summary="Uw eigen besluiten als medisch adviseur, nieuwste eerst",
)
def financing_mine(request: HttpRequest, paging_query: Query[PageQuery]):
    actor, _ = _adviser_insurers(request, "financieringsbesluiten")
    decisions = adviser_decisions(current_user(request)).filter(decided_at__isnull=False)
    page = api_page(decisions, paging_query, field="decided_at")
    log_list(actor, channel="api", detail="financieringsbesluiten")  # type: ignore[arg-type]
    return FinancingPageOut(items=[_item(d) for d in page.rows], **paging(request, page))
