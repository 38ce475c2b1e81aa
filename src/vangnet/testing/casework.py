"""Helpers for the case-work service tests: the tables a refusal must leave untouched, and
fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vangnet.accounts.models import Notification
from vangnet.cases import services
from vangnet.cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    Consent,
    Document,
    MeetingQuestion,
    TimelineEntry,
)
from vangnet.common.errors import DomainError
from vangnet.consultations.models import Consultation
from vangnet.followup.models import (
    CheckIn,
    EscalationStep,
    FollowUpPhase,
    GoalProgress,
    TermSuspension,
)
from vangnet.meetings.models import AgendaItem, Meeting, Participant, Task
from vangnet.plans.models import FinancingDecision, Plan, PlanGoal, PlanRevision
from vangnet.testing.followup import ms

TRACKED = [
    TimelineEntry,
    CaseParty,
    Consent,
    MeetingQuestion,
    Document,
    Meeting,
    AgendaItem,
    Participant,
    Task,
    Plan,
    PlanGoal,
    PlanRevision,
    FinancingDecision,
    FollowUpPhase,
    CheckIn,
    GoalProgress,
    TermSuspension,
    EscalationStep,
    CaseEvent,
    Notification,
    Consultation,
]
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FROZEN = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in TRACKED}


def refused(call, match: str, exc: type[Exception] = DomainError) -> Exception:
    """`call` raises `exc` with a message containing `match`, and leaves every table as it was."""
    before = counts()
    with pytest.raises(exc) as info:
        call()
    assert match in str(info.value), str(info.value)
    assert counts() == before
    return info.value


def events(case: Case) -> list[str]:
    return list(case.events.values_list("transition", flat=True))


def at(hours: float) -> datetime:
    return FROZEN + timedelta(hours=hours)


def close(world, case, **kwargs):
    """Close `case` as the table's coordinator (default outcome: no offer found)."""
    values = dict(actor=world.coordinator, membership=ms(world.coordinator), outcome="no_offer")
    values.update(kwargs)
    return services.case_close(case=case, **values)
