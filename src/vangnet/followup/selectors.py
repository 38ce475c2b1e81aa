"""Reads for follow-up: the offer term's status of a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.cases.workflow import ACTIVE_STATES
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
    from vangnet.engines.followup import due_status

    from .services import case_deadline

    if case.admitted_on is None or case.state not in ACTIVE_STATES:
        return None
    today = today or timezone.localdate()
    if suspensions is None:
        suspensions = list(case.suspensions.all())
    deadline = case_deadline(case, today=today, suspensions=suspensions)
    assert deadline is not None
    suspended = any(s.ended_on is None and s.starts_on <= today for s in suspensions)
    return TermStatus(
        deadline=deadline,
        status=str(due_status(deadline, today=today, warn_days=WARN_DAYS)),
        suspended=suspended,
        days_left=(deadline - today).days,
    )


def next_checkin(case: Case) -> CheckIn | None:
    """The first check-in of the case still to be done (overdue ones included)."""
    return CheckIn.objects.filter(phase__case=case, done_at__isnull=True).order_by("due_on").first()
