"""The waiting lists' part of the daily reminders job: a registration pause that ran to its
planned end is announced as ended to the region's parties, like one ended early (issue 16 §4).
Idempotent: the end of a pause is announced once (`services.pause_notify`'s dedup key)."""

from __future__ import annotations

from datetime import date, timedelta

from .models import RegistrationPause
from .services import pause_notify

RECENT_DAYS = 7  # a job that did not run for a while does not announce old pauses


def run(*, today: date) -> int:
    sent = 0
    for pause in RegistrationPause.objects.filter(
        ended_on__isnull=True,
        planned_end_on__lt=today,
        planned_end_on__gte=today - timedelta(days=RECENT_DAYS),
    ).select_related("provider__municipality", "diagnosis_group"):
        sent += pause_notify(pause, started=False)
    return sent
