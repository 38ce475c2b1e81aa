"""The axe-core check of the browser tests can fail: a page with a violation stops the journey
at its next action, listing the rule and the element."""

from __future__ import annotations

import pytest

from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    AxeViolation,
    assert_accessible,
    reference_data,
    restore_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_a_violation_fails_the_next_action_and_names_the_rule(page, live_server):
    page.goto(f"{live_server.url}/account/inloggen/")
    # An image without a text alternative and a second element with the same id.
    page.evaluate(
        """() => {
        const img = document.createElement("img"); img.src = "/static/x.png";
        document.querySelector("main").appendChild(img);
        const dup = document.createElement("span"); dup.id = "main";
        document.querySelector("main").appendChild(dup);
    }"""
    )
    with pytest.raises(AxeViolation) as failure:
        page.goto(f"{live_server.url}/sociale-kaart/regio/")
    message = str(failure.value)
    assert "image-alt" in message and "duplicate-id" in message and "#main" in message
    # Each document is checked once: the journey goes on, and the next page is clean.
    page.goto(f"{live_server.url}/sociale-kaart/regio/")
    assert_accessible(page)
