"""Under the strict Content-Security-Policy the pages still work in a real browser, with no
violation reported: HTMX partial updates, the Swagger UI of the API, the print button."""

from __future__ import annotations

import pytest

from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    reference_data,
    restore_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]

# Runs before any page script and is not subject to the page's policy.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_pages_htmx_and_api_docs_work_without_policy_violations(page, live_server, world):
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text else None)
    browser_login(page, live_server, world.referrer)
    assert page.evaluate("window.__csp") == []
    # HTMX proposes the table when the municipality changes.
    page.goto(f"{live_server.url}/casussen/aanmelden/")
    page.select_option("#id_patient_municipality", "GM0363")
    page.locator('#proposed-table[data-number="3"]').wait_for()
    assert page.evaluate("window.__csp") == []
    # The Swagger UI renders from our own static files.
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .information-container").wait_for()
    assert page.evaluate("window.__csp") == []
    assert console == []
