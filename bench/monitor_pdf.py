"""Benchmark: the monitor report and its PDF at national size (10,000 monitor records).

Steps, on PostgreSQL (``DATABASE_URL``, default ``postgres://vangnet@127.0.0.1:5432/vangnet_bench``;
created and migrated when missing):

1. Load 10,000 monitor records through ``services.monitor_import`` (the 77 records of the seed
   file's monitor, SiRM 2020-2021, repeated over 2020-2025 under new codes; skipped when the
   database holds them already).
2. Time, for the national public and one table's internal report: ``count`` (records counted
   into the report, cache empty), ``pdf_first`` (the poll's render right after a change: count,
   WeasyPrint render and store), ``pdf_render`` (render and store alone, the counted report
   cached), and through the real views with a logged-in analyst (test client: session, second
   factor, access check, access log): ``progress_page`` (the PDF link when the PDF is not
   rendered yet: it answers at once) and ``pdf_stored`` (the PDF link serving the stored PDF);
   ``version_query`` is what every request pays to know the records version.
3. Time ``monitor render-pdfs`` (every standard choice) right after a change, and run again.

Writes ``bench/results/monitor_pdf.json``. Goal (issue 12 §3): a PDF request within a second,
the render outside the request (the progress page's poll, or ``monitor render-pdfs``).
Usage: ``uv run python bench/monitor_pdf.py [--records N]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))
SEED = REPO / "src/vangnet/monitor/fixtures/testdata/seed001_2020_2021.csv"
PREFIX = "BENCH-"


def records_csv(n: int) -> list[bytes]:
    """`n` records as import files of at most 5,000 lines (the import takes up to 5 MB)."""
    seed = list(csv.DictReader(io.StringIO(SEED.read_text(encoding="utf-8"))))
    files = []
    for start in range(0, n, 5000):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(seed[0]), lineterminator="\n")
        writer.writeheader()
        for i in range(start, min(n, start + 5000)):
            row = dict(seed[i % len(seed)])
            day = dt.date.fromisoformat(row["registration_date"])
            row["registration_date"] = day.replace(year=2020 + i % 6).isoformat()
            row["case_ref"] = f"{PREFIX}{i:05d}"
            writer.writerow(row)
        files.append(out.getvalue().encode())
    return files


def timed(fn: Any, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "monitor_pdf.json"))
    args = parser.parse_args()
    load_at_start = os.getloadavg()
    url = os.environ.get("DATABASE_URL", "postgres://vangnet@127.0.0.1:5432/vangnet_bench")
    if not url.startswith("postgres"):
        sys.exit("bench/monitor_pdf.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    from importlib import import_module

    bench_import = import_module("import")  # bench/import.py: database set-up
    bench_import.ensure_database(url)
    bench_import.setup_django(url)

    from django.core.cache import cache
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vangnet.accounts.models import Membership, Role, User
    from vangnet.directory.models import Organisation
    from vangnet.monitor import pdfs, selectors, services
    from vangnet.monitor.models import MonitorRecord, RenderedReport

    have = MonitorRecord.objects.filter(case_ref__startswith=PREFIX).count()
    if have != args.records:
        MonitorRecord.objects.filter(case_ref__startswith=PREFIX).delete()
        for data in records_csv(args.records):
            result = services.monitor_import(content=data)
            assert result.created + result.updated + result.unchanged > 0, result
    total = MonitorRecord.objects.count()
    print(f"{total:,} monitor records", flush=True)

    # A monitor analyst with a confirmed second factor, logged in as the tests do (conftest).
    user, created = User.objects.get_or_create(username="bench-monitor-analyst")
    if created:
        org, _ = Organisation.objects.get_or_create(name="Bench monitor")
        Membership.objects.create(user=user, organisation=org, role=Role.MONITOR_ANALYST)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="localhost")  # a host the dev settings allow
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    choices = {
        "national_public": {"year_from": 2020, "year_to": 2025, "table": None, "public": True},
        "table_internal": {"year_from": 2020, "year_to": 2025, "table": 4, "public": False},
    }
    urls = {
        "national_public": "/monitor/rapport.pdf?van=2020&tot=2025",
        "table_internal": "/monitor/rapport.pdf?van=2020&tot=2025&tafel=4",
    }
    seconds: dict[str, dict[str, float]] = {}
    sizes = {}

    def get(url: str, status: int) -> bytes:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.content

    for name, params in choices.items():
        url = urls[name]
        cache.clear()
        RenderedReport.objects.all().delete()
        count_s = timed(lambda p=params: pdfs.build(p))
        progress_s = timed(lambda u=url: get(u, 202), repeat=5)
        cache.clear()
        first_s = timed(lambda p=params: pdfs.render(p))
        render = []
        for _ in range(3):
            RenderedReport.objects.all().delete()
            pdfs.build(params)
            render.append(timed(lambda p=params: pdfs.render(p)))
        stored_s = timed(lambda u=url: get(u, 200), repeat=5)
        sizes[name] = len(get(url, 200))
        seconds[name] = {
            "count": round(count_s, 3),
            "progress_page": round(progress_s, 4),
            "pdf_first": round(first_s, 3),
            "pdf_render": round(median(render), 3),
            "pdf_stored": round(stored_s, 4),
        }
        print(name, seconds[name], flush=True)
    version_s = timed(selectors.report_version, repeat=5)
    # `monitor render-pdfs` after a change (every standard choice) and run again (nothing to do).
    RenderedReport.objects.all().delete()
    cache.clear()
    standard = len(pdfs.standard_choices())
    command_first_s = timed(pdfs.render_standard)
    command_again_s = timed(pdfs.render_standard)
    assert RenderedReport.objects.count() == standard
    print(f"render-pdfs: {standard} PDFs in {command_first_s:.1f} s", flush=True)
    result = {
        "benchmark": "monitor report PDF at national size",
        "command": "uv run --frozen python bench/monitor_pdf.py",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
        },
        "monitor_records": total,
        "pdf_bytes": sizes,
        "seconds": seconds,
        "version_query_seconds": round(version_s, 4),
        "render_pdfs_command": {
            "standard_choices": standard,
            "seconds_after_change": round(command_first_s, 2),
            "seconds_again": round(command_again_s, 3),
        },
        "goal": {
            "pdf_request_seconds_max": 1.0,
            "met_when_stored": all(s["pdf_stored"] <= 1.0 for s in seconds.values()),
            "met_first_after_change": all(s["progress_page"] <= 1.0 for s in seconds.values()),
            "render_outside_request": "the progress page's HTMX poll or monitor render-pdfs",
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["goal"]))


if __name__ == "__main__":
    main()
