"""The national data set (issue 12 §1) at a tiny scale: deterministic from its seed, every case
state present with its history, the access log's hash chain intact. The national size itself
belongs to `bench/web.py`, not to the tests."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from vangnet.audit.sealing import access_log_verify
from vangnet.cases.models import Case, CaseEvent, TriageRound
from vangnet.cases.workflow import State
from vangnet.followup.models import CheckIn
from vangnet.monitor.models import MonitorRecord
from vangnet.ops import national

SCALE = 0.002  # 20 cases per table, 4,000 log rows, 2 months of 250 registrations


def _load_and_summarise(seed: int) -> dict[str, object]:
    with transaction.atomic():
        assert national.load(scale=SCALE, seed=seed, say=lambda _: None, tables=1)
        result = national.summary()
        chain = access_log_verify()
        assert chain.ok, chain.problems
        assert chain.unsealed == 0
        states = {s: Case.objects.filter(state=s).count() for s in State.values}
        assert all(states.values()), states
        # History as the workflow leaves it: decided cases have a confirmed triage round and
        # an event per step; every follow-up case has its check-ins; no case without events.
        assert not Case.objects.filter(events=None).exists()
        for case in Case.objects.filter(state=State.CLOSED):
            steps = list(case.events.order_by("at", "pk").values_list("to_state", flat=True))
            assert steps[0] == State.REGISTERED and steps[-1] == State.CLOSED
            assert TriageRound.objects.filter(case=case, verdict="confirmed").exists()
        assert not Case.objects.filter(state=State.FOLLOW_UP, phases=None).exists()
        assert CheckIn.objects.filter(phase__case__state=State.FOLLOW_UP).exists()
        registered = Case.objects.exclude(state=State.CONSULTATION).count()
        assert MonitorRecord.objects.filter(case__isnull=False).count() == registered
        assert CaseEvent.objects.count() > 3 * Case.objects.count()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    first = _load_and_summarise(seed=7)
    assert first["cases"] == 20 and first["access_log"] >= 4_000
    assert first["registrations"] == 500
    assert _load_and_summarise(seed=7) == first


@pytest.mark.django_db
def test_the_demo_command_refuses_an_unknown_scale():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", scale="heel groot")
