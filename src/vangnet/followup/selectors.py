"""Reads for follow-up: the offer term's status of a case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.cases.workflow import ACTIVE_STATES
from vangnet.engines.followup import Suspension, due_status, term_deadline
from vangnet.followup.models import CheckIn, TermSuspension

WARN_DAYS = 14  # warn this many days before the offer term passes


@dataclass(frozen=True)
class TermStatus:
    deadline: date
    status: str  # ok, nearing, overdue
    suspended: bool
    days_left: int


def term_status(
    case: Case, *, today: date | None = None, suspensions: list[TermSuspension] | None = None
) -> TermStatus | None:
    """The case's term; `suspensions` are the case's term suspensions when the caller has them
    (otherwise they are read from the case, prefetched or not)."""
    if suspensions is None:
        suspensions = list(case.suspensions.all())
    return term_status_of(
        state=case.state,
        admitted_on=case.admitted_on,
        term_days=case.table.offer_term_days,
        suspensions=[(s.starts_on, s.ended_on) for s in suspensions],
        today=today or timezone.localdate(),
    )


def term_status_of(
    *,
    state: str,
    admitted_on: date | None,
    term_days: int,
    suspensions: Sequence[tuple[date, date | None]],
    today: date,
) -> TermStatus | None:
    """The term's status from plain values (start and end of each suspension): lists of hundreds
    of cases compute it from one query's rows, without a model instance per case."""
    if admitted_on is None or state not in ACTIVE_STATES:
        return None
    deadline = deadline_of(
        admitted_on=admitted_on, term_days=term_days, suspensions=suspensions, today=today
    )
    suspended = any(end is None and start <= today for start, end in suspensions)
    return TermStatus(
        deadline=deadline,
        status=str(due_status(deadline, today=today, warn_days=WARN_DAYS)),
        suspended=suspended,
        days_left=(deadline - today).days,
    )


def deadline_of(
    *,
    admitted_on: date,
    term_days: int,
    suspensions: Sequence[tuple[date, date | None]],
    today: date,
) -> date:
    """The date by which an admitted patient must be offered suitable care, from plain values
    (start and end of each suspension, the end None while it runs): the one place the term's
    deadline is computed, for the term's status here and for the follow-up services."""
    return term_deadline(
        admitted_on=admitted_on,
        term_days=term_days,
        suspensions=[Suspension(start, end) for start, end in suspensions],
        today=today,
    )


def next_checkin(case: Case) -> CheckIn | None:
    """The first check-in of the case still to be done (overdue ones included)."""
    return CheckIn.objects.filter(phase__case=case, done_at__isnull=True).order_by("due_on").first()
