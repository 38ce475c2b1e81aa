"""The routing part of the daily reminders run (`python -m vangnet reminders`).

Every open question has a deadline per state (workflow.QUESTION_DEADLINE_DAYS): the UCZ is
reminded to hand it over, zorgbemiddeling to take it up and to solve or register it. New public
signals remind the table's coordinators within a week. A reminder's dedup key names the question
or signal, its state, its deadline and nearing/overdue, so a rerun sends nothing twice and a new
deadline (after a send-back) reminds again. References only, never patient data.
"""

from __future__ import annotations

from datetime import date

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.services import table_staff
from vangnet.common.dates import dutch_date
from vangnet.engines.followup import DueStatus, due_status

from .models import Question, Signal
from .workflow import OPEN_QUESTION_STATES, QuestionState, SignalState

WARN_DAYS = 1
LABEL = {DueStatus.NEARING: "nadert", DueStatus.OVERDUE: "is verlopen"}
# What the reminded person should do next, per state of the question.
NEXT_STEP: dict[str, str] = {
    QuestionState.RECORDED: "Draag de vraag over aan de zorgbemiddeling van de zorgverzekeraar.",
    QuestionState.HANDED_OVER: "Pak de vraag op.",
    QuestionState.IN_PROGRESS: "Leg vast wat u probeerde en los de vraag op of meld haar aan bij de tafel.",
}


def _members(organisation_id: int, role: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role=role, active=True
        ).select_related("user")
    ]


def run(*, today: date) -> dict[str, int]:
    """Send the routing reminders of `today`; returns the notifications created per kind."""
    created = {"vraag": 0, "signaal": 0}
    for q in Question.objects.filter(state__in=OPEN_QUESTION_STATES, deadline__isnull=False):
        if q.deadline is None:
            continue
        status = due_status(q.deadline, today=today, warn_days=WARN_DAYS)
        if status is DueStatus.OK:
            continue
        if q.state == QuestionState.RECORDED or q.handed_to_id is None:
            users = _members(q.recorded_by_organisation_id, Role.UCZ_OFFICER)
        else:
            users = _members(q.handed_to_id, Role.ZORGBEMIDDELING)
        created["vraag"] += len(
            notification_send(
                users=users,
                subject=f"Termijn vraag {q.reference} ({dutch_date(q.deadline)}) {LABEL[status]}",
                body=NEXT_STEP[q.state],
                dedup_key=f"routing-question:{q.pk}:{q.state}:{q.deadline.isoformat()}:{status}",
            )
        )
    for s in Signal.objects.filter(state=SignalState.NEW).select_related("table"):
        status = due_status(s.deadline, today=today, warn_days=WARN_DAYS)
        if status is DueStatus.OK:
            continue
        created["signaal"] += len(
            notification_send(
                users=table_staff(s.table, Role.COORDINATOR),
                subject=f"Signaal {s.reference} wacht op antwoord ({dutch_date(s.deadline)}) {LABEL[status]}",
                body="Beantwoord het signaal of zet het om in een aanmelding.",
                dedup_key=f"routing-signal:{s.pk}:{status}",
            )
        )
    return {k: v for k, v in created.items() if v}
