"""The sociale kaart in the integral plan: a coordinator attaches an offer to a plan goal (so the
plan says which offer at which location), or records a shortage when the search found none.

Recorded shortages use the monitor's codes (seed 001 §4.1, `reference.questionnaire.SHORTAGES`); they are
added to the case's shortages, which the close form starts from, so the monitor's shortage counts
come from real searches. Kept here, beside the sociale kaart, so the plan code stays untouched
but for the goal's nullable `offer` field.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vangnet.accounts.models import User
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import Action
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError
from vangnet.common.validators import clean_text
from vangnet.plans.models import PlanGoal
from vangnet.plans.services import plan_revise
from vangnet.reference import questionnaire as codes

from .models import Offer, ShortageRecord


def _revise(goal: PlanGoal, actor: User, summary: str, old: str, new: str) -> None:
    # One revision history for the plan: the same step the plan's own services use.
    plan_revise(
        goal.plan, actor, summary, [{"field": f"Doel {goal.pk}: aanbod", "old": old, "new": new}]
    )


def _label(offer: Offer | None) -> str:
    if offer is None:
        return ""
    loc = offer.location
    place = loc.municipality.name if loc.municipality else "op afstand"
    return f"{offer.name} — {loc.organisation.name}, {loc.name} ({place})"


def goal_offer_attach(
    *, actor: User, goal: PlanGoal, offer: Offer | None, channel: str = "web"
) -> PlanGoal:
    """Attach (or with `offer=None` detach) a sociale kaart offer to a goal of the plan. Only the
    coordinator of the case's table; the access is logged, a refusal too."""
    case = goal.plan.case
    case_access(
        actor_for(actor),
        case,
        permission=Permission.MANAGE,
        action=Action.UPDATE,
        channel=channel,
        detail="plan: aanbod bij doel",
    )
    with transaction.atomic():
        goal = PlanGoal.objects.select_for_update().select_related("plan__case").get(pk=goal.pk)
        if goal.status in (PlanGoal.Status.ACHIEVED, PlanGoal.Status.STOPPED):
            raise DomainError(
                "Dit doel is afgerond; koppel het aanbod aan een lopend doel.", field="goal"
            )
        old = (
            Offer.objects.select_related("location__organisation", "location__municipality")
            .filter(pk=goal.offer_id)
            .first()
            if goal.offer_id
            else None
        )
        if (old.pk if old else None) == (offer.pk if offer else None):
            return goal
        goal.offer = offer
        goal.save(update_fields=["offer", "updated_at"])
        _revise(
            goal,
            actor,
            "Aanbod uit de sociale kaart gekoppeld aan een doel"
            if offer
            else "Aanbod losgekoppeld van een doel",
            _label(old),
            _label(offer),
        )
    return goal


def shortage_record(
    *,
    actor: User,
    case: Case,
    code: str,
    note: str = "",
    search: dict[str, Any] | None = None,
    channel: str = "web",
) -> ShortageRecord:
    """Record that the sociale kaart had no suitable offer: a shortage with the monitor's code,
    the search that found nothing (filters only, no patient data) and a note."""
    case_access(
        actor_for(actor),
        case,
        permission=Permission.MANAGE,
        action=Action.UPDATE,
        channel=channel,
        detail="tekort vastgelegd",
    )
    valid = {value for value, _ in codes.SHORTAGES}
    if code not in valid:
        raise DomainError("Kies een van de tekorten van de monitor.", field="code")
    note = clean_text(
        note, field="note", label="De toelichting", max_length=1000, required=code == "other"
    )
    with transaction.atomic():
        record = ShortageRecord.objects.create(
            case=case, code=code, note=note, search=search or {}, recorded_by=actor
        )
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if code not in (locked.shortages or []):
            locked.shortages = sorted({*(locked.shortages or []), code})
            locked.save(update_fields=["shortages"])
    return record
