"""Stored figures equal the figures computed on the fly from the registrations, for every region
kind, month, region and reader, after imports, replacements and repeated imports."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from vangnet.waitlists import aggregates, counting
from vangnet.waitlists.importers import period_end
from vangnet.waitlists.models import RegionKind, WaitCount

from .conftest import AMSTERDAM, ROTTERDAM, UTRECHT, ZAANSTAD, provider, row

pytestmark = pytest.mark.django_db

MONTHS = [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]
GMS = [AMSTERDAM, ZAANSTAD, ROTTERDAM, UTRECHT]
AGBS = ["11111111", "22222222", "33333333", "44444444"]


def month_rows(rng: random.Random, month: tuple[int, int], n: int) -> list[dict[str, str]]:
    """A generated month: long waits at the first provider (a hotspot), persons on several
    lists, intakes, treatment starts and exits spread over the month."""
    end = period_end(date(*month, 1))
    seen = set()
    out = []
    while len(out) < n:
        agb = rng.choice(AGBS)
        slow = agb == AGBS[0]
        reg = end - timedelta(days=rng.randint(60 if slow else 0, 150 if slow else 60))
        values = {
            "person_pseudonym": f"v1:p{rng.randint(0, n // 2)}",
            "provider_agb": agb,
            "municipality_code": rng.choice(GMS),
            "diagnosis_group": rng.choice(["angst", "depressief", "eetstoornis"]),
            "registration_date": reg.isoformat(),
            "preferred_provider": str(int(rng.random() < 0.2)),
        }
        key = (values["person_pseudonym"], agb, values["diagnosis_group"], reg)
        if key in seen:
            continue
        seen.add(key)
        first = reg
        if not slow and rng.random() < 0.6:
            intake = first = reg + timedelta(days=rng.randint(0, (end - reg).days))
            values["intake_date"] = intake.isoformat()
            if rng.random() < 0.5:
                start = intake + timedelta(days=rng.randint(0, (end - intake).days))
                values["treatment_start_date"] = start.isoformat()
        if rng.random() < 0.1:
            exit_ = first + timedelta(days=rng.randint(0, (end - first).days))
            values["exit_date"] = exit_.isoformat()
        out.append(row(**values))
    return out


def assert_stored_equals_on_the_fly() -> None:
    loader = counting.Loader()
    for kind in RegionKind.values:
        for across in (False, True):
            assert aggregates.count_rows(kind, MONTHS, across_groups=across) == (
                counting.count_rows(loader, kind, MONTHS, across_groups=across)
            )
            assert aggregates.flow_rows(kind, MONTHS, across_groups=across) == (
                counting.flow_rows(loader, kind, MONTHS, across_groups=across)
            )
        assert aggregates.largest_breach_rows(kind, MONTHS) == counting.largest_breach_rows(
            loader, kind, MONTHS
        )
    region = "13"  # Amsterdam-Amstelland
    assert aggregates.count_rows("veiligheidsregio", MONTHS[1:], region=region) == (
        counting.count_rows(loader, "veiligheidsregio", MONTHS[1:], region=region)
    )
    assert aggregates.provider_wait_rows(MONTHS) == counting.provider_wait_rows(loader, MONTHS)
    assert aggregates.provider_wait_rows(MONTHS, breaches_only=True) == [
        r for r in counting.provider_wait_rows(loader, MONTHS) if r.breach
    ]
    for min_months in (1, 2, 3):
        assert aggregates.hotspot_rows(MONTHS, min_months=min_months) == counting.hotspot_rows(
            loader, MONTHS, min_months=min_months
        )


def test_stored_figures_equal_on_the_fly_figures(import_rows):
    providers = [provider(agb, gm) for agb, gm in zip(AGBS, GMS, strict=True)]
    rng = random.Random(12)
    files = {m: month_rows(rng, m, 300) for m in MONTHS}
    for m, rows in files.items():
        import_rows(rows, period=counting.month_label(m))
    assert WaitCount.objects.count() > 50
    assert aggregates.hotspot_rows(MONTHS)  # the generator does make a hotspot
    assert_stored_equals_on_the_fly()

    # One provider replaces its February: the month is recomputed, the others stay.
    february = [r for r in files[(2024, 2)] if r["provider_agb"] == AGBS[1]][::2]
    report = import_rows(february, period="2024-02")
    assert [s.status for s in report.submissions] == ["vervangen"]
    assert_stored_equals_on_the_fly()

    # The same file again changes nothing, and a refresh of every month is idempotent.
    before = list(WaitCount.objects.order_by("id").values_list("id", flat=True))
    report = import_rows(february, period="2024-02")
    assert [s.status for s in report.submissions] == ["ongewijzigd"]
    assert list(WaitCount.objects.order_by("id").values_list("id", flat=True)) == before
    aggregates.refresh_all()
    assert_stored_equals_on_the_fly()
    assert len(providers) == 4


def test_a_month_whose_registrations_are_all_gone_has_no_stored_figures(import_rows):
    provider(AGBS[0], AMSTERDAM)
    import_rows([row(person_pseudonym="v1:a", provider_agb=AGBS[0])], period="2024-03")
    assert WaitCount.objects.filter(period=date(2024, 3, 1)).exists()
    # Everyone left before March began: nothing is stored for the month, as on the fly.
    import_rows(
        [
            row(
                person_pseudonym="v1:a",
                provider_agb=AGBS[0],
                registration_date="2024-01-05",
                exit_date="2024-02-01",
            )
        ],
        period="2024-03",
    )
    assert not WaitCount.objects.filter(period=date(2024, 3, 1)).exists()
    assert counting.count_rows(counting.Loader(), "province", [(2024, 3)]) == []


def test_submissions_cannot_be_deleted_in_the_admin_behind_the_stored_figures():
    from django.contrib import admin
    from django.test import RequestFactory

    from vangnet.waitlists.models import Submission

    request = RequestFactory().get("/beheer/")
    assert not admin.site._registry[Submission].has_delete_permission(request)
