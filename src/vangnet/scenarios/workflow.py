"""The life of a scenario run: queued -> running -> done, or failed (with a Dutch message).

A run advances in steps (a bounded number of replications each), from the page's progress
poll or from `python -m vangnet scenarios work`; a step on a finished scenario changes nothing,
so re-running is idempotent. A failed scenario can be queued again.
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    QUEUED = "queued", "In de wachtrij"
    RUNNING = "running", "Wordt gerekend"
    DONE = "done", "Klaar"
    FAILED = "failed", "Mislukt"


ALLOWED = {
    Status.QUEUED: {Status.RUNNING, Status.DONE, Status.FAILED},
    Status.RUNNING: {Status.RUNNING, Status.DONE, Status.FAILED},
    Status.FAILED: {Status.QUEUED},
    Status.DONE: set(),
}


def can_move(current: str, target: str) -> bool:
    return Status(target) in ALLOWED[Status(current)]
