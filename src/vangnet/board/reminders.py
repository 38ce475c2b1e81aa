"""The overlegtafel's part of the daily reminders job (`python -m vangnet reminders`).

* A decision's deadline nearing (a week before) or passed, while the coordinator has not recorded
  it as carried out: the table's coordinators are reminded, once per status.
* A referral waiting two weeks for a decision: the board members are reminded, once.
Idempotent through the notifications' dedup keys; never patient data in a text.
"""

from __future__ import annotations

from datetime import date, timedelta

from vangnet.accounts.models import Role
from vangnet.accounts.services import notification_send
from vangnet.cases.services import table_staff
from vangnet.common.dates import dutch_date
from vangnet.engines.followup import DueStatus, due_status

from .models import BoardReferral
from .services import board_members

DEADLINE_WARN_DAYS = 7
DECISION_WAIT_DAYS = 14
LABEL = {DueStatus.NEARING: "nadert", DueStatus.OVERDUE: "is verstreken"}


def run(*, today: date) -> int:
    sent = 0
    for r in BoardReferral.objects.filter(
        decided_at__isnull=False, carried_out_at__isnull=True, deadline__isnull=False
    ).select_related("table", "case"):
        assert r.deadline is not None
        status = due_status(r.deadline, today=today, warn_days=DEADLINE_WARN_DAYS)
        if status is DueStatus.OK:
            continue
        sent += len(
            notification_send(
                users=table_staff(r.table, Role.COORDINATOR),
                subject=(
                    f"Uiterste datum besluit bestuurlijke overlegtafel (agendapunt {r.pk}) "
                    f"{LABEL[status]}: {dutch_date(r.deadline)}"
                ),
                body=(
                    "Ga na of het besluit is uitgevoerd en leg dat vast bij het agendapunt; "
                    "zo niet, bespreek het opnieuw met de overlegtafel."
                ),
                case_reference=r.case.reference if r.case else "",
                dedup_key=f"board:{r.pk}:{status}:{r.deadline.isoformat()}",
            )
        )
    waiting_since = today - timedelta(days=DECISION_WAIT_DAYS)
    for r in BoardReferral.objects.filter(
        decided_at__isnull=True, created_at__date__lte=waiting_since
    ).select_related("table"):
        sent += len(
            notification_send(
                users=board_members(list(r.organisations.values_list("pk", flat=True))),
                subject=(
                    f"Agendapunt {r.pk} van de bestuurlijke overlegtafel wacht al "
                    f"{DECISION_WAIT_DAYS} dagen op een besluit"
                ),
                body="Leg het besluit met een uiterste datum vast in Vangnet.",
                dedup_key=f"board-wait:{r.pk}",
            )
        )
    return sent
