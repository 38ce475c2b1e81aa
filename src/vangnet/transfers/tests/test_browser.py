"""The desk in headless Chromium (axe audit on every page acted on): a data officer puts a client
forward, a screener of another organisation confirms, the desk makes a proposal and takes the line
over (HTMX), the transfer is offered and accepted, handed over and the intake confirmed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    browser_logout,
    reference_data,
    restore_reference_data,
)
from vangnet.transfers.models import Candidate, Transfer

from .conftest import Net, publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_desk_journey(page, live_server, net: Net):
    publish(net, net.loc_receiver, slots=2, wait_weeks=1)
    today = timezone.localdate()

    browser_login(page, live_server, net.data_officer)
    page.click("nav >> text=Transfers")
    page.click("text=Cliënt aandragen voor transfer")
    page.check("#id_consent")
    page.fill("#id_consent_given_on", today.isoformat())
    page.select_option("#id_municipality", "GM0363")
    page.select_option("#id_diagnosis_group", "angst")
    page.fill("#id_waiting_for", "Intake gespecialiseerde ggz")
    page.fill("#id_waiting_since", (today - timedelta(days=150)).isoformat())
    page.fill("#id_expected_home_wait_weeks", "16")
    page.fill("#id_birth_date", "1979-06-01")
    page.fill("#id_travel_radius_km", "40")
    page.click("button:has-text('Aandragen')")
    page.wait_for_url(re.compile(r"/transfers/kandidaat/TK-"))
    reference = Candidate.objects.get().reference
    assert "Wacht op screening" in page.inner_text("[data-testid=candidate-state]")
    browser_logout(page)

    browser_login(page, live_server, net.screener)
    page.goto(f"{live_server.url}/transfers/screening/")
    section = page.locator(f"[data-testid=screen-{reference}]")
    section.locator("input[value=ja]").check()
    section.locator("button:has-text('Vastleggen')").click()
    page.wait_for_selector("text=Screening van")
    browser_logout(page)

    browser_login(page, live_server, net.desk)
    page.goto(f"{live_server.url}/transfers/tafel/veiligheidsregio/VR13/")
    page.click("button:has-text('Voorstel maken')")
    page.wait_for_url(re.compile(r"/transfers/voorstel/\d+/"))
    assert "bewezen" in page.inner_text("[data-testid=proposal-summary]")
    page.click("button:has-text('Overnemen')")
    page.wait_for_selector("text=Transfer voor")
    transfer = Transfer.objects.get()
    page.goto(f"{live_server.url}/transfers/transfer/{transfer.pk}/")
    page.click("button:has-text('Aangeboden')")
    page.wait_for_selector("text=Vastgelegd")
    page.locator("input[name=antwoord-accepted][value=ja]").check()
    page.click("button:has-text('Antwoord vastleggen')")
    page.wait_for_selector("[data-testid=transfer-state]:has-text('Geaccepteerd')")
    browser_logout(page)

    browser_login(page, live_server, net.receiver_officer)
    page.goto(f"{live_server.url}/transfers/transfer/{transfer.pk}/")
    page.fill("#id_contact-spoke_with", "Behandelaar van de zender")
    page.click("button:has-text('Contact vastleggen')")
    page.wait_for_selector("[data-testid=transfer-state]:has-text('Warme overdracht')")
    page.fill("#id_intake-intake_date", (today + timedelta(days=3)).isoformat())
    page.click("button:has-text('Bevestigen')")
    page.wait_for_selector("[data-testid=transfer-state]:has-text('Intake gepland')")
    page.click("button:has-text('Intake is gedaan')")
    page.wait_for_selector("[data-testid=transfer-state]:has-text('Intake gedaan')")
    assert Candidate.objects.get().state == "transferred"
