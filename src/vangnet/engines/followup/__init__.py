"""Date arithmetic of follow-up: the offer term with suspensions, phases and monthly check-ins.

Pure: dates in, dates out, no Django. Assumptions:
- The offer term starts on the admission date and lasts `term_days` calendar days.
- A suspension covers the days [start, end) — `end` is the day the term runs again. An open
  suspension (no end yet) counts up to and including `today`, so the deadline moves day by day
  while it lasts. Overlapping suspensions count each day once.
- Phases last 3 to 6 whole months (FCON); check-ins fall monthly on the same day of the month as
  the phase start, clipped to the month's last day (31 Jan → 28/29 Feb), excluding the start.
- "Nearing" a due date means within `warn_days` before it; "overdue" means strictly after it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MIN_PHASE_MONTHS = 3
MAX_PHASE_MONTHS = 6


@dataclass(frozen=True)
class Suspension:
    start: date
    end: date | None  # None: still running


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def suspended_days(
    suspensions: Iterable[Suspension], *, today: date, since: date | None = None
) -> int:
    """Distinct days covered by the suspensions up to `today` (inclusive), from `since` on."""
    intervals: list[tuple[date, date]] = []
    for s in suspensions:
        start = max(s.start, since) if since else s.start
        end = s.end if s.end is not None else today + timedelta(days=1)
        if end > start:
            intervals.append((start, end))
    intervals.sort()
    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in intervals:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return total


def term_deadline(
    *, admitted_on: date, term_days: int, suspensions: Sequence[Suspension], today: date
) -> date:
    """The date by which suitable care must be offered: term plus every suspended day."""
    if term_days < 1:
        raise ValueError("term_days must be positive")
    return admitted_on + timedelta(
        days=term_days + suspended_days(suspensions, today=today, since=admitted_on)
    )


class DueStatus(StrEnum):
    OK = "ok"
    NEARING = "nearing"
    OVERDUE = "overdue"


def due_status(due: date, *, today: date, warn_days: int) -> DueStatus:
    if today > due:
        return DueStatus.OVERDUE
    if (due - today).days <= warn_days:
        return DueStatus.NEARING
    return DueStatus.OK


def phase_end(start: date, months: int) -> date:
    if not MIN_PHASE_MONTHS <= months <= MAX_PHASE_MONTHS:
        raise ValueError("a phase lasts 3 to 6 months")
    return add_months(start, months)


def checkin_dates(start: date, months: int) -> list[date]:
    """Monthly check-ins of a phase: one month after the start up to and including its end."""
    phase_end(start, months)  # validates the length
    return [add_months(start, k) for k in range(1, months + 1)]
