"""The national data set (issue 12 §1): `python -m vangnet demo --scale national`.

Deterministic from a seed, made through the real models: at full scale ~10,000 cases over the
eight tables in every state with their history, ~2,000,000 sealed access-log rows, 1,500
provider organisations with 24 months of waiting-list submissions (~3,000,000 registrations),
and a monitor record for every registered case. `--scale tenth` is one tenth of all of it (the
growth comparison of `bench/web.py`); a number (e.g. `--scale 0.002`) any other fraction.

How: per table one template case per state through the services (`templates.py`), copied in bulk
with their history (`clone.py`); the access log written with COPY and sealed by the real sealer,
the waiting lists through the real import with its COPY path (`bulk.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from vangnet.accounts.models import Membership
from vangnet.audit.models import AccessLogEntry
from vangnet.cases.models import Case
from vangnet.cases.services.registration import _normalise_name, _patient_key
from vangnet.cases.workflow import State
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.monitor.models import MonitorRecord
from vangnet.monitor.validation import case_ref_problem
from vangnet.regions.models import Table
from vangnet.waitlists.models import WaitlistRegistration

from . import bulk, clone, templates

PRESETS = {"national": 1.0, "tenth": 0.1}
FULL = {"cases": 10_000, "access_log": 2_000_000, "providers": 1_500, "registrations": 3_000_000}
# Share of the cases per state (a national year: most cases decided or closed, a third open).
STATE_WEIGHTS = {
    State.REGISTERED: 5,
    State.TRIAGE_PROPOSED: 3,
    State.ADMITTED: 8,
    State.PLAN: 7,
    State.FOLLOW_UP: 12,
    State.CONSULTATION: 15,
    State.REFERRED: 8,
    State.NOT_SUITABLE: 12,
    State.CLOSED: 30,
}
OPEN_DAYS, DONE_DAYS = 150, 700  # how far back copies of open and of finished cases go
FIRST = [
    "Anna",
    "Bram",
    "Chantal",
    "Dirk",
    "Esra",
    "Fleur",
    "Gijs",
    "Hanna",
    "Imane",
    "Joost",
    "Kees",
    "Lotte",
    "Mohamed",
    "Noor",
    "Olaf",
    "Priya",
    "Ruben",
    "Sanne",
    "Tim",
    "Yara",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Yilmaz",
    "El Amrani",
    "Brouwer",
    "de Wit",
    "Dijkstra",
]


@dataclass(frozen=True)
class Size:
    cases: int
    access_log: int
    providers: int
    months: int
    registrations_per_month: int


def size(scale: float) -> Size:
    months = 24 if scale >= 0.05 else 2  # tiny scales (the tests): two months suffice
    return Size(
        cases=round(FULL["cases"] * scale),
        access_log=round(FULL["access_log"] * scale),
        providers=max(10, round(FULL["providers"] * scale)),
        months=months,
        registrations_per_month=max(50, round(FULL["registrations"] * scale / 24)),
    )


def parse_scale(value: str) -> float:
    if value in PRESETS:
        return PRESETS[value]
    scale = float(value)
    if not 0 < scale <= 1:
        raise ValueError(value)
    return scale


def _plan(total: int, tables: int) -> dict[str, int]:
    """Cases per state at one table (at least the template itself)."""
    per_table = total / tables
    weight = sum(STATE_WEIGHTS.values())
    return {s: max(1, round(per_table * w / weight)) for s, w in STATE_WEIGHTS.items()}


def load(
    *, scale: float, seed: int = 1, say: Callable[[str], None] = print, tables: int | None = None
) -> bool:
    """Load the data set; False (nothing done) when it is there already. `tables` limits the
    tables that get cases (the tests: one table keeps them fast)."""
    if Case.objects.filter(patient_name__startswith="Sjabloon ").exists():
        say("Landelijke gegevens staan er al.")
        return False
    n = size(scale)
    rng = np.random.default_rng(seed)
    insurer, _ = Organisation.objects.get_or_create(
        name="Zorgverzekeraar landelijk", defaults={"organisation_type": OrganisationType.INSURER}
    )
    at = list(Table.objects.order_by("number"))[:tables]
    order = clone.owned_models()
    codes = clone.monitor_refs(seed, 10 * n.cases + 1000, case_ref_problem)
    now = timezone.now()
    plan = _plan(n.cases, len(at))
    for table in at:
        built = time.perf_counter()
        staff = templates.table_staff(table, insurer)
        with transaction.atomic():
            made = templates.build_templates(staff)
        refs = clone.References()  # after the templates: they took references too
        started = time.perf_counter()
        with transaction.atomic():
            for state, case in made.items():
                count = plan[state] - 1
                if count <= 0:
                    continue
                rows = clone.template_rows(case, order)
                has_record = bool(rows.get(MonitorRecord))
                days_back = (
                    OPEN_DAYS
                    if state
                    in {
                        State.REGISTERED,
                        State.TRIAGE_PROPOSED,
                        State.ADMITTED,
                        State.PLAN,
                        State.FOLLOW_UP,
                    }
                    else DONE_DAYS
                )
                specs = []
                for _ in range(count):
                    days = int(rng.integers(0, days_back))
                    name = f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"
                    born = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 20_000)))
                    key = _patient_key(f"name:{_normalise_name(name)}:{born.isoformat()}")
                    spec = {
                        "days": days,
                        "reference": refs.next((now - dt.timedelta(days=days)).year),
                        "patient_name": name,
                        "patient_birth_date": born,
                        "patient_key_name": key,
                    }
                    if has_record:
                        spec["monitor_ref"] = next(codes)
                    specs.append(spec)
                clone.clone_case(rows, order, specs)
            refs.save()
        # The services logged accesses: seal them now, well within the chain's bound on the
        # time between a row and its seal (600 s by default) even on a slow machine.
        bulk.seal()
        say(
            f"Tafel {table.number}: {sum(plan.values())} casussen in alle fasen "
            f"(sjablonen {started - built:.0f} s, kopieën {time.perf_counter() - started:.0f} s)."
        )

    staff_rows = list(
        Membership.objects.filter(table__isnull=False, user__username__regex=r"^t[0-9]+-")
        .order_by("pk")
        .values_list("user_id", "user__username", "role", "organisation__name")
    )
    cases = list(Case.objects.order_by("pk").values_list("pk", "reference"))
    bulk.access_log(rng=rng, rows=n.access_log, users=staff_rows, cases=cases, say=say)
    months = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(24)][-n.months :]
    stored = bulk.waiting_lists(
        seed=seed,
        months=months,
        rows_per_month=n.registrations_per_month,
        provider_count=n.providers,
        say=say,
    )
    bulk.seal()  # the import's own log rows
    if connection.vendor == "postgresql":
        # Planner statistics for the bulk-written tables: without them PostgreSQL guesses and
        # scans whole tables (1 s per page at national size on a server with autovacuum off,
        # as this machine's is). Production has autovacuum; a bulk load should not wait for it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(
        f"Landelijke gegevens geladen: {Case.objects.count():,} casussen, "
        f"{AccessLogEntry.objects.count():,} toegangslogregels, {stored:,} registraties."
    )
    return True


def summary() -> dict[str, object]:
    """Counts and checksums of the loaded data (ids left out: sequences differ between runs)."""
    digest = hashlib.sha256()
    row: tuple[object, ...]
    for row in Case.objects.order_by("reference").values_list(
        "reference", "state", "table__number", "patient_name", "patient_birth_date"
    ):
        digest.update(repr(row).encode())
    log = hashlib.sha256()
    for row in AccessLogEntry.objects.order_by("id").values_list(
        "username", "case_reference", "action", "outcome", "channel"
    ):
        log.update(repr(row).encode())
    waits = hashlib.sha256()
    for row in WaitlistRegistration.objects.order_by(
        "period", "person_pseudonym", "diagnosis_group", "registration_date"
    ).values_list("person_pseudonym", "diagnosis_group__code", "registration_date")[:5000]:
        waits.update(repr(row).encode())
    return {
        "cases": Case.objects.count(),
        "states": {s: Case.objects.filter(state=s).count() for s in State.values},
        "monitor_records": MonitorRecord.objects.count(),
        "access_log": AccessLogEntry.objects.count(),
        "registrations": WaitlistRegistration.objects.count(),
        "cases_sha256": digest.hexdigest(),
        "access_log_sha256": log.hexdigest(),
        "registrations_sha256": waits.hexdigest(),
    }
