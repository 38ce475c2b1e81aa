"""Property test of the whole path (import, storage, region mapping, engine) against a plain
Python reading of the counting rules of issue 6 §3, on random small months."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vangnet.regions.selectors import region_grouping
from vangnet.waitlists import counting
from vangnet.waitlists.models import Submission, WaitlistRegistration

from .conftest import row

pytestmark = pytest.mark.django_db

PEIL = date(2024, 3, 31)
GMS = ["GM0363", "GM0479", "GM0599", "GM0344"]


@st.composite
def registration(draw):
    reg = PEIL - timedelta(days=draw(st.integers(0, 150)))
    intake = start = exit_ = None
    if draw(st.booleans()):
        intake = reg + timedelta(days=draw(st.integers(0, (PEIL - reg).days)))
        if draw(st.booleans()):
            start = intake + timedelta(days=draw(st.integers(0, (PEIL - intake).days)))
    if draw(st.integers(0, 4)) == 0:  # an exit is never before the intake (import rule)
        first = intake or reg
        exit_ = first + timedelta(days=draw(st.integers(0, (PEIL - first).days)))
    return {
        "person": draw(st.integers(0, 6)),
        "provider_agb": draw(st.sampled_from(["11111111", "22222222", "33333333"])),
        "municipality_code": draw(st.sampled_from(GMS)),
        "diagnosis_group": draw(st.sampled_from(["angst", "depressief"])),
        "registration_date": reg,
        "intake_date": intake,
        "treatment_start_date": start,
        "exit_date": exit_,
        "preferred_provider": draw(st.booleans()),
    }


def oracle(regs, region_of):
    cells = defaultdict(
        lambda: {
            "regs": 0,
            "persons": set(),
            "providers": defaultdict(set),
            "pref": set(),
            "oi": 0,
            "ot": 0,
        }
    )
    for r in regs:
        ends = [d for d in (r["treatment_start_date"], r["exit_date"]) if d is not None]
        if r["registration_date"] > PEIL or (ends and min(ends) <= PEIL):
            continue
        c = cells[(region_of[r["municipality_code"]], r["diagnosis_group"])]
        c["regs"] += 1
        c["persons"].add(r["person"])
        c["providers"][r["person"]].add(r["provider_agb"])
        if r["preferred_provider"]:
            c["pref"].add(r["person"])
        if r["intake_date"] is None or r["intake_date"] > PEIL:
            c["oi"] += (PEIL - r["registration_date"]).days > 28
        else:
            c["ot"] += (PEIL - r["intake_date"]).days > 70
    return {
        key: (
            c["regs"],
            len(c["persons"]),
            sum(len(p) >= 2 for p in c["providers"].values()),
            len(c["pref"]),
            c["oi"],
            c["ot"],
        )
        for key, c in cells.items()
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    regs=st.lists(
        registration(),
        min_size=1,
        max_size=25,
        unique_by=lambda r: (
            r["person"],
            r["provider_agb"],
            r["diagnosis_group"],
            r["registration_date"],
        ),
    )
)
def test_counts_agree_with_the_rules(providers, import_rows, regs):
    WaitlistRegistration.objects.all().delete()
    Submission.objects.all().delete()
    import_rows(
        [
            row(
                person_pseudonym=f"v1:p{r['person']}",
                provider_agb=r["provider_agb"],
                municipality_code=r["municipality_code"],
                diagnosis_group=r["diagnosis_group"],
                registration_date=r["registration_date"],
                intake_date=r["intake_date"] or "",
                treatment_start_date=r["treatment_start_date"] or "",
                exit_date=r["exit_date"] or "",
                preferred_provider=int(r["preferred_provider"]),
            )
            for r in regs
        ]
    )
    for kind in ("veiligheidsregio", "province"):
        region_of = region_grouping(kind)
        got = {
            (c.region, c.diagnosis_group): (
                c.registrations_waiting,
                c.persons_waiting,
                c.persons_multi_provider,
                c.persons_by_preference,
                c.over_norm_intake,
                c.over_norm_treatment,
            )
            for c in counting.count_rows(counting.Loader(), kind, [(2024, 3)])
        }
        assert got == oracle(regs, region_of)
