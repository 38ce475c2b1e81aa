"""Locust users of `bench/web.py`: table coordinators, monitor analysts, process owners and
referrers, each logging in through the real login with password and TOTP code (the bench knows
the secret of each bench user's device and computes the code with django-otp, as an
authenticator app would).

Mix of requests (by task weights and user counts): ~60% reads (coordinator overview, case page,
waiting-list dashboard, monitor report), ~25% lists and searches (case list, case search, the
sociale kaart search), ~15% writes (timeline note, check-in, case registration).

Reads `var/bench/web-targets.json` (written by `bench/web.py`): users, cases per table, open
check-ins, the dashboard region.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import threading
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django_otp.oath import totp
from locust import FastHttpUser, between, events, task

TARGETS = json.loads(
    Path(
        os.environ.get("BENCH_TARGETS", Path(__file__).parents[1] / "var/bench/web-targets.json")
    ).read_text()
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_lock = threading.Lock()
_counters: dict[str, itertools.count[int]] = {}


# Every request's name, time (ms), failure and start (epoch seconds), and when each user had
# logged in, for `bench/web.py`: it judges the pages in the steady window after the last login
# (Locust's own aggregate includes the logins and the ramp-up, where 50 PBKDF2 password checks
# of half a second of CPU each compete with the first pages).
_times: list[tuple[str, float, bool, float]] = []
_logged_in: list[float] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **kwargs: Any) -> None:
    _times.append((name, response_time, exception is not None, time.time() - response_time / 1000))


@events.quitting.add_listener
def _write(**kwargs: Any) -> None:
    out = os.environ.get("BENCH_TIMES")
    if out:
        Path(out).write_text(json.dumps({"requests": _times, "logged_in": _logged_in}))


class _PlainHttpCookies(DefaultCookiePolicy):
    """The server runs the production settings (Secure cookies) without TLS on 127.0.0.1: the
    client sends its Secure cookies over plain HTTP anyway, redirect hops included. Client side
    only; the server is unchanged."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class Staff(FastHttpUser):
    """FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator shares the
    two cores with the server it measures, and requests cost it about three times the CPU per
    request (~4 ms), CPU taken from the server."""

    abstract = True
    wait_time = between(0.5, 1.5)
    pool = ""

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(_PlainHttpCookies())
        with _lock:
            counter = _counters.setdefault(self.pool, itertools.count())
            users = TARGETS["users"][self.pool]
            self.account = users[next(counter) % len(users)]
        page = self.client.get("/account/inloggen/", name="login")
        self.client.post(
            "/account/inloggen/",
            data=_form(
                {
                    "username": self.account["username"],
                    "password": TARGETS["password"],
                    "csrfmiddlewaretoken": _csrf(page.text or ""),
                }
            ),
            headers=FORM,
            name="login",
        )
        page = self.client.get("/account/tweede-factor/", name="login")
        # A code is accepted once per device and time step: wait for a fresh step if needed.
        code = totp(bytes.fromhex(self.account["totp_key"]))
        response = self.client.post(
            "/account/tweede-factor/",
            data=_form({"token": f"{code:06d}", "csrfmiddlewaretoken": _csrf(page.text or "")}),
            headers=FORM,
            name="login",
        )
        if _on_login_page(response.text or ""):
            raise RuntimeError(f"second factor refused for {self.account['username']}")
        with _lock:
            _logged_in.append(time.time())

    def post_form(self, url: str, data: dict[str, Any], name: str) -> None:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        with self.client.post(
            url,
            data=_form({**data, "csrfmiddlewaretoken": token}),
            headers=FORM,
            name=name,
            catch_response=True,
        ) as response:
            text = response.text or ""
            # A form shown again with errors is a 200 too: count it as a failure (the pages show
            # field errors and an error summary; the bench's registrations were refused unseen
            # when the form began to require the parties' actions and only the summary showed).
            if response.status_code == 200 and (
                'class="errorlist' in text or 'data-testid="error-summary"' in text
            ):
                response.failure("form refused")
            # A write that lost its session ends on the login form: never count that as done.
            elif _on_login_page(text) or response.status_code != 200:
                response.failure(f"ended on the login form or status {response.status_code}")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Where a request lands when its session is gone: the login page or the second-factor page.
