"""Benchmark: a national waiting-list month (3,000,000 lines) validated and stored, against the
physical limit of a bare PostgreSQL COPY of the same file into an unlogged table.

Steps, on PostgreSQL (``DATABASE_URL``, default ``postgres://vangnet@127.0.0.1:5432/vangnet_bench``;
the database is created and migrated when missing):

1. Generate the month with ``bench/national_month.py`` (seeded; cached under ``var/bench``) and
   register its 1,500 providers.
2. ``copy``: ``COPY unlogged_table FROM STDIN (FORMAT csv, HEADER)`` of the file's bytes into a
   table of the file's nine columns with their types, no index: the peer at its best.
3. ``import``: ``services.submission_import`` of the same bytes, as ``python -m vangnet
   waitlists import`` runs it: columnar check of every line, one submission per provider,
   COPY of the rows in provider order, the month's stored figures recomputed from the rows
   in memory, access log; one transaction.
   Before it the month's earlier submissions are removed, so every provider is "nieuw".
4. The parts measured on their own: ``check_alone`` (``services.check_file``) and
   ``figures_alone_reading_the_month_back`` (``aggregates.refresh_months`` as the ``refresh``
   command runs it, reading the month from the database; inside the import the figures use
   the rows in memory instead), and ``reimport_unchanged`` (the same file again: checked,
   found unchanged, nothing written).

Writes ``bench/results/import.json``. Goal: ``import`` <= 60 s on this machine.
Usage: ``uv run python bench/import.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))
DEFAULT_URL = "postgres://vangnet@127.0.0.1:5432/vangnet_bench"
PERIOD = dt.date(2024, 12, 1)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "vangnet.settings.dev"}
    subprocess.run(
        [sys.executable, "-m", "vangnet", "migrate", "--noinput", "-v0"], check=True, env=env
    )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vangnet.settings.dev"
    import django

    django.setup()


def register_providers() -> list[str]:
    import national_month as nm

    from vangnet.directory.models import Organisation
    from vangnet.regions.models import Municipality

    gms = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    ids = dict(Municipality.objects.values_list("code", "id"))
    have = set(
        Organisation.objects.filter(agb_code__startswith="9").values_list("agb_code", flat=True)
    )
    new = [
        Organisation(name=f"GGZ-aanbieder {agb}", agb_code=agb, municipality_id=ids[gm])
        for agb, gm in zip(nm.provider_agbs(), nm.provider_municipalities(gms), strict=True)
        if agb not in have
    ]
    Organisation.objects.bulk_create(new, batch_size=2000)
    return gms


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def bare_copy(data: bytes) -> float:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_bare_copy (person_pseudonym text, provider_agb text, "
            "municipality_code text, diagnosis_group text, registration_date date, "
            "intake_date date, treatment_start_date date, exit_date date, preferred_provider int)"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_bare_copy FROM STDIN (FORMAT csv, HEADER)") as copy:
            view = memoryview(data)
            for offset in range(0, len(data), 1 << 20):
                copy.write(view[offset : offset + (1 << 20)])
        seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_copy")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "import.json"))
    args = parser.parse_args()
    load_at_start = os.getloadavg()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/import.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url)
    setup_django(url)
    import national_month as nm

    from vangnet.engines.waitcount.warm import warm
    from vangnet.waitlists import aggregates, services
    from vangnet.waitlists.models import Submission

    gms = register_providers()
    path = REPO / "var" / "bench" / f"national-{PERIOD:%Y-%m}-{args.rows}-s{args.seed}.csv"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        nm.write_csv(
            nm.generate(period=PERIOD, rows=args.rows, municipalities=gms, seed=args.seed), path
        )
    data = path.read_bytes()
    warm()
    print(f"{args.rows:,} lines, {len(data) / 1e6:.0f} MB", flush=True)

    Submission.objects.filter(period=PERIOD).delete()
    copy_s = bare_copy(data)
    print(f"bare COPY {copy_s:.1f} s", flush=True)
    check_s, checked = timed(
        lambda: services.check_file(
            data=data, name=path.name, period=PERIOD, allowed_provider_ids=None
        )
    )
    assert checked.ok, checked.errors[:5]
    print(f"check {check_s:.1f} s", flush=True)
    actor = services.command_line_actor()
    import_s, report = timed(
        lambda: services.submission_import(data=data, name=path.name, actor=actor, period=PERIOD)
    )
    stored = sum(s.rows for s in report.submissions)
    print(
        f"import {import_s:.1f} s ({stored:,} rows stored, {len(report.submissions)} providers)",
        flush=True,
    )
    figures_s, _ = timed(lambda: aggregates.refresh_months([PERIOD]))
    print(f"figures {figures_s:.1f} s", flush=True)
    reimport_s, again = timed(
        lambda: services.submission_import(data=data, name=path.name, actor=actor, period=PERIOD)
    )
    assert all(s.status == "ongewijzigd" for s in again.submissions)
    print(f"reimport {reimport_s:.1f} s", flush=True)

    result = {
        "benchmark": "national waiting-list month import vs bare COPY",
        "command": "uv run --frozen python bench/import.py",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
        },
        "file": {"lines": args.rows, "bytes": len(data), "providers": len(report.submissions)},
        "rows_stored": stored,
        "seconds": {
            "bare_copy_unlogged": round(copy_s, 2),
            "import_total": round(import_s, 2),
            "check_alone": round(check_s, 2),
            "figures_alone_reading_the_month_back": round(figures_s, 2),
            "reimport_unchanged": round(reimport_s, 2),
        },
        "rows_per_second": round(stored / import_s),
        "ratio_import_to_bare_copy": round(import_s / copy_s, 2),
        "goal": {"import_total_seconds_max": 60, "met": import_s <= 60},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["seconds"]), f"ratio {result['ratio_import_to_bare_copy']}")


if __name__ == "__main__":
    main()
