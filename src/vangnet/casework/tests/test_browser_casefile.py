"""Issue 11 §2 in headless Chromium: the coordinator walks the case file's section menu, each
section on its own short page; a form posted on a section page returns to that section; an invited
organisation's menu has no triage or closure."""

from __future__ import annotations

import re

import pytest

from vangnet.casework.casefile import SECTIONS
from vangnet.testing import followup as fu
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    browser_logout,
    reference_data,
    restore_reference_data,
)
from vangnet.testing.followup import ms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_walk_the_section_menu_and_post_from_a_section(page, live_server, world):
    case = fu.admitted_case(world)
    member_org = ms(world.table_member, "table_member").organisation
    fu.invite_with_consent(world, case, member_org)
    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/")
    menu = page.locator("[data-testid=section-menu]")
    assert "Wat nu" in page.locator("[data-testid=overview]").inner_text()
    for section in SECTIONS:
        menu.get_by_role("link", name=section.label, exact=True).click()
        page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/{section.slug}/$"))
        current = menu.locator("[aria-current=page]")
        assert current.inner_text() == section.label
        assert page.locator("h1").inner_text() == f"Casus {case.reference}"

    # Escalate from the follow-up section: back on that section, one level up, next choices.
    menu.get_by_role("link", name="Follow-up en termijn", exact=True).click()
    form = page.locator("[data-testid=escalate-form]")
    form.locator("select[name=to_level]").select_option("1")
    form.locator("textarea[name=reason]").fill("Informatie van de kliniek ontbreekt.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/follow-up/$"))
    assert page.locator("[data-testid=escalation-level]").inner_text() == "1"
    options = page.locator("[data-testid=escalate-form] select[name=to_level] option")
    assert [o.get_attribute("value") for o in options.all()] == ["0", "2"]
    browser_logout(page)

    # The invited organisation's menu holds only what it may open.
    browser_login(page, live_server, world.table_member)
    page.goto(f"{live_server.url}/casussen/{case.reference}/dossier/overzicht/")
    labels = page.locator("[data-testid=section-menu] a").all_inner_texts()
    assert "Triage" not in labels and "Afsluiting" not in labels
    assert "Voorbereiding" in labels and "Integraal plan" in labels
