"""Deadlines and reminders of the route: nearing and overdue per state, to the right people,
once (idempotent dedup keys), again after a new deadline; through the daily reminders job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.casework import reminders as casework_reminders
from vangnet.routing import reminders, services
from vangnet.routing.workflow import QUESTION_DEADLINE_DAYS

from .conftest import handed_over, in_progress, recorded

pytestmark = pytest.mark.django_db


def subjects(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("subject", flat=True))


def test_recorded_question_reminds_ucz_when_nearing_then_overdue_once_each(net):
    q = recorded(net)
    today = timezone.localdate()
    assert reminders.run(today=today) == {}
    nearing = q.deadline - timedelta(days=1)
    assert reminders.run(today=nearing) == {"vraag": 1}
    assert reminders.run(today=nearing) == {}  # rerun: nothing twice
    assert reminders.run(today=q.deadline + timedelta(days=1)) == {"vraag": 1}
    texts = [s for s in subjects(net.ucz) if q.reference in s]
    assert any("nadert" in s for s in texts) and any("verlopen" in s for s in texts)
    assert not subjects(net.zb)


def test_handed_over_question_reminds_only_that_insurers_zorgbemiddeling(net):
    q = handed_over(net)
    assert q.deadline == timezone.localdate() + timedelta(
        days=QUESTION_DEADLINE_DAYS["handed_over"]
    )
    reminders.run(today=q.deadline + timedelta(days=1))
    assert any(q.reference in s and "verlopen" in s for s in subjects(net.zb))
    assert not [s for s in subjects(net.zb_other_insurer) if "Termijn" in s]


def test_in_progress_deadline_is_four_weeks_and_a_new_state_reminds_again(net):
    q = in_progress(net)
    assert q.deadline == timezone.localdate() + timedelta(days=28)
    reminders.run(today=q.deadline + timedelta(days=1))
    # Sent back: a new state and deadline, so a new reminder (to the UCZ) is allowed.
    q = services.question_send_back(
        question=q,
        user=net.zb,
        membership=net.m(net.zb, Role.ZORGBEMIDDELING),
        reason="Niet verzekerd.",
    )
    assert reminders.run(today=q.deadline + timedelta(days=1)) == {"vraag": 1}


def test_closed_questions_get_no_reminders(net):
    q = in_progress(net, attempts=1)
    services.question_solve(
        question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), outcome="Plek."
    )
    assert reminders.run(today=timezone.localdate() + timedelta(days=60)) == {}


def test_new_signal_reminds_the_coordinator_within_a_week_and_not_after_answer(net, world):
    signal, _ = services.signal_submit(
        data=services.SignalInput(
            table_number=3, relation="patient", message="Vast.", contact="06 1"
        )
    )
    later = signal.deadline + timedelta(days=1)
    assert reminders.run(today=later) == {"signaal": 1}
    assert reminders.run(today=later) == {}
    services.signal_answer(
        signal=signal,
        user=world.coordinator,
        membership=world.coordinator.memberships.get(role=Role.COORDINATOR),
        answer="We bellen u.",
    )
    assert reminders.run(today=later + timedelta(days=1)) == {}


def test_the_daily_reminders_job_runs_the_routing_reminders(net):
    q = recorded(net)
    report = casework_reminders.run(today=q.deadline + timedelta(days=1))
    assert report.kinds.get("vraag") == 1
    call_command(
        "reminders",
        today=(q.deadline + timedelta(days=1)).isoformat(),
        stdout=__import__("io").StringIO(),
    )
    assert len([s for s in subjects(net.ucz) if "Termijn" in s]) == 1
