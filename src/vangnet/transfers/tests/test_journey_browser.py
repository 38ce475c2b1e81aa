"""The issue's "Done when" journey in headless Chromium (axe audits every page acted on): a
provider puts a client forward, a screener of another organisation confirms, the desk runs a
proposal and offers, the client opens their page with the code, the transfer is accepted, handed
over warmly and the intake is confirmed."""

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
from vangnet.transfers.models import Candidate, Transfer, TransferState

from .conftest import publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_put_forward_screen_propose_offer_client_page_accept_handover_intake(
    page, live_server, net
):
    publish(net, net.loc_receiver, slots=2, wait_weeks=2, group="angst")
    today = timezone.localdate()
    url = live_server.url

    # 1. The clinician of the provider where the client waits puts the client forward.
    browser_login(page, live_server, net.clinician)
    page.goto(f"{url}/transfers/aandragen/")
    page.check("#id_consent")
    page.select_option("#id_municipality", "GM0363")
    page.select_option("#id_diagnosis_group", "angst")
    page.fill("#id_waiting_for", "Behandeling met gesprekken")
    page.fill("#id_waiting_since", (today - timedelta(days=120)).isoformat())
    page.fill("#id_expected_home_wait_weeks", "16")
    page.fill("#id_birth_date", "1990-05-17")
    page.select_option("#id_insurer", label="Verzekeraar A")
    page.fill("#id_travel_radius_km", "40")
    page.fill("#id_contact_name", "Carla Contact")
    page.fill("#id_contact_phone", "020-1234567")
    page.click("button:has-text('Aandragen')")
    page.wait_for_url(re.compile(r"/transfers/kandidaat/[^/]+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    # The personal code for the client, shown once.
    page.click("[data-testid=client-page-link]")
    page.click("button:has-text('Nieuwe code maken en tonen')")
    code = page.inner_text("[data-testid=client-code]").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    browser_logout(page)

    # 2. A screener of another organisation confirms that transfer suits the client.
    browser_login(page, live_server, net.screener)
    page.goto(f"{url}/transfers/screening/")
    card = page.locator(f"[data-testid=screen-{reference}]")
    card.locator("text=Geschikt voor transfer").click()
    card.locator("button:has-text('Vastleggen')").click()
    page.wait_for_url(re.compile(r"/transfers/screening/"))
    assert Candidate.objects.get(reference=reference).state == "suitable"
    browser_logout(page)

    # 3. The desk runs a proposal, takes the line over and offers the place.
    browser_login(page, live_server, net.desk)
    page.goto(f"{url}/transfers/tafel/veiligheidsregio/VR13/")
    page.click("button:has-text('Voorstel maken')")
    page.wait_for_url(re.compile(r"/transfers/voorstel/\d+/"))
    page.click("button:has-text('Overnemen')")
    # The line answers in place (HTMX) with a link to the new transfer.
    page.click("a[href*='/transfers/transfer/']")
    page.wait_for_url(re.compile(r"/transfers/transfer/\d+/$"))
    transfer = Transfer.objects.get(candidate__reference=reference)
    page.click("button:has-text('Aangeboden')")
    assert page.inner_text("[data-testid=transfer-state]") == "Aangeboden aan de cliënt"
    browser_logout(page)

    # 4. The client opens their page with the code and the birth date.
    page.goto(f"{url}/mijn-transfer/")
    page.fill("#id_code", code)
    page.fill("#id_birth_date", "17-05-1990")
    page.click("button:has-text('Mijn pagina openen')")
    page.wait_for_url(re.compile(r"/mijn-transfer/pagina/$"))
    main = page.inner_text("main")
    assert "Er is een plek voor u gevonden" in main and "GGZ Ontvanger" in main
    assert "Carla Contact" in main and "Angst" not in main
    page.click("button:has-text('Pagina afsluiten')")

    # 5. The client says yes, through whoever put them forward.
    browser_login(page, live_server, net.clinician)
    page.goto(f"{url}/transfers/transfer/{transfer.pk}/")
    page.locator("text=Accepteert het aanbod").click()
    page.click("button:has-text('Antwoord vastleggen')")
    assert page.inner_text("[data-testid=transfer-state]") == "Geaccepteerd"
    browser_logout(page)

    # 6. The receiving provider records the warm handover, confirms the intake date, and the
    #    intake is done.
    browser_login(page, live_server, net.receiver_officer)
    page.goto(f"{url}/transfers/transfer/{transfer.pk}/")
    page.fill("#id_contact-spoke_with", "Carla Contact (GGZ Zender)")
    page.click("button:has-text('Contact vastleggen')")
    assert page.inner_text("[data-testid=transfer-state]") == "Warme overdracht"
    page.fill("#id_intake-intake_date", (today + timedelta(days=7)).isoformat())
    page.click("button:has-text('Bevestigen')")
    assert page.inner_text("[data-testid=transfer-state]") == "Intake gepland"
    page.click("button:has-text('Intake is gedaan')")
    assert page.inner_text("[data-testid=transfer-state]") == "Intake gedaan"
    history = page.inner_text("[data-testid=history]")
    for label in ("Voorgesteld", "Aangeboden", "Geaccepteerd", "Warme overdracht", "Intake gedaan"):
        assert label in history
    transfer.refresh_from_db()
    assert transfer.state == TransferState.INTAKE_DONE
    assert Candidate.objects.get(reference=reference).state == "transferred"
