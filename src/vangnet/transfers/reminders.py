"""Deadline reminders of the transfer desk, run by the daily reminders job
(`python -m vangnet reminders`, `casework/reminders.py`). Idempotent: each reminder has a dedup
key naming the transfer, the deadline and its date, so a second run sends nothing new.

* An offer not answered within 5 working days: to whoever put the client forward and the desk.
* An accepted transfer without an intake date after 10 days: to the receiving provider and the
  desk.

Texts carry the candidate's reference only, never personal data (they may be e-mailed).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.common.dates import dutch_date
from vangnet.waitlists.models import ProcessOwnerRegion

from .access import PROVIDER_ROLES, PUT_FORWARD_ROLES
from .models import Transfer, TransferState


def _users(organisation_id: int | None, roles: tuple[str, ...]) -> list[User]:
    if organisation_id is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role__in=roles, active=True, user__is_active=True
        ).select_related("user")
    ]


def _desk(kind: str, code: str) -> list[User]:
    return [
        r.membership.user
        for r in ProcessOwnerRegion.objects.filter(
            region_kind=kind,
            region_code=code,
            membership__active=True,
            membership__role=Role.PROCESS_OWNER,
        ).select_related("membership__user")
    ]


def run(*, today: date) -> dict[str, int]:
    """Send the reminders due on `today`; returns the number created per kind."""
    counts = {"transfer_antwoord": 0, "transfer_intakedatum": 0}
    for t in Transfer.objects.filter(
        state=TransferState.OFFERED, answer_due__isnull=False, answer_due__lt=today
    ).select_related("candidate"):
        c = t.candidate
        assert t.answer_due is not None
        users = _users(c.put_forward_organisation_id, tuple(PUT_FORWARD_ROLES))
        users += _desk(c.region_kind, c.region_code)
        counts["transfer_antwoord"] += len(
            notification_send(
                users=users,
                subject=f"Transfer {c.reference}: nog geen antwoord van de cliënt",
                body=(
                    f"Het aanbod aan de cliënt ({c.reference}) had uiterlijk "
                    f"{dutch_date(t.answer_due)} beantwoord moeten zijn. Vraag het antwoord na "
                    "en leg het vast in Vangnet."
                ),
                dedup_key=f"transfer:{t.pk}:answer:{t.answer_due.isoformat()}",
            )
        )
    for t in Transfer.objects.filter(
        Q(state=TransferState.ACCEPTED) | Q(state=TransferState.HANDOVER),
        intake_due__isnull=False,
        intake_due__lt=today,
        intake_date__isnull=True,
    ).select_related("candidate", "receiving_location"):
        c = t.candidate
        assert t.intake_due is not None
        users = _users(t.receiving_location.organisation_id, PROVIDER_ROLES)
        users += _desk(c.region_kind, c.region_code)
        counts["transfer_intakedatum"] += len(
            notification_send(
                users=users,
                subject=f"Transfer {c.reference}: nog geen intakedatum",
                body=(
                    f"De cliënt ({c.reference}) accepteerde de transfer; uiterlijk "
                    f"{dutch_date(t.intake_due)} had de ontvangende aanbieder een intakedatum "
                    "moeten bevestigen. Bevestig de datum in Vangnet."
                ),
                dedup_key=f"transfer:{t.pk}:intake_date:{t.intake_due.isoformat()}",
            )
        )
    return counts
