"""Benchmark: Vangnet as in production (`make serve`: gunicorn, WhiteNoise, PostgreSQL) under a
Locust load on the national data set, plus each page's median time and query count at one tenth
and at full size (issue 12 §4).

Steps:

1. Load the national data set (`python -m vangnet demo --scale national`) into the database
   ``$BENCH_DB`` (default ``vangnet_bench_web``) and one tenth of it (``--scale tenth``) into
   ``${BENCH_DB}_tenth``, each created, migrated and loaded only when missing.
2. Bench users (coordinators of every table, monitor analysts, process owners, referrers), each
   with a confirmed TOTP device whose secret the bench derives from the user name; the targets
   (cases, open check-ins, the dashboard region) go to ``var/bench/web-targets.json``.
3. Per page, at both sizes: median of 5 requests and the number of queries, with Django's test
   client in this process (dev settings, the same database), so growth with data is visible.
4. ``make serve`` on 127.0.0.1 (production settings: the second factor required, DEBUG off,
   `VANGNET_SSL_REDIRECT=0` since no TLS proxy is in front), the time of the first dashboard
   request after the start (numba cache warm?), then Locust headless: ``$BENCH_USERS`` users
   (default 50) for ``$BENCH_SECONDS`` seconds (default 300), mix in `bench/locustfile.py`. The
   users log in first (password and TOTP, ramp-up of a tenth of them a second); the measured
   window starts when the last has logged in, and Locust runs ``$BENCH_WARMUP_SECONDS`` (default
   60) longer so the window keeps its full length. Logins and Locust's whole-run figures are
   reported beside it.

Writes ``bench/results/web.json``: requests/s, p50/p95/p99 and failures per page and in total,
the goals (p95 <= 300 ms, p99 <= 1 s, 0 failures, >= 30 requests/s) and whether they are met.
Usage: ``uv run --frozen python bench/web.py`` (``BENCH_PORT``, default 8100).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var" / "bench"
SERVER = "postgres://vangnet@127.0.0.1:5432"
# Not `vangnet_bench`: bench/import.py uses that one for its own month.
DB = os.environ.get("BENCH_DB", "vangnet_bench_web")
USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "300"))
# Ramp-up (USERS // 10 a second) and the logins run before the measured window starts.
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "60"))
PORT = int(os.environ.get("BENCH_PORT", "8100"))
# Bench-only secrets, the same for loading and serving (the case fields are encrypted at rest).
ENV = {
    "VANGNET_FIELD_KEYS": "aDEtYmVuY2gtZmllbGQta2V5LTAxMjM0NTY3ODlhYmM=",
    "VANGNET_SECRET_KEY": "bench-only-secret-key-" + "x7Qp2LmZ9rT4vW8yB3nK6cF1hJ5sD0gA",
    "VANGNET_PSEUDONYM_KEY": "bench-only-pseudonym-key",
}
GOALS = {"p95_ms_max": 300, "p99_ms_max": 1000, "failures_max": 0, "requests_per_s_min": 30}
POOLS = {"coordinator": 40, "analyst": 10, "process": 10, "referrer": 10}


def run(args: list[str], *, env: dict[str, str], **kw: Any) -> None:
    subprocess.run(args, check=True, env={**os.environ, **ENV, **env}, **kw)


def ensure_loaded(name: str, scale: str) -> float | None:
    """Create, migrate and load `name` when it has no data set yet; seconds taken, or None."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {"DATABASE_URL": f"{SERVER}/{name}", "DJANGO_SETTINGS_MODULE": "vangnet.settings.dev"}
    if exists:
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
            try:
                # The data set's template cases are there: loaded by an earlier run. The code
                # may have new migrations since, so the schema is brought up to date first.
                if conn.execute(
                    "SELECT 1 FROM cases_case WHERE patient_name LIKE 'Sjabloon %%' LIMIT 1"
                ).fetchone():
                    run([sys.executable, "-m", "vangnet", "migrate", "--noinput", "-v0"], env=env)
                    return None
            except psycopg.errors.UndefinedTable:
                pass
    started = time.perf_counter()
    run([sys.executable, "-m", "vangnet", "migrate", "--noinput", "-v0"], env=env)
    run([sys.executable, "-m", "vangnet", "demo", "--scale", scale], env=env)
    return round(time.perf_counter() - started, 1)


def totp_key(username: str) -> str:
    return hashlib.sha256(f"vangnet-bench-totp:{username}".encode()).hexdigest()[:40]


