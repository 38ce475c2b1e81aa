"""Writes for the integral plan (goals, responses, revisions) and its financing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.accounts.services import notification_send
from vangnet.cases.access import Permission, granting_membership
from vangnet.cases.models import Case, CriterionAssessment
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    case_event,
    organisation_table_members,
    record_event,
    require_plan_editor,
    require_state,
    table_staff,
)
from vangnet.cases.workflow import (
    State,
)
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text
from vangnet.directory.models import Organisation
from vangnet.plans.models import (
    Financing,
    FinancingDecision,
    LifeDomain,
    Plan,
    PlanGoal,
    PlanRevision,
)
from vangnet.regions.models import Criterion

PLAN_FIELDS = {
    "regiebehandelaar": "Regiebehandelaar / casusregisseur",
    "procesregie": "Procesregie",
    "handover_from": "Warme overdracht van",
    "handover_to": "Warme overdracht naar",
    "handover_on": "Datum warme overdracht",
    "takeover_goals": "Tijdelijke overname: doelen",
    "takeover_return_condition": "Tijdelijke overname: terugkeervoorwaarde",
    "if_placement_fails": "Als de plaatsing mislukt",
}


def plan_for_update(case: Case) -> Plan:
    require_state(case, State.PLAN, State.FOLLOW_UP, action="Het plan wijzigen")
    plan, _ = Plan.objects.select_for_update().get_or_create(case=case)
    return plan


def plan_revise(
    plan: Plan, actor: User, summary: str, changes: list[dict[str, Any]]
) -> PlanRevision:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    return PlanRevision.objects.create(
        plan=plan,
        version=plan.version,
        changed_by=actor,
        changed_at=timezone.now(),
        summary=summary[:300],
        changes=changes,
    )


def may_direct(user: User, case: Case) -> bool:
    return granting_membership(actor_for(user), case, Permission.CHECK_IN) is not None


@transaction.atomic
def plan_update(*, case: Case, actor: User, membership: Membership, values: dict[str, Any]) -> Plan:
    require_plan_editor(membership, case)
    plan = plan_for_update(case)
    changes = []
    for name, value in values.items():
        if name == "case_director":
            old = plan.case_director
            if value is not None and value != old and not may_direct(value, case):
                raise DomainError(
                    "De casusregisseur moet de casus kunnen zien: de coördinator van de tafel of een "
                    "tafellid van een uitgenodigde organisatie met toestemming.",
                    field="case_director",
                )
            if value != old:
                changes.append(
                    {
                        "field": "Casusregisseur (gebruiker)",
                        "old": str(old or ""),
                        "new": str(value or ""),
                    }
                )
                plan.case_director = value
            continue
        if name == "regiebehandelaar_organisation":
            old_org = plan.regiebehandelaar_organisation
            if value != old_org:
                changes.append(
                    {
                        "field": "Organisatie regiebehandelaar",
                        "old": str(old_org or ""),
                        "new": str(value or ""),
                    }
                )
                plan.regiebehandelaar_organisation = value
            continue
        if name not in PLAN_FIELDS:
            raise DomainError(f"Onbekend onderdeel van het plan: {name}.")
        if name != "handover_on":
            value = clean_text(
                value, field=name, label=PLAN_FIELDS[name], max_length=LONG, required=False
            )
        old_value = getattr(plan, name)
        if value != old_value:
            changes.append(
                {"field": PLAN_FIELDS[name], "old": str(old_value or ""), "new": str(value or "")}
            )
            setattr(plan, name, value)
    if not changes:
        raise DomainError("Er is niets gewijzigd.")
    plan.save()
    plan_revise(plan, actor, "Plan bijgewerkt: " + ", ".join(c["field"] for c in changes), changes)
    return plan


@transaction.atomic
def goal_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    domain: str,
    description: str,
    organisation: Organisation | None,
    financing: str,
    contact: str = "",
) -> PlanGoal:
    require_plan_editor(membership, case)
    plan = plan_for_update(case)
    if domain not in LifeDomain.values:
        raise DomainError("Kies het levensdomein van het doel.", field="domain")
    if organisation is None:
        raise DomainError(
            "Een doel heeft altijd een verantwoordelijke organisatie.", field="organisation"
        )
    if financing not in Financing.values:
        raise DomainError("Kies de financiering van het doel.", field="financing")
    goal = PlanGoal.objects.create(
        plan=plan,
        domain=domain,
        organisation=organisation,
        financing=financing,
        description=clean_text(
            description, field="description", label="Het doel", max_length=LONG, required=True
        ),
        contact=clean_text(
            contact, field="contact", label="De contactpersoon", max_length=SHORT, required=False
        ),
    )
    plan_revise(
        plan,
        actor,
        f"Doel toegevoegd ({LifeDomain(domain).label}) voor {organisation}",
        [
            {
                "field": f"Doel {goal.pk}",
                "old": "",
                "new": f"{LifeDomain(domain).label}: {goal.description} — {organisation}, {Financing(financing).label}",
            }
        ],
    )
    notification_send(
        users=organisation_table_members(case, organisation.pk),
        subject=f"Nieuw doel voor uw organisatie in casus {case.reference}",
        body="Accepteer of weiger het doel in het integrale plan.",
        case_reference=case.reference,
    )
    return goal


@transaction.atomic
def goal_respond(
    *, goal: PlanGoal, actor: User, membership: Membership, accept: bool, note: str = ""
) -> PlanGoal:
    """The responsible organisation accepts or declines its goal; a decline returns to the coordinator."""
    goal = PlanGoal.objects.select_for_update().select_related("plan__case").get(pk=goal.pk)
    require_state(goal.plan.case, State.PLAN, State.FOLLOW_UP, action="Reageren op een doel")
    if membership.organisation_id != goal.organisation_id:
        raise NotAllowed(
            "Alleen de verantwoordelijke organisatie kan dit doel accepteren of weigeren."
        )
    if goal.status not in {PlanGoal.Status.PROPOSED, PlanGoal.Status.DECLINED}:
        raise DomainError("Op dit doel is al gereageerd.")
    note = clean_text(
        note, field="note", label="De toelichting", max_length=LONG, required=not accept
    )
    old = goal.status
    goal.status = PlanGoal.Status.ACCEPTED if accept else PlanGoal.Status.DECLINED
    goal.response_note = note
    goal.responded_by = actor
    goal.responded_at = timezone.now()
    goal.save()
    case = goal.plan.case
    plan_revise(
        goal.plan,
        actor,
        f"Doel {'geaccepteerd' if accept else 'geweigerd'} door {membership.organisation}",
        [
            {
                "field": f"Status doel {goal.pk}",
                "old": PlanGoal.Status(old).label,
                "new": goal.get_status_display(),
            }
        ],
    )
    if not accept:
        notification_send(
            users=table_staff(case.table, Role.COORDINATOR),
            subject=f"Doel geweigerd in casus {case.reference}",
            body=f"{membership.organisation} weigerde een doel. Pas het plan aan.",
            case_reference=case.reference,
        )
    return goal


@transaction.atomic
def goal_set_status(
    *, goal: PlanGoal, actor: User, membership: Membership, status: str
) -> PlanGoal:
    require_plan_editor(membership, goal.plan.case)
    require_state(
        goal.plan.case, State.PLAN, State.FOLLOW_UP, action="De status van een doel wijzigen"
    )
    if status not in {
        PlanGoal.Status.IN_PROGRESS,
        PlanGoal.Status.ACHIEVED,
        PlanGoal.Status.STOPPED,
    }:
        raise DomainError("Kies een geldige status.")
    if goal.status in {PlanGoal.Status.PROPOSED, PlanGoal.Status.DECLINED}:
        raise DomainError("Een doel dat niet is geaccepteerd kan niet lopen of bereikt zijn.")
    old = goal.status
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    plan_revise(
        goal.plan,
        actor,
        f"Status doel {goal.pk} gewijzigd",
        [
            {
                "field": f"Status doel {goal.pk}",
                "old": PlanGoal.Status(old).label,
                "new": goal.get_status_display(),
            }
        ],
    )
    return goal


@transaction.atomic
def financing_request(
    *, case: Case, actor: User, membership: Membership, insurer: Organisation
) -> FinancingDecision:
    require_plan_editor(membership, case)
    from vangnet.directory.models import OrganisationType

    if insurer.organisation_type != OrganisationType.INSURER:
        raise DomainError(
            "Een maatwerkarrangement wordt aangevraagd bij een zorgverzekeraar.", field="insurer"
        )
    if case.financing_decisions.filter(
        insurer=insurer, decision=FinancingDecision.Decision.REQUESTED
    ).exists():
        raise DomainError("Er loopt al een aanvraag bij deze zorgverzekeraar.", field="insurer")
    decision = FinancingDecision.objects.create(case=case, insurer=insurer, requested_by=actor)
    case_event(
        case,
        actor,
        membership,
        "financing_request",
        f"Maatwerkarrangement aangevraagd bij {insurer}",
    )
    notification_send(
        users=[
            m.user
            for m in Membership.objects.filter(
                organisation=insurer, role=Role.MEDICAL_ADVISER, active=True
            ).select_related("user")
        ],
        subject=f"Aanvraag maatwerkarrangement voor casus {case.reference}",
        body="Toets de zeven criteria en neem een besluit over het maatwerkarrangement.",
        case_reference=case.reference,
    )
    return decision


@transaction.atomic
def financing_decide(
    *,
    decision: FinancingDecision,
    actor: User,
    membership: Membership,
    criteria_checks: dict[int, str],
    approved: bool,
    reason: str,
) -> FinancingDecision:
    decision = FinancingDecision.objects.select_for_update().get(pk=decision.pk)
    if membership.role != Role.MEDICAL_ADVISER or membership.organisation_id != decision.insurer_id:
        raise NotAllowed(
            "Alleen een medisch adviseur van deze zorgverzekeraar beslist over dit arrangement."
        )
    if decision.decision != FinancingDecision.Decision.REQUESTED:
        raise DomainError("Over deze aanvraag is al besloten.")
    numbers = set(Criterion.objects.values_list("number", flat=True))
    if set(criteria_checks) != numbers or any(
        v not in CriterionAssessment.Verdict.values for v in criteria_checks.values()
    ):
        raise DomainError(
            "Toets elk van de zeven criteria (voldaan, niet voldaan of onbekend).", field="criteria"
        )
    decision.reason = clean_text(
        reason, field="reason", label="De motivering", max_length=LONG, required=True
    )
    decision.criteria_checks = {str(k): v for k, v in sorted(criteria_checks.items())}
    decision.decision = (
        FinancingDecision.Decision.APPROVED if approved else FinancingDecision.Decision.DECLINED
    )
    decision.adviser = actor
    decision.decided_at = timezone.now()
    decision.save()
    case = decision.case
    record_event(
        case,
        actor=actor,
        role=membership.role,
        transition="financing_decide",
        from_state=case.state,
        note=f"Maatwerkarrangement {decision.get_decision_display().lower()} door {membership.organisation}",
    )
    notification_send(
        users=table_staff(case.table, Role.COORDINATOR),
        subject=f"Besluit maatwerkarrangement casus {case.reference}: {decision.get_decision_display()}",
        body="De medisch adviseur heeft besloten over de financiering.",
        case_reference=case.reference,
    )
    return decision
