"""The demo: a calibrated baseline for the hotspot and two saved scenarios, computed; idempotent."""

from __future__ import annotations

import pytest

from vangnet.scenarios import demo
from vangnet.scenarios.models import Calibration, Scenario
from vangnet.scenarios.workflow import Status
from vangnet.waitlists.demo import load_demo as load_waitlists

pytestmark = pytest.mark.django_db


def test_demo_calibrates_the_hotspot_and_saves_two_scenarios(analyst):
    load_waitlists(persons=200)
    assert demo.load_demo(username=analyst.username) == 3
    cal = Calibration.objects.get()
    assert (cal.region_code, cal.diagnosis_group.code) == ("VR13", "eetstoornis")
    scenarios = Scenario.objects.filter(calibration=cal)
    assert scenarios.filter(is_baseline=True).count() == 1
    assert scenarios.filter(is_baseline=False).count() == 2
    assert all(s.status == Status.DONE and s.result["waiting_mean"] for s in scenarios)
    assert "GGZ inGeest Amsterdam" in [p["name"] for p in cal.parameters["providers"]]
    assert demo.load_demo(username=analyst.username) == 0
    assert demo.load_demo(username="nobody") == 0