def prepare(url: str, out: Path) -> None:
    """(In a child process against `url`.) Bench users with TOTP devices, and the targets."""
    os.environ.update(ENV, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="vangnet.settings.dev")
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vangnet.accounts.demo import DEMO_PASSWORD, demo_user
    from vangnet.accounts.models import Membership, Role
    from vangnet.cases.models import Case
    from vangnet.cases.workflow import OPEN_STATES, State
    from vangnet.directory.models import Organisation
    from vangnet.followup.models import CheckIn
    from vangnet.plans.models import PlanGoal
    from vangnet.regions.models import Table
    from vangnet.waitlists.models import ProcessOwnerRegion, RegionKind

    national = Organisation.objects.get(name="Landelijk netwerk casuïstiektafels")
    tables = list(Table.objects.order_by("number"))
    users: dict[str, list[dict[str, Any]]] = {pool: [] for pool in POOLS}
    for pool, count in POOLS.items():
        for i in range(count):
            table = tables[i % len(tables)]
            user = demo_user(f"bench-{pool}-{i:02d}", f"Bench {pool.title()}{i:02d}")
            account: dict[str, Any] = {
                "username": user.username,
                "totp_key": totp_key(user.username),
            }
            if pool == "coordinator":
                org = Organisation.objects.get(name=f"GGZ-instelling tafel {table.number}")
                Membership.objects.get_or_create(
                    user=user, organisation=org, role=Role.COORDINATOR, table=table
                )
                account["table"] = table.number
            elif pool == "analyst":
                Membership.objects.get_or_create(
                    user=user, organisation=national, role=Role.MONITOR_ANALYST
                )
            elif pool == "process":
                m, _ = Membership.objects.get_or_create(
                    user=user,
                    organisation=Organisation.objects.get(agb_code="06290101"),
                    role=Role.PROCESS_OWNER,
                )
                ProcessOwnerRegion.objects.get_or_create(
                    membership=m, region_kind=RegionKind.SAFETY_REGION, region_code="VR13"
                )
            else:
                org = Organisation.objects.get(name=f"Verwijzende ggz tafel {table.number}")
                Membership.objects.get_or_create(user=user, organisation=org, role=Role.REFERRER)
                staff = Membership.objects.get(user__username=f"t{table.number}-coordinator")
                case = Case.objects.filter(table=staff.table).first()
                assert case is not None
                account["organisation"] = org.pk
                account["municipality"] = case.patient_municipality.code
            TOTPDevice.objects.get_or_create(
                user=user, name="bench", defaults={"key": account["totp_key"], "confirmed": True}
            )
            users[pool].append(account)
    targets: dict[str, Any] = {
        "password": DEMO_PASSWORD,
        "users": users,
        "dashboard": f"/wachtlijsten/regio/{RegionKind.SAFETY_REGION.value}/VR13/",
        "tables": {},
    }
    for table in tables:
        cases = Case.objects.filter(table=table)
        checkins = []
        for c in (
            CheckIn.objects.filter(phase__case__table=table, done_at__isnull=True)
            .filter(phase__case__state=State.FOLLOW_UP)
            .select_related("phase__case")
            .order_by("due_on", "pk")
        ):
            if any(x["case"] == c.phase.case.reference for x in checkins):
                continue  # one open check-in per case at a time (the earliest)
            goals = PlanGoal.objects.filter(
                plan__case=c.phase.case,
                status__in=[PlanGoal.Status.IN_PROGRESS, PlanGoal.Status.ACCEPTED],
            )
            checkins.append(
                {"case": c.phase.case.reference, "checkin": c.pk, "goals": [g.pk for g in goals]}
            )
        targets["tables"][str(table.number)] = {
            "cases": list(cases.order_by("pk").values_list("reference", flat=True)[:500]),
            "open_cases": list(
                cases.filter(state__in=OPEN_STATES)
                .order_by("pk")
                .values_list("reference", flat=True)[:300]
            ),
            "checkins": checkins,
        }
    out.write_text(json.dumps(targets))