# (FastResponse.url is the address asked for, not the one a redirect ended on.)
LOGIN_PAGES = ("<title>Inloggen ·", "<title>Tweede factor ·")


def _on_login_page(html: str) -> bool:
    return any(title in html for title in LOGIN_PAGES)


def _form(data: dict[str, Any]) -> str:
    # doseq: a list (the registration's criteria) is sent as repeated fields, as a browser does.
    return urlencode(data, doseq=True)


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class Coordinator(Staff):
    weight = 75
    pool = "coordinator"

    @property
    def table(self) -> dict[str, Any]:
        return TARGETS["tables"][str(self.account["table"])]

    @task(20)
    def overview(self) -> None:
        self.client.get("/casussen/overzicht/", name="overview")

    @task(20)
    def case_page(self) -> None:
        self.client.get(f"/casussen/{random.choice(self.table['cases'])}/", name="case page")

    @task(12)
    def case_list(self) -> None:
        self.client.get("/casussen/", name="case list")

    @task(5)
    def case_search(self) -> None:
        self.post_form(
            "/casussen/", {"name": random.choice(["Jansen", "Visser", "Yilmaz"])}, "case search"
        )

    @task(6)
    def timeline_note(self) -> None:
        ref = random.choice(self.table["open_cases"])
        self.post_form(
            f"/casussen/{ref}/actie/tijdlijn/",
            {
                "date": (dt.date.today() - dt.timedelta(days=30)).isoformat(),
                "organisation_name": "GGZ-instelling",
                "description": "Telefonisch overleg met de behandelaar.",
            },
            "timeline note",
        )

    @task(4)
    def check_in(self) -> None:
        with _lock:
            pending = self.table["checkins"]
            item = pending.pop() if pending else None
        if item is None:
            return
        data = {"checkin": item["checkin"], "summary": "Maandelijkse check-in: stabiel."}
        for goal in item["goals"]:
            data[f"goal_{goal}"] = "on_track"
        self.post_form(f"/casussen/{item['case']}/actie/check-in/", data, "check-in")

    @task(8)
    def sociale_kaart(self) -> None:
        q = random.choice(["ggz", "verslaving", "beschermd wonen", "crisis"])
        self.client.get(f"/sociale-kaart/?q={q}", name="sociale kaart search")


class Analyst(Staff):
    weight = 10
    pool = "analyst"

    @task
    def monitor_report(self) -> None:
        self.client.get("/monitor/rapport/", name="monitor report")


class ProcessOwner(Staff):
    weight = 10
    pool = "process"

    @task
    def dashboard(self) -> None:
        self.client.get(TARGETS["dashboard"], name="waiting-list dashboard")


class Referrer(Staff):
    weight = 5
    pool = "referrer"

    @task
    def registration(self) -> None:
        n = int(time.time() * 1000) % 10_000_000
        self.post_form(
            "/casussen/aanmelden/",
            {
                "organisation": self.account["organisation"],
                "referrer_type": "other_ggz_institution",
                "patient_name": f"Bench Patiënt {n}",
                "patient_birth_date": "1984-05-06",
                "patient_municipality": self.account["municipality"],
                "insurer": "Zilveren Kruis",
                "consent_by": "patient",
                "stuck_description": "Psychose en verslaving; geen aanbieder neemt regie.",
                "best_solution": "Klinische plek met dubbele diagnose-expertise.",
                "timeline": "2024: opname; 2025: crisisopnames.",
                "urgency": "regular",
                "criteria": ["1", "3"],
                "party_0_organisation": "GGZ-instelling",
                "party_0_action": "Ambulante behandeling; opname geweigerd.",
            },
            "registration",
        )
