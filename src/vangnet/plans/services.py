"""Writes for the integral plan (goals, responses, revisions) and its financing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
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
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text
from vangnet.directory.models import Organisation
from vangnet.plans.models import (
    ConfirmedVia,
    Financing,
    FinancingDecision,
    LifeDomain,
    Plan,
    PlanGoal,
    PlanRevision,
)
from vangnet.regions.models import Criterion

from .financing_rules import check_amount, check_duration, check_goals

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


def _goal_for_update(goal: PlanGoal, action: str) -> PlanGoal:
    goal = PlanGoal.objects.select_for_update().select_related("plan__case").get(pk=goal.pk)
    require_state(goal.plan.case, State.PLAN, State.FOLLOW_UP, action=action)
    return goal


def _goal_line(goal: PlanGoal) -> str:
    return (
        f"{LifeDomain(goal.domain).label}: {goal.description} — {goal.organisation}, "
        f"{Financing(goal.financing).label}"
    )


@transaction.atomic
def goal_update(
    *,
    goal: PlanGoal,
    actor: User,
    membership: Membership,
    domain: str,
    description: str,
    organisation: Organisation | None,
    financing: str,
    contact: str = "",
) -> PlanGoal:
    """The coordinator edits or reassigns a goal. A new organisation, or a new wording of the goal,
    must be accepted again: what was accepted is no longer what is asked."""
    require_plan_editor(membership, goal.plan.case)
    goal = _goal_for_update(goal, "Een doel wijzigen")
    if goal.status in {PlanGoal.Status.ACHIEVED, PlanGoal.Status.STOPPED}:
        raise DomainError("Een bereikt of gestopt doel kan niet meer worden gewijzigd.")
    if domain not in LifeDomain.values:
        raise DomainError("Kies het levensdomein van het doel.", field="domain")
    if organisation is None:
        raise DomainError(
            "Een doel heeft altijd een verantwoordelijke organisatie.", field="organisation"
        )
    if financing not in Financing.values:
        raise DomainError("Kies de financiering van het doel.", field="financing")
    description = clean_text(
        description, field="description", label="Het doel", max_length=LONG, required=True
    )
    contact = clean_text(
        contact, field="contact", label="De contactpersoon", max_length=SHORT, required=False
    )
    old_line, old_org, old_status = _goal_line(goal), goal.organisation, goal.status
    changed = (
        goal.domain != domain
        or goal.description != description
        or goal.organisation_id != organisation.pk
        or goal.financing != financing
        or goal.contact != contact
    )
    if not changed:
        raise DomainError("Er is niets gewijzigd.")
    must_accept_again = goal.organisation_id != organisation.pk or goal.description != description
    goal.domain, goal.description, goal.organisation = domain, description, organisation
    goal.financing, goal.contact = financing, contact
    if must_accept_again and goal.plan.case.state == State.PLAN:
        goal.status = PlanGoal.Status.PROPOSED
        goal.response_note, goal.responded_by, goal.responded_at = "", None, None
        goal.confirmed_by_name, goal.confirmed_via, goal.confirmed_on = "", "", None
    goal.save()
    changes = [{"field": f"Doel {goal.pk}", "old": old_line, "new": _goal_line(goal)}]
    if goal.status != old_status:
        changes.append(
            {
                "field": f"Status doel {goal.pk}",
                "old": PlanGoal.Status(old_status).label,
                "new": goal.get_status_display(),
            }
        )
    summary = (
        f"Doel {goal.pk} overgedragen van {old_org} aan {organisation}"
        if old_org.pk != organisation.pk
        else f"Doel {goal.pk} gewijzigd"
    )
    plan_revise(goal.plan, actor, summary, changes)
    if goal.status == PlanGoal.Status.PROPOSED:
        case = goal.plan.case
        notification_send(
            users=organisation_table_members(case, organisation.pk),
            subject=f"Gewijzigd doel voor uw organisatie in casus {case.reference}",
            body="Accepteer of weiger het doel in het integrale plan.",
            case_reference=case.reference,
        )
    return goal


@transaction.atomic
def goal_remove(*, goal: PlanGoal, actor: User, membership: Membership, reason: str) -> None:
    """Before the plan is adopted a goal can be removed; afterwards it is stopped (it has a
    history of check-ins). The revision keeps what the goal was."""
    require_plan_editor(membership, goal.plan.case)
    goal = _goal_for_update(goal, "Een doel verwijderen")
    if goal.plan.case.state != State.PLAN:
        raise DomainError(
            "Na het vaststellen van het plan kunt u een doel stoppen, niet verwijderen."
        )
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    plan, line, pk = goal.plan, _goal_line(goal), goal.pk
    goal.delete()
    plan_revise(
        plan,
        actor,
        f"Doel {pk} verwijderd: {reason}",
        [{"field": f"Doel {pk}", "old": line, "new": ""}],
    )


@transaction.atomic
def goal_confirm_on_behalf(
    *,
    goal: PlanGoal,
    actor: User,
    membership: Membership,
    confirmed_by: str,
    confirmed_via: str,
    confirmed_on: date,
    note: str = "",
) -> PlanGoal:
    """The coordinator records the acceptance of an organisation that has no Vangnet users and so
    can never answer itself: who confirmed it for the organisation, how, and when."""
    require_plan_editor(membership, goal.plan.case)
    goal = _goal_for_update(goal, "Een doel namens een organisatie accepteren")
    if goal.status not in {PlanGoal.Status.PROPOSED, PlanGoal.Status.DECLINED}:
        raise DomainError("Dit doel is al geaccepteerd.")
    if Membership.objects.filter(organisation_id=goal.organisation_id, active=True).exists():
        raise DomainError(
            f"{goal.organisation} heeft gebruikers in Vangnet en accepteert het doel zelf."
        )
    confirmed_by = clean_text(
        confirmed_by,
        field="confirmed_by",
        label="Wie bevestigde het",
        max_length=SHORT,
        required=True,
    )
    if confirmed_via not in ConfirmedVia.values:
        raise DomainError("Kies hoe de organisatie het bevestigde.", field="confirmed_via")
    if confirmed_on > timezone.localdate():
        raise DomainError("De datum van de bevestiging ligt in de toekomst.", field="confirmed_on")
    old = goal.status
    goal.status = PlanGoal.Status.ACCEPTED
    goal.response_note = clean_text(
        note, field="note", label="De toelichting", max_length=LONG, required=False
    )
    goal.responded_by, goal.responded_at = actor, timezone.now()
    goal.confirmed_by_name, goal.confirmed_via, goal.confirmed_on = (
        confirmed_by,
        confirmed_via,
        confirmed_on,
    )
    goal.save()
    plan_revise(
        goal.plan,
        actor,
        f"Doel {goal.pk} geaccepteerd namens {goal.organisation} "
        f"({confirmed_by}, {ConfirmedVia(confirmed_via).label.lower()}, {dutch_date(confirmed_on)})",
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
    if goal.status == status:
        raise DomainError("Het doel heeft deze status al.")
    if status != PlanGoal.Status.STOPPED and goal.status in {
        PlanGoal.Status.PROPOSED,
        PlanGoal.Status.DECLINED,
    }:
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
    amount: Decimal | None = None,
    duration_months: int | None = None,
    goal_ids: Sequence[int] = (),
) -> FinancingDecision:
    """The adviser's decision. An approval records what it grants: an amount in euros, a
    duration in months and the plan's goals it pays for; a refusal records none of them."""
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
    goals: list[PlanGoal] = []
    if approved:
        amount = check_amount(amount)
        duration_months = check_duration(duration_months)
        goals = check_goals(decision.case, goal_ids)
    else:
        amount, duration_months = None, None
    decision.reason = clean_text(
        reason, field="reason", label="De motivering", max_length=LONG, required=True
    )
    decision.amount = amount
    decision.duration_months = duration_months
    decision.criteria_checks = {str(k): v for k, v in sorted(criteria_checks.items())}
    decision.decision = (
        FinancingDecision.Decision.APPROVED if approved else FinancingDecision.Decision.DECLINED
    )
    decision.adviser = actor
    decision.decided_at = timezone.now()
    decision.save()
    decision.goals.set(goals)
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
