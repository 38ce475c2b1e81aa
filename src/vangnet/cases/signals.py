"""What the case work announces to the apps that listen, so that they depend on `cases` and
`cases` never on them (docs/architecture.md).

`case_changed` is sent after the transaction that changed a case commits (a rolled-back step
announces nothing), with the case freshly read. The monitor listens: its questionnaire follows the
registration, triage and closure of the case, so the monitor stays a by-product of the case work.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from .models import Case

# Sent with sender=Case and keyword arguments `case` (the committed Case) and `step` (what
# happened: "registration", "triage", "closure", "reopening", "plan_adopted").
case_changed = Signal()


def announce_case_changed(case: Case, *, step: str) -> None:
    """Send `case_changed` for `case` once the current transaction commits."""
    pk = case.pk

    def send() -> None:
        case_changed.send(sender=Case, case=Case.objects.get(pk=pk), step=step)

    transaction.on_commit(send)
