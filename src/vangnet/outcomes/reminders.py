"""The outcome questions of the daily reminders job (`python -m vangnet reminders`).

A case closed with a new offer gets its question 3 and 12 months after the closure. A run that
missed days still asks, for as long as the question makes sense (until the next moment, or
three months after the last); a question is never sent twice (`services.request_send`).
"""

from __future__ import annotations

import itertools
from datetime import date

from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.engines.followup import add_months
from vangnet.reference import outcome_followup as vocab

from .services import request_send

LATE_MONTHS = 3  # the 12-month question is still asked this long after its moment


def run(*, today: date) -> int:
    sent = 0
    earliest = add_months(today, -(max(vocab.MONTHS) + LATE_MONTHS))
    latest = add_months(today, -min(vocab.MONTHS))
    cases = Case.objects.filter(
        state=State.CLOSED,
        outcome="new_offer",
        closed_at__date__gte=earliest,
        closed_at__date__lte=latest,
    ).select_related("referrer", "table")
    for case in cases:
        assert case.closed_at is not None
        closed_on = timezone.localdate(case.closed_at)
        moments = [*vocab.MONTHS, max(vocab.MONTHS) + LATE_MONTHS]
        for months, until in itertools.pairwise(moments):
            due = add_months(closed_on, months) <= today < add_months(closed_on, until)
            if due and request_send(case=case, months=months, closed_on=closed_on) is not None:
                sent += 1
    return sent
