"""Issue 11 §1: consultation-only and referred cases are not "nog lopend" in the monitor. As seed
001 figure 1 maps them: a consultation is counted apart from the registered cases, and a referral
at triage is an outcome (the case did not fit this table), not an ongoing case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.cases import services
from vangnet.cases.workflow import Decision
from vangnet.monitor import selectors
from vangnet.monitor.models import MonitorRecord
from vangnet.testing import factories
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


def _decided(world, capture, decision: str, **extra):
    case = factories.register_case(world.referrer)
    with capture(execute=True):  # the monitor listens on commit, as in production
        _triage(world, case, decision, **extra)
    case.refresh_from_db()
    return case


def _triage(world, case, decision: str, **extra):
    services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=ms(world.coordinator),
        assessments=factories.all_criteria(),
        decision=decision,
        reason="Besproken",
        **extra,
    )
    services.triage_confirm(
        case=case, screener=world.screener, membership=ms(world.screener, Role.SECOND_SCREENER)
    )


def test_referred_case_is_an_outcome_not_ongoing(world, django_capture_on_commit_callbacks):
    case = _decided(
        world,
        django_capture_on_commit_callbacks,
        Decision.REFER,
        refer_to="Regionaal consultatieoverleg",
    )
    record = MonitorRecord.objects.get(case=case)
    assert record.outcome != "ongoing"
    assert record.outcome == "not_suitable"
    assert record.outcome_date == timezone.localdate()


def test_consultation_only_case_is_counted_as_a_consultation_not_a_registered_case(
    world, django_capture_on_commit_callbacks
):
    case = _decided(
        world,
        django_capture_on_commit_callbacks,
        Decision.CONSULTATION,
        advice="Advies: ambulant FACT-team.",
    )
    assert not MonitorRecord.objects.filter(case=case).exists()
    year = timezone.localdate().year
    counts = selectors.consultation_counts(year_from=year, year_to=year)
    assert counts == {(case.table.number, year): 1}
