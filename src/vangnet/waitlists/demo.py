"""Synthetic waiting-list submissions for the demo (`python -m vangnet demo`).

A seeded history for the providers of two safety regions, delivered month by month through the
real import service (pseudonymised with a demo key), so the dashboards, hotspots and pause page
have something to show. Never used outside the demo.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from vangnet.directory.models import Organisation, OrganisationType
from vangnet.engines.followup import add_months
from vangnet.regions.models import Municipality

from . import services
from .models import DiagnosisGroup, PublishedImport, Submission
from .pseudonymise import PseudonymKey

DEMO_REGIONS = ("VR13", "VR12")  # Amsterdam-Amstelland, Kennemerland
AMSTERDAM, HAARLEM = "GM0363", "GM0392"
# (name, AGB code, vestigingsgemeente): region pages list the providers located in the region.
PROVIDERS = [
    ("Arkin", "06290101", AMSTERDAM),
    ("GGZ inGeest Amsterdam", "06290707", AMSTERDAM),
    ("Levvel jeugd", "06290808", AMSTERDAM),
    ("Brijder Kennemerland", "06290909", HAARLEM),
    ("PsyQ Haarlem", "06291010", HAARLEM),
    ("Praktijk Noord Zelfstandig", "94000011", AMSTERDAM),
]
# One provider × group that waits long, so the hotspot list and the pause page show something.
SLOW = ("06290707", "eetstoornis")


@dataclass(frozen=True)
class _Registration:
    person: str
    provider: str
    municipality: str
    group: str
    registration: date
    intake: date | None
    treatment: date | None
    exit: date | None
    preferred: bool


def _valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def ensure_providers() -> list[str]:
    """Register the demo providers with their municipality; an existing organisation without
    one (the demo command creates Arkin earlier) gets it too. Returns their AGB codes."""
    located = {m.code: m for m in Municipality.objects.filter(code__in=(AMSTERDAM, HAARLEM))}
    providers = []
    for name, agb, municipality in PROVIDERS:
        org, _ = Organisation.objects.get_or_create(
            agb_code=agb,
            defaults={
                "name": name,
                "organisation_type": OrganisationType.GGZ_INSTITUTION,
                "municipality": located[municipality],
            },
        )
        if org.municipality_id is None:
            org.municipality = located[municipality]
            org.save(update_fields=["municipality", "updated_at"])
        providers.append(org.agb_code)
    return providers


def load_demo(*, months: int = 12, persons: int = 1500, seed: int = 20261123) -> int:
    """Import `months` monthly submissions ending last month; returns the number of submissions."""
    providers = ensure_providers()
    if Submission.objects.exists():
        return 0
    rng = random.Random(seed)
    key = PseudonymKey(version="demo", secret=b"vangnet-demo-key-not-for-production-use!")
    municipalities = list(
        Municipality.objects.filter(safety_region__code__in=DEMO_REGIONS).values_list(
            "code", flat=True
        )
    )
    groups = list(DiagnosisGroup.objects.values_list("code", flat=True))

    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    first_month = add_months(last_month, -(months - 1))
    start = first_month - timedelta(days=120)
    span = (today - start).days
    registrations: list[_Registration] = []
    for _ in range(persons):
        person = key.pseudonym(_valid_bsn(rng))
        home = rng.choice(municipalities)
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            provider, group = rng.choice(providers), rng.choice(groups)
            if rng.random() < 0.08:  # enough volume at the slow provider to form a hotspot
                provider, group = SLOW
            reg = start + timedelta(days=rng.randrange(span))
            slow = (provider, group) == SLOW
            intake_wait = rng.randint(70, 120) if slow else rng.choice([7, 14, 21, 28, 35, 49])
            intake = reg + timedelta(days=intake_wait)
            treat = intake + timedelta(
                days=rng.randint(160, 220) if slow else rng.choice([14, 28, 42, 63, 84])
            )
            exit_ = reg + timedelta(days=rng.randint(20, 200)) if rng.random() < 0.08 else None
            if exit_ is not None and exit_ < intake:  # left the list before an intake
                registrations.append(
                    _Registration(
                        person, provider, home, group, reg, None, None, exit_, rng.random() < 0.1
                    )
                )
                continue
            registrations.append(
                _Registration(
                    person, provider, home, group, reg, intake, treat, exit_, rng.random() < 0.1
                )
            )

    def iso(d: date | None, end: date) -> str:
        return d.isoformat() if d is not None and d <= end else ""

    count = 0
    month = first_month
    actor = services.command_line_actor()
    while month <= last_month:
        end = add_months(month, 1) - timedelta(days=1)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "person_pseudonym",
                "provider_agb",
                "municipality_code",
                "diagnosis_group",
                "registration_date",
                "intake_date",
                "treatment_start_date",
                "exit_date",
                "preferred_provider",
            ]
        )
        for r in registrations:
            left = min(d for d in (r.treatment, r.exit) if d is not None)
            if r.registration > end or left < month:
                continue
            writer.writerow(
                [
                    r.person,
                    r.provider,
                    r.municipality,
                    r.group,
                    r.registration.isoformat(),
                    iso(r.intake, end),
                    iso(r.treatment, end),
                    iso(r.exit, end),
                    int(r.preferred),
                ]
            )
        report = services.submission_import(
            data=out.getvalue().encode(), name=f"demo-{month:%Y-%m}.csv", actor=actor, period=month
        )
        count += len(report.submissions)
        month = add_months(month, 1)
    return count


PUBLISHED_2016 = Path(__file__).parent / "data" / "brondata_wachttijden_ggz_2016.csv"


def load_published_demo() -> bool:
    """The NZa's published waiting times of 2016 (CC0), so *Gepubliceerde wachttijden* is not
    empty in the demo; True if imported now, False if a published file was already there."""
    if PublishedImport.objects.exists():
        return False
    services.published_import(
        data=PUBLISHED_2016.read_bytes(),
        name=PUBLISHED_2016.name,
        actor=services.command_line_actor(),
    )
    return True


def load_region_users() -> None:
    """The region's own parties of Amsterdam-Amstelland (issue 16 §4): a manager of GGZ inGeest
    and a GP; they see the region's figures and have heard of the pauses running there."""
    from vangnet.accounts.demo import demo_user
    from vangnet.accounts.models import Membership, Role

    from .models import RegistrationPause

    amsterdam = Municipality.objects.filter(code=AMSTERDAM).first()
    ingeest = Organisation.objects.filter(agb_code=SLOW[0]).first()
    practice, _ = Organisation.objects.get_or_create(
        name="Huisartsenpraktijk De Linde",
        defaults={"organisation_type": OrganisationType.GP_PRACTICE, "agb_code": "01290505"},
    )
    if practice.municipality_id is None and amsterdam is not None:
        practice.municipality = amsterdam
        practice.save(update_fields=["municipality"])
    for username, full_name, org, role in (
        ("manager", "Mila Manager", ingeest, Role.PROVIDER_MANAGER),
        ("huisarts", "Hugo Huisarts", practice, Role.GENERAL_PRACTITIONER),
    ):
        if org is None:
            continue
        Membership.objects.get_or_create(
            user=demo_user(username, full_name), organisation=org, role=role
        )
    today = timezone.localdate()
    for pause in RegistrationPause.objects.filter(ended_on__isnull=True, planned_end_on__gte=today):
        services.pause_notify(pause, started=True)
