"""The escalation ladder and the offer term as rules the case file and the services share: which
levels a case may move to next, and whether the term may be suspended now (issue 11 §2)."""

from __future__ import annotations

from vangnet.cases.models import Case
from vangnet.followup.models import EscalationLevel


def next_levels(current: int) -> list[int]:
    """Up one rung at a time (every step gets its chance), down to any lower rung."""
    return [level for level in EscalationLevel.values if level != current and level <= current + 1]


def running_suspension(case: Case) -> bool:
    """One suspension at a time: a second one cannot start while one runs."""
    return case.suspensions.filter(ended_on__isnull=True).exists()
