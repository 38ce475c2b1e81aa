"""What an approved maatwerkarrangement may record: an amount, a duration, the plan's goals.
The checks of `financing_decide`, kept apart so the plan's services stay one readable module."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from vangnet.cases.models import Case
from vangnet.common.errors import DomainError
from vangnet.plans.models import PlanGoal

# A maatwerkarrangement pays for care no regular scheme does; a year of intensive care with
# housing can cost a few hundred thousand euros. Above this an extra zero is the likelier cause.
MAX_AMOUNT = Decimal("1000000")
MAX_DURATION_MONTHS = 60


def check_amount(amount: Decimal | None) -> Decimal:
    if amount is None:
        raise DomainError("Vul het bedrag in dat u toekent.", field="amount")
    try:
        value = Decimal(amount).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            "Vul het bedrag in euro's in, bijvoorbeeld 12500,00.", field="amount"
        ) from None
    if not value.is_finite() or value <= 0:
        raise DomainError("Het bedrag moet groter zijn dan nul.", field="amount")
    if value > MAX_AMOUNT:
        raise DomainError(
            f"Het bedrag is hoger dan € {MAX_AMOUNT:,.0f}".replace(",", ".")
            + "; controleer het aantal nullen.",
            field="amount",
        )
    return value


def check_duration(months: int | None) -> int:
    if months is None:
        raise DomainError("Vul de duur in maanden in.", field="duration_months")
    if not 1 <= months <= MAX_DURATION_MONTHS:
        raise DomainError(
            f"De duur is 1 tot en met {MAX_DURATION_MONTHS} maanden.", field="duration_months"
        )
    return months


def check_goals(case: Case, goal_ids: Sequence[int]) -> list[PlanGoal]:
    ids = set(goal_ids)
    if not ids:
        raise DomainError("Kies de doelen die het arrangement dekt.", field="goals")
    goals = list(PlanGoal.objects.filter(pk__in=ids, plan__case=case))
    if len(goals) != len(ids):
        raise DomainError("Kies alleen doelen uit het plan van deze casus.", field="goals")
    return goals