def page_profile(url: str, out: Path) -> None:
    """(In a child process against `url`.) Median of 5 requests and the query count per page."""
    os.environ.update(
        ENV,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="vangnet.settings.dev",
        VANGNET_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vangnet.accounts.models import User

    targets = json.loads((VAR / "web-targets.json").read_text())
    table = targets["tables"]["1"]
    pages = {
        "overview": ("bench-coordinator-00", "/casussen/overzicht/"),
        "case page": ("bench-coordinator-00", f"/casussen/{table['open_cases'][0]}/"),
        "case list": ("bench-coordinator-00", "/casussen/"),
        "waiting-list dashboard": ("bench-process-00", targets["dashboard"]),
        "monitor report": ("bench-analyst-00", "/monitor/rapport/"),
        "sociale kaart search": ("bench-coordinator-00", "/sociale-kaart/?q=ggz"),
    }
    result: dict[str, Any] = {}
    for name, (username, path) in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        times, queries, status = [], 0, 0
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            queries, status = len(captured.captured_queries), response.status_code
        result[name] = {
            "median_ms": round(statistics.median(times) * 1000, 1),
            "first_ms": round(times[0] * 1000, 1),
            "queries": queries,
            "status": status,
            "bytes": len(response.content),
            "title": _title(response.content),
        }
    out.write_text(json.dumps(result))


def _title(html: bytes) -> str:
    start, end = html.find(b"<title>"), html.find(b"</title>")
    return html[start + 7 : end].decode().strip() if start >= 0 else ""


def child(mode: str, db: str, out: Path) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, __file__, "--child", mode, f"{SERVER}/{db}", str(out)],
        check=True,
        env={**os.environ, **ENV},
    )
    return json.loads(out.read_text()) if out.suffix == ".json" else {}


def wait_for(url: str, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"server did not answer at {url}")


def first_dashboard_seconds(base: str, targets: dict[str, Any]) -> float:
    """Log in as a process owner (password + TOTP) and time the first dashboard request."""
    import re

    import requests
    from django_otp.oath import totp

    session = requests.Session()
    account = targets["users"]["process"][-1]
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def form(path: str, data: dict[str, str]) -> requests.Response:
        page = session.get(base + path)
        found = token.search(page.text)
        data["csrfmiddlewaretoken"] = found.group(1) if found else ""
        for cookie in session.cookies:
            cookie.secure = False  # production cookies are Secure; here plain HTTP on 127.0.0.1
        return session.post(base + path, data=data)

    form("/account/inloggen/", {"username": account["username"], "password": targets["password"]})
    for cookie in session.cookies:
        cookie.secure = False
    code = totp(bytes.fromhex(account["totp_key"]))
    form("/account/tweede-factor/", {"token": f"{code:06d}"})
    for cookie in session.cookies:
        cookie.secure = False
    started = time.perf_counter()
    response = session.get(base + targets["dashboard"])
    seconds = time.perf_counter() - started
    if response.status_code != 200 or "tweede-factor" in response.url:
        raise RuntimeError(f"dashboard after login: {response.status_code} {response.url}")
    return round(seconds, 3)


def locust_stats(prefix: Path) -> dict[str, Any]:
    rows = list(csv.DictReader(prefix.with_name(prefix.name + "_stats.csv").open()))
    pages: dict[str, Any] = {}
    for row in rows:
        pages[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "requests_per_s": round(float(row["Requests/s"]), 2),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }
    return pages


def steady_window(path: Path, users: int, seconds: int) -> tuple[float, float]:
    """The measured window: from the moment the last of the users had logged in, `seconds` long
    (the run lasts WARMUP_SECONDS longer so the ramp-up and the logins stay outside it)."""
    data = json.loads(path.read_text())
    logged_in = sorted(data["logged_in"])
    if len(logged_in) < users:
        raise RuntimeError(f"only {len(logged_in)} of {users} users logged in")
    start = logged_in[users - 1]
    # Cut short (never stretched) when the logins took longer than the warm-up: the JSON says so.
    last = max(r[3] for r in data["requests"])
    return start, min(start + seconds, last)


def pages_total(path: Path, window: tuple[float, float]) -> dict[str, Any]:
    """All page requests (logins left out) that started in the steady window, in total and per
    page, from the per-request times the locustfile wrote."""
    import numpy as np

    start, end = window
    rows = [
        r
        for r in json.loads(path.read_text())["requests"]
        if r[0] != "login" and start <= r[3] < end
    ]

    def summary(selected: list[list[Any]]) -> dict[str, Any]:
        ms = np.array([r[1] for r in selected], dtype=float)
        return {
            "requests": len(selected),
            "failures": sum(1 for r in selected if r[2]),
            "requests_per_s": round(len(selected) / (end - start), 2),
            "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
            "p95_ms": round(float(np.percentile(ms, 95)), 1) if len(ms) else None,
            "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None,
        }

    names = sorted({r[0] for r in rows})
    return {
        "total": summary(rows),
        "pages": {name: summary([r for r in rows if r[0] == name]) for name in names},
    }


