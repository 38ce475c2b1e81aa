"""The client journey's public side in headless Chromium (axe audits every page acted on): the
client types the code from their letter and the birth date, reads the three answers, leaves; a
process owner reads the region's monthly figures."""

from __future__ import annotations

import re

import pytest

from vangnet.accounts.selectors import actor_for
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    reference_data,
    restore_reference_data,
)
from vangnet.transfers import client_codes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_client_opens_page_with_code_and_reads_the_three_answers(page, live_server, journey):
    code = client_codes.code_issue(
        actor=actor_for(journey.clinician), candidate=journey.candidate
    ).code
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Mijn transfer")
    page.wait_for_url(re.compile(r"/mijn-transfer/$"))
    page.fill("#id_code", code.lower())
    page.fill("#id_birth_date", "10-04-1988")  # wrong date: one answer, nothing opened
    page.click("button:has-text('Mijn pagina openen')")
    assert client_codes.REFUSED in page.inner_text("[data-testid=refused]")
    page.fill("#id_code", code)
    page.fill("#id_birth_date", "09-04-1988")
    page.click("button:has-text('Mijn pagina openen')")
    page.wait_for_url(re.compile(r"/mijn-transfer/pagina/$"))
    assert code not in page.url
    main = page.inner_text("main")
    for heading in ("Waar wacht ik op", "Bij wie kan ik terecht", "Wat kan ik zelf doen"):
        assert heading in main
    assert "Carla Contact" in main and "113" in main
    assert journey.candidate.diagnosis_group.name not in main
    page.click("a:has-text('transferpunt')")
    page.wait_for_url(re.compile(r"/transferpunt/veiligheidsregio/VR13/$"))
    assert "Arkin Transferpunt" in page.inner_text("main")
    page.go_back()
    page.click("button:has-text('Pagina afsluiten')")
    page.wait_for_url(re.compile(r"/mijn-transfer/$"))
    page.goto(f"{live_server.url}/mijn-transfer/pagina/")
    page.wait_for_url(re.compile(r"/mijn-transfer/$"))


def test_process_owner_reads_the_monthly_figures(page, live_server, journey):
    browser_login(page, live_server, journey.process_owner)
    page.click("nav >> text=Transfercijfers")
    page.click("text=veiligheidsregio Amsterdam-Amstelland")
    page.wait_for_url(re.compile(r"/transfers/rapportage/veiligheidsregio/VR13/"))
    assert "Worden cliënten sneller geholpen?" in page.inner_text("main")
    assert page.locator("[data-testid=transfer-chart]").count() == 1
