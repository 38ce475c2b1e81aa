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

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    """Log out through the menu's logout button (a POST with CSRF, as a user would); on a
    narrow screen the folded menu is opened first."""
    toggle = page.locator("header .menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
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


# --- axe-core on every page the browser tests visit ------------------------------------------
#
# `scripts/ensure-system-deps --with-browser` installs the pinned axe-core from npm under
# var/node. `install_axe_audit` wraps Playwright's page-leaving actions (goto, click, fill, ...)
# so that, before a test acts on a page, that page has been checked once: every page a journey
# visits and does something on is checked, and so is the last page of each context when it closes.
# Checking before the action rather than on the load event keeps a check from racing the test's
# next navigation.

AXE_JS = Path(
    os.environ.get(
        "VANGNET_AXE_JS",
        Path(__file__).resolve().parents[3] / "var/node/node_modules/axe-core/axe.min.js",
    )
)
# Third-party pages we serve but do not author: the API's Swagger UI.
AXE_SKIP_PATHS = ("/api/v1/docs",)

_RUN_AXE = r"""async () => {
  window.__vangnetAxeDone = true;
  const results = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
  const found = results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
  // Two checks axe-core 4.10 leaves out or reports only as "needs review": ids used twice
  // (two forms on one page, each with its own id_reason), and aria references to absent ids.
  const seen = {}, dupes = [];
  for (const el of document.querySelectorAll("[id]")) {
    if (seen[el.id] && !dupes.includes(el.id)) dupes.push(el.id);
    seen[el.id] = true;
  }
  if (dupes.length) found.push({id: "duplicate-id", impact: "serious",
    help: "ids must be unique", nodes: dupes.slice(0, 10).map(d => "#" + d)});
  const dangling = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
    for (const el of document.querySelectorAll("[" + attr + "]")) {
      for (const ref of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) dangling.push(attr + "=" + ref + " on " + el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : ""));
      }
    }
  }
  if (dangling.length) found.push({id: "dangling-idref", impact: "serious",
    help: "aria-describedby, aria-labelledby, aria-controls and for must name an existing id",
    nodes: dangling.slice(0, 10)});
  return found;
}"""


class AxeViolation(AssertionError):
    """axe-core found accessibility violations on a page."""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page's current document; its violations (empty when clean)."""
    if not AXE_JS.exists():
        pytest.fail(
            f"axe-core not found at {AXE_JS}: run scripts/ensure-system-deps --with-browser"
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's Content-Security-Policy, a script tag would be.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return result


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Fail listing axe-core's violations on the page's current document."""
    violations = axe_violations(page)
    if violations:
        raise AxeViolation(format_violations(page.url, violations))


def _audit(page: Any) -> None:
    """Check the current document once (a marker on its window says it was checked)."""
    from playwright.sync_api import Error as PlaywrightError

    if page.is_closed():
        return
    url = page.url
    if not url.startswith("http") or urlsplit(url).path.startswith(AXE_SKIP_PATHS):
        return
    try:
        page.wait_for_load_state("load")
        if page.evaluate("() => window.__vangnetAxeDone === true"):
            return
        violations = axe_violations(page)
    except PlaywrightError as exc:
        # The page navigated away mid-check (a form posted by a script, a redirect): the new
        # document is checked before the next action.
        if "context was destroyed" in str(exc) or "navigat" in str(exc).lower():
            return
        raise
    if violations:
        report = os.environ.get("VANGNET_AXE_REPORT")
        if report:  # survey mode (a developer's run): list them all instead of stopping
            with open(report, "a", encoding="utf-8") as out:
                out.write(format_violations(url, violations) + "\n")
            return
        raise AxeViolation(format_violations(url, violations))


_PAGE_ACTIONS = (
    "goto", "click", "dblclick", "tap", "fill", "type", "press", "check", "uncheck",
    "set_checked", "select_option", "set_input_files", "dispatch_event", "go_back",
    "go_forward", "reload",
)  # fmt: skip
_LOCATOR_ACTIONS = (*_PAGE_ACTIONS[1:13], "press_sequentially")
# Checked on entry, so a check's time never counts against the waiter's own timeout.
_PAGE_WAITERS = ("expect_download", "expect_navigation", "expect_popup", "expect_response")


def _before(method: Any, page_of: Any) -> Any:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        _audit(page_of(self))
        return method(self, *args, **kwargs)

    wrapper.__vangnet_axe__ = True  # type: ignore[attr-defined]
    return wrapper


def install_axe_audit() -> None:
    """Make every Playwright page check itself with axe-core before it is acted on or closed."""
    from playwright.sync_api import BrowserContext, Locator, Page

    if getattr(Page.goto, "__vangnet_axe__", False):
        return
    for name in (*_PAGE_ACTIONS, *_PAGE_WAITERS):
        setattr(Page, name, _before(getattr(Page, name), lambda p: p))
    for name in _LOCATOR_ACTIONS:
        setattr(Locator, name, _before(getattr(Locator, name), lambda loc: loc.page))
    close = BrowserContext.close

    @functools.wraps(close)
    def close_after_audit(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            for pg in self.pages:
                _audit(pg)
        finally:
            close(self, *args, **kwargs)

    BrowserContext.close = close_after_audit  # type: ignore[method-assign]
