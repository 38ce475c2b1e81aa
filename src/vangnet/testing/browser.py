"""Browser-test helpers: log in through the real login and second-factor forms.

Usage in a test module driving the live server::

    from vangnet.testing.browser import (  # noqa: F401 - fixtures
        browser_login, reference_data, restore_reference_data,
    )

    pytestmark = [
        pytest.mark.browser,
        pytest.mark.django_db(transaction=True),
        pytest.mark.usefixtures("reference_data", "restore_reference_data"),
    ]

    def test_journey(page, live_server, world):
        browser_login(page, live_server, world.referrer)

Why the two fixtures: a live-server test is transactional, and Django flushes the database after
it, taking the reference data of the data migrations (municipalities, tables, criteria, ...) with
it. Django's `serialized_rollback` would restore it, but not once Playwright runs: its sync API
keeps an asyncio loop running in the main thread, so asgiref hands the test a different
connection object, one without the serialized contents. `reference_data` reloads the data before
each test when a flush removed it; `restore_reference_data` reloads it after the module, so the
transactional tests of other modules still find it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.accounts.models import User

from .factories import PASSWORD
from .otp import confirmed_device, totp_token

OTP_PATH = "/account/tweede-factor/"


def browser_login(page: Any, live_server: Any, user: User, *, password: str = PASSWORD) -> None:
    """Log `user` in with password and TOTP code; ends on the page after the second factor.

    A user without a confirmed device gets one first, so the code can be computed; use
    `browser_activate` to drive the activation page itself.
    """
    device = confirmed_device(user)
    page.goto(f"{live_server.url}/account/inloggen/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(re.compile(re.escape(OTP_PATH)))
    _submit_token(page, device)


def browser_activate(page: Any, live_server: Any, url: str, *, password: str) -> None:
    """Open a one-time activation link, choose `password` and enrol the authenticator whose
    key the page shows (read back from the unconfirmed device, as an app would scan it)."""
    page.goto(url if url.startswith("http") else f"{live_server.url}{url}")
    key = page.inner_text("[data-testid=otp-secret]")
    device = TOTPDevice.objects.get(confirmed=False, user__activation_links__isnull=False)
    assert key
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.fill("#id_token", totp_token(device))
    page.click("button[type=submit]:has-text('Activeren')")
    page.wait_for_url(lambda u: "/activeren/" not in u)


def _submit_token(page: Any, device: TOTPDevice) -> None:
    page.fill("#id_token", totp_token(device))
    page.click("button[type=submit]:has-text('Bevestigen')")
    page.wait_for_url(lambda url: OTP_PATH not in url)


def browser_logout(page: Any) -> None:
    """Log out through the menu's logout button (a POST with CSRF, as a user would)."""
    page.click("button:has-text('Uitloggen')")
    page.wait_for_url(re.compile(r"/account/inloggen/"))


def _is_loader(operation: Any) -> bool:
    return isinstance(operation, RunPython) and operation.reverse_code is RunPython.noop


def reload_reference_data() -> bool:
    """Rerun the data migrations' loaders if a flush emptied the database; True if it did.

    Loaders are Vangnet's RunPython operations whose reverse is a no-op (data loads); operations
    with a real reverse (such as the access log's PostgreSQL trigger) are schema and survive a
    flush. They run in migration order, on empty tables, each with the models as they were at its
    migration (a model may since have moved to another app).
    """
    from vangnet.regions.models import Table

    if Table.objects.exists():
        return False
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in plan:
                plan.append(node)
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("vangnet.")}
    for node in plan:
        if node[0] not in ours:
            continue  # third-party migrations hold no reference data
        migration = loader.graph.nodes[node]
        if not any(_is_loader(op) for op in migration.operations):
            continue
        state = loader.project_state(node, at_end=False)
        for operation in migration.operations:
            if _is_loader(operation):
                operation.code(state.apps, None)
            else:
                operation.state_forwards(node[0], state)
    return True


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """The data migrations' reference data, present even after an earlier test's flush."""
    reload_reference_data()


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker: Any) -> Iterator[None]:
    """After the module's last flush, put the reference data back for later modules."""
    yield
    with django_db_blocker.unblock():
        reload_reference_data()
