"""Demo scenarios (`python -m vangnet demo`): the calibrated baseline of the hotspot
(Amsterdam-Amstelland × eetstoornissen, where GGZ inGeest waits long) and two saved scenarios,
computed to the end so the compare page has something to show. Idempotent."""

from __future__ import annotations

from vangnet.accounts.models import User
from vangnet.accounts.selectors import actor_for

from . import services
from .models import Scenario

REGION, GROUP = "VR13", "eetstoornis"
SCENARIOS = [
    ("Basislijn", services.Knobs(), True),
    ("Twee intakeplekken per week erbij", services.Knobs(intake_delta_per_week=2.0), False),
    (
        "Transferbalie 15% en aanmeldpauze 3 maanden",
        services.Knobs(transfer_share_pct=15.0, pause_from_month=1, pause_months=3),
        False,
    ),
]


def load_demo(username: str = "analist") -> int:
    """Calibrate the hotspot and save and run the demo scenarios; returns how many were made."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return 0
    actor = actor_for(user)
    cal = services.calibration_compute(
        actor=actor, region_kind="veiligheidsregio", region_code=REGION, group_code=GROUP
    )
    made = 0
    for name, knobs, baseline in SCENARIOS:
        if Scenario.objects.filter(calibration=cal, name=name).exists():
            continue
        sc = services.scenario_create(
            actor=actor,
            calibration=cal,
            name=name,
            knobs=knobs,
            horizon_months=18,
            replications=20,
            seed=2026,
            is_baseline=baseline,
        )
        services.scenario_run(scenario_id=sc.pk)
        made += 1
    return made
