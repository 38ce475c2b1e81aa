"""A small generated waiting-list history imported through the real import service."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

import pytest

from vangnet.accounts.models import Role
from vangnet.engines.followup import add_months
from vangnet.regions.models import Municipality
from vangnet.testing import factories
from vangnet.waitlists import services as wl_services
from vangnet.waitlists.importers import COLUMNS

AMSTERDAM = "GM0363"
FIRST = date(2024, 1, 1)


def _import_history(*, months: int, per_month: int, group: str = "angst", seed: int = 3) -> list:
    """Two Amsterdam providers; per month ``per_month`` registrations each (about), intake
    after 2-8 weeks, treatment start 2-10 weeks later, one in ten leaves untreated."""
    rng = random.Random(seed)
    orgs = [
        factories.OrganisationFactory(
            agb_code=agb, name=name, municipality=Municipality.objects.get(code=AMSTERDAM)
        )
        for agb, name in (("11111111", "GGZ Amstel"), ("22222222", "GGZ IJ"))
    ]
    last = add_months(FIRST, months - 1)
    end_all = add_months(last, 1) - timedelta(days=1)
    start = FIRST - timedelta(days=60)
    regs = []
    n = 0
    for org in orgs:
        for _ in range(int(per_month * (months + 2))):
            n += 1
            reg = start + timedelta(days=rng.randrange((end_all - start).days))
            intake = reg + timedelta(days=rng.randint(14, 56))
            treat = intake + timedelta(days=rng.randint(14, 70))
            exit_ = None
            if rng.random() < 0.1:
                exit_ = reg + timedelta(days=rng.randint(5, 40))
                intake = treat = None
            regs.append((f"v1:p{n}", org.agb_code, reg, intake, treat, exit_))
    for k in range(months):
        month = add_months(FIRST, k)
        end = add_months(month, 1) - timedelta(days=1)
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        for person, agb, reg, intake, treat, exit_ in regs:
            left = min(d for d in (treat, exit_, date.max) if d is not None)
            if reg > end or left < month:
                continue

            def iso(d: date | None, end: date = end) -> str:
                return d.isoformat() if d is not None and d <= end else ""

            w.writerow(
                {
                    "person_pseudonym": person,
                    "provider_agb": agb,
                    "municipality_code": AMSTERDAM,
                    "diagnosis_group": group,
                    "registration_date": reg.isoformat(),
                    "intake_date": iso(intake),
                    "treatment_start_date": iso(treat),
                    "exit_date": iso(exit_),
                    "preferred_provider": "0",
                }
            )
        wl_services.submission_import(
            data=out.getvalue().encode(),
            name=f"h-{month:%Y-%m}.csv",
            actor=wl_services.command_line_actor(),
            period=month,
        )
    return orgs


@pytest.fixture
def history(db):
    """14 months (2024-01 .. 2025-02) of VR13 × angst, about 10 registrations a month each."""
    return _import_history(months=14, per_month=10)


@pytest.fixture
def short_history(db):
    return _import_history(months=3, per_month=10)


@pytest.fixture
def analyst(db):
    return factories.member(Role.MONITOR_ANALYST)


@pytest.fixture
def process_owner(db):
    return factories.member(Role.PROCESS_OWNER)
