"""Shared fixtures: role users, verified (two-factor) clients, and the browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from freezegun import freeze_time

from vangnet.accounts.models import Membership, Role, User
from vangnet.directory.models import Organisation
from vangnet.testing import casework as casework_helpers
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests are
# still synchronous, so Django's async-safety guard is lifted for the test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    """A small network: table 3 with coordinator and screener, a referrer, and outsiders."""

    referrer_org: Organisation
    coordinator_org: Organisation
    referrer: User
    other_referrer: User
    coordinator: User
    screener: User
    same_org_screener: User
    other_table_coordinator: User
    table_member: User
    medical_adviser: User
    monitor_analyst: User
    privacy_officer: User
    administrator: User


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: cached reports are keyed by the records' version,
    which two tests' throw-away databases could share."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    referrer_org = factories.OrganisationFactory(name="GGZ Verwijzer")
    coordinator_org = factories.OrganisationFactory(name="Arkin")
    return World(
        referrer_org=referrer_org,
        coordinator_org=coordinator_org,
        referrer=factories.member(Role.REFERRER, organisation=referrer_org),
        other_referrer=factories.member(Role.REFERRER),
        coordinator=factories.member(Role.COORDINATOR, organisation=coordinator_org, table=3),
        screener=factories.member(Role.SECOND_SCREENER, table=3),
        same_org_screener=factories.member(
            Role.SECOND_SCREENER, organisation=coordinator_org, table=3
        ),
        other_table_coordinator=factories.member(Role.COORDINATOR, table=1),
        table_member=factories.member(Role.TABLE_MEMBER, table=3),
        medical_adviser=factories.member(Role.MEDICAL_ADVISER),
        monitor_analyst=factories.member(Role.MONITOR_ANALYST),
        privacy_officer=factories.member(Role.PRIVACY_OFFICER),
        administrator=factories.member(Role.ADMINISTRATOR),
    )


def membership(user: User, role: str) -> Membership:
    return Membership.objects.select_related("organisation").get(user=user, role=role)


@pytest.fixture
def verified_client() -> Callable[[User], Client]:
    """A test client logged in with password and a confirmed second factor."""

    def make(user: User) -> Client:
        client = Client()
        device = factories.totp_device(user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


CHROMIUM = os.environ.get("VANGNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from vangnet.testing.browser import install_axe_audit

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure-system-deps")
    # Every page a browser test acts on is checked with axe-core first (issue 11 §5).
    install_axe_audit()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, live_server: object) -> Iterator[object]:
    context = browser.new_context(locale="nl-NL")  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


# --- the case-work tests (cases, meetings, plans, followup) -----------------------------------


@pytest.fixture
def coord(world):
    return ms(world.coordinator)


@pytest.fixture
def admitted(world):
    return fu.admitted_case(world)


@pytest.fixture
def partners(db):
    return [fu.partner("Arkin Behandeling"), fu.partner("Beschermd Wonen Amsterdam")]


@pytest.fixture
def frozen():
    with freeze_time(casework_helpers.FROZEN) as f:
        yield f


@pytest.fixture
def case(world):
    return fu.admitted_case(world)


@pytest.fixture
def member_org(world):
    return ms(world.table_member, Role.TABLE_MEMBER).organisation
