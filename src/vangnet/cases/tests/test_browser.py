"""The registration and triage journeys in headless Chromium, through the real login and TOTP.

Lean on purpose: CI runs them on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest

from vangnet.accounts.models import Role
from vangnet.cases import services
from vangnet.cases.models import Case
from vangnet.conftest import membership
from vangnet.testing import factories
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    browser_logout,
    reference_data,
    restore_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_register_triage_confirm_and_the_referrer_sees_the_outcome(page, live_server, world):
    # The referrer registers a case; the table is proposed from the municipality (HTMX).
    browser_login(page, live_server, world.referrer)
    page.click("nav >> text=Aanmelden")
    page.select_option("#id_referrer_type", "other_ggz_institution")
    page.fill("#id_patient_name", "Johanna Brouwer")
    page.fill("#id_patient_birth_date", "1984-09-21")
    page.select_option("#id_patient_municipality", "GM0363")
    proposal = page.locator('#proposed-table[data-number="3"]')
    proposal.wait_for()
    assert "Voorgestelde tafel voor Amsterdam" in proposal.inner_text()
    page.select_option("#id_insurer", label="Zilveren Kruis")
    page.select_option("#id_consent_by", "patient")
    page.fill("#id_stuck_description", "Psychose en verslaving; niemand neemt beide op.")
    page.fill("#id_best_solution", "Klinische dubbele-diagnosebehandeling.")
    page.fill("#id_timeline", "2023 opname, 2025 crisis.")
    page.check("input[name=criteria][value='1']")
    page.fill("#id_party_0_organisation", "GGZ Noord")
    page.fill("#id_party_0_action", "Ambulante behandeling.")
    page.click("button:has-text('Aanmelding versturen')")
    page.wait_for_url(re.compile(r"/casussen/VN-\d{4}-\d{5}/$"))
    reference = re.search(r"(VN-\d{4}-\d{5})", page.url).group(1)
    assert f"referentie {reference}" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=state]") == "Aangemeld"
    browser_logout(page)

    # The coordinator finds it in the queue and triages it: all criteria met, admit.
    browser_login(page, live_server, world.coordinator)
    page.click(f"[data-testid=queue] >> text={reference}")
    page.click("text=Triage uitvoeren")
    for n in range(1, 8):
        page.check(f"input[name=criterion_{n}][value=met]")
    page.check("input[name=decision][value=admit]")
    page.fill("#id_reason", "Zorg is schaars en intensief; past bij de tafel.")
    page.click("button:has-text('Besluit voorstellen')")
    page.wait_for_url(re.compile(rf"/casussen/{reference}/$"))
    assert "Voorgesteld besluit: Toelaten" in page.content()
    browser_logout(page)

    # A second screener (another person, another organisation) confirms.
    browser_login(page, live_server, world.screener)
    page.goto(f"{live_server.url}/casussen/{reference}/")
    assert page.locator("[data-testid=same-org]").count() == 0
    page.check("input[name=verdict][value=confirm]")
    page.click("button:has-text('Oordeel vastleggen')")
    page.locator(".messages >> text=definitief").wait_for()
    browser_logout(page)

    # The referrer sees the outcome and its reason.
    browser_login(page, live_server, world.referrer)
    page.goto(f"{live_server.url}/casussen/{reference}/")
    decision = page.inner_text("[data-testid=decision]")
    assert "Besluit van de tafel: Toelaten" in decision
    assert "Zorg is schaars en intensief; past bij de tafel." in decision
    case = Case.objects.get(reference=reference)
    assert (case.state, case.table.number, case.patient_name) == ("admitted", 3, "Johanna Brouwer")


def test_the_second_screener_disagrees_and_the_coordinator_sees_the_note(page, live_server, world):
    case = factories.register_case(world.referrer)
    services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=membership(world.coordinator, Role.COORDINATOR),
        assessments=factories.all_criteria(),
        decision="not_suitable",
        reason="Geen ggz-vraag.",
    )

    browser_login(page, live_server, world.same_org_screener)
    page.goto(f"{live_server.url}/casussen/{case.reference}/")
    assert page.locator("[data-testid=same-org]").is_visible()  # same organisation: flagged
    page.check("input[name=verdict][value=disagree]")
    page.fill("#id_note", "Er is wel een ggz-vraag: criterium 1 is voldaan.")
    page.click("button:has-text('Oordeel vastleggen')")
    page.locator(".messages >> text=teruggelegd").wait_for()
    browser_logout(page)

    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/")
    assert page.inner_text("[data-testid=state]") == "Aangemeld"
    page.click("text=Triage uitvoeren")
    returned = page.inner_text("[data-testid=returned]")
    assert "Er is wel een ggz-vraag: criterium 1 is voldaan." in returned
    assert "Niet passend" in returned