def analyze(names: list[str]) -> None:
    """Planner statistics before measuring. The loader analyses what it wrote, but this
    machine's PostgreSQL runs with autovacuum off, so a data set loaded by an older loader (or
    changed by earlier bench runs) may have none, and every page then pays for sequential
    scans (measured: 1.1 s more per page at national size)."""
    import psycopg

    for name in names:
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
            conn.execute("ANALYZE")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        mode, url, out = sys.argv[2:5]
        (prepare if mode == "prepare" else page_profile)(url, Path(out))
        return
    VAR.mkdir(parents=True, exist_ok=True)
    load_average = os.getloadavg()
    # --quick: only the load test, on $BENCH_DB as it is (a development check of the mix).
    quick = sys.argv[1:2] == ["--quick"]
    loaded = {
        "tenth": None if quick else ensure_loaded(f"{DB}_tenth", "tenth"),
        "national": None if quick else ensure_loaded(DB, "national"),
    }
    print(f"data sets ready (load seconds, None = already there): {loaded}", flush=True)
    if not quick:
        analyze([f"{DB}_tenth", DB])
    profile: dict[str, Any] = {}
    for size, db in () if quick else (("tenth", f"{DB}_tenth"), ("national", DB)):
        child("prepare", db, VAR / "web-targets.json")
        profile[size] = child("profile", db, VAR / f"web-profile-{size}.json")
        print(size, json.dumps(profile[size]), flush=True)
    if quick:
        child("prepare", DB, VAR / "web-targets.json")
    targets = json.loads((VAR / "web-targets.json").read_text())  # the national one, last

    base = f"http://127.0.0.1:{PORT}"
    server_env = {
        **os.environ,
        **ENV,
        "DATABASE_URL": f"{SERVER}/{DB}",
        "VANGNET_SSL_REDIRECT": "0",
        "VANGNET_BIND": f"127.0.0.1:{PORT}",
    }
    log = (VAR / "web-server.log").open("w")
    started = time.perf_counter()
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=REPO,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(f"{base}/account/inloggen/")
        ready_s = round(time.perf_counter() - started, 1)
        first_s = first_dashboard_seconds(base, targets)
        print(f"server up after {ready_s} s; first dashboard {first_s} s", flush=True)
        prefix = VAR / "web"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(REPO / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(USERS),
                "-r",
                str(max(1, USERS // 10)),
                "-t",
                f"{SECONDS + WARMUP_SECONDS}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            check=False,
            env={
                **os.environ,
                "BENCH_TARGETS": str(VAR / "web-targets.json"),
                "BENCH_TIMES": str(VAR / "web-times.json"),
            },
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    locust_pages = locust_stats(prefix)
    locust_total = locust_pages.pop("Aggregated")
    logins = locust_pages.pop("login", None)
    window = steady_window(VAR / "web-times.json", USERS, SECONDS)
    first_request_at = min(
        r[3] for r in json.loads((VAR / "web-times.json").read_text())["requests"]
    )
    steady = pages_total(VAR / "web-times.json", window)
    total, pages = steady["total"], steady["pages"]
    met = {
        "p95": total["p95_ms"] is not None and total["p95_ms"] <= GOALS["p95_ms_max"],
        "p99": total["p99_ms"] is not None and total["p99_ms"] <= GOALS["p99_ms_max"],
        "failures": total["failures"] <= GOALS["failures_max"],
        "requests_per_s": total["requests_per_s"] >= GOALS["requests_per_s_min"],
    }
    result = {
        "benchmark": "Vangnet under load on the national data set (make serve + Locust)",
        "command": "uv run --frozen python bench/web.py",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_average,
        },
        "load": {
            "users": USERS,
            "seconds": SECONDS,
            "shortened": USERS != 50 or SECONDS != 300 or window[1] - window[0] < SECONDS - 1,
            "mix": "60% reads, 25% lists/searches, 15% writes (bench/locustfile.py)",
            "server": "make serve: gunicorn (scripts/gunicorn.conf.py), production settings",
        },
        "data_set_load_seconds": loaded,
        # Free text for what the run's JSON cannot know (e.g. data sets loaded by an earlier run).
        "note": os.environ.get("BENCH_NOTE", ""),
        "server_ready_seconds": ready_s,
        "first_dashboard_request_seconds": first_s,
        "window": {
            "what": "page requests (logins left out) started in the steady window: from the "
            "moment the last user had logged in, for the load's seconds",
            "started_after_first_request_seconds": round(window[0] - first_request_at, 1),
            "seconds": round(window[1] - window[0], 1),
        },
        "total": total,
        "pages": pages,
        # Locust's own figures over the whole run, ramp-up and logins included.
        "locust_whole_run": {"aggregate": locust_total, "pages": locust_pages},
        "logins": logins,
        "goals": GOALS,
        "met": {**met, "all": all(met.values())},
        "pages_by_size": {
            name: {size: profile[size].get(name) for size in profile}
            for name in profile.get("national", {})
        },
    }
    out = VAR / "web_quick.json" if quick else REPO / "bench" / "results" / "web.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({"total": total, "met": result["met"]}, indent=1))


if __name__ == "__main__":
    main()
