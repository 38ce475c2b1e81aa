"""The README's "A short tour", walked in Chromium on the data `make run` loads (the demo
command), as the demo users; and the main pages at a phone's width of 390 px. Every page is also
checked with axe-core (the `browser` fixture installs the check)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from vangnet.accounts.demo import DEMO_PASSWORD
from vangnet.accounts.models import User
from vangnet.cases.models import Case
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


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("demo", stdout=io.StringIO())


def _login(page: Any, live_server: Any, username: str) -> None:
    browser_login(page, live_server, User.objects.get(username=username), password=DEMO_PASSWORD)


def _nav(page: Any, label: str) -> None:
    page.click(f"nav >> text={label}")
    page.wait_for_load_state("load")


def test_the_readme_tour_on_the_demo_data(page, live_server, demo):
    year = timezone.localdate().year

    # 1. verwijzer registers; the table is proposed from the municipality (HTMX).
    _login(page, live_server, "verwijzer")
    _nav(page, "Aanmelden")
    page.select_option("#id_referrer_type", "other_ggz_institution")
    page.fill("#id_patient_name", "Tour Patiënt")
    page.fill("#id_patient_birth_date", "1980-01-02")
    page.select_option("#id_patient_municipality", "GM0363")
    page.locator('#proposed-table[data-number="3"]').wait_for()
    page.select_option("#id_insurer", label="Zilveren Kruis")
    page.select_option("#id_consent_by", "patient")
    page.fill("#id_stuck_description", "Vastgelopen tussen ggz en verslavingszorg.")
    page.fill("#id_best_solution", "Dubbele-diagnosebehandeling.")
    page.fill("#id_timeline", "2024 opname, 2025 crisis.")
    page.check("input[name=criteria][value='1']")
    page.fill("#id_party_0_organisation", "GGZ Noord-Holland-Noord")
    page.fill("#id_party_0_action", "Ambulante behandeling.")
    page.click("button:has-text('Aanmelding versturen')")
    page.wait_for_url(re.compile(r"/casussen/VN-\d{4}-\d{5}/$"))
    reference = re.search(r"(VN-\d{4}-\d{5})", page.url).group(1)  # type: ignore[union-attr]
    browser_logout(page)

    # 2. coordinator: the queue on the Overzicht, triage with the seven criteria.
    _login(page, live_server, "coordinator")
    _nav(page, "Overzicht")
    page.click(f"[data-testid=queue] >> text={reference}")
    page.click("text=Triage uitvoeren")
    for n in range(1, 8):
        page.check(f"input[name=criterion_{n}][value=met]")
    page.check("input[name=decision][value=admit]")
    page.fill("#id_reason", "Past bij de tafel.")
    page.click("button:has-text('Besluit voorstellen')")
    page.wait_for_url(re.compile(rf"/casussen/{reference}/$"))
    # 4. the demo cases in every stage, meetings and consultations.
    for n in range(6, 12):
        page.goto(f"{live_server.url}/casussen/VN-{year}-{n:05d}/")
        assert page.locator("[data-testid=state]").inner_text()
    _nav(page, "Besprekingen")
    assert page.locator("main table, main ul").first.is_visible()
    _nav(page, "Consultaties")
    assert page.inner_text("h1") == "Consultaties"
    browser_logout(page)

    # 3. screener confirms; the referrer sees the decision.
    _login(page, live_server, "screener")
    page.goto(f"{live_server.url}/casussen/{reference}/")
    page.check("input[name=verdict][value=confirm]")
    page.click("button:has-text('Oordeel vastleggen')")
    page.locator(".messages >> text=definitief").wait_for()
    browser_logout(page)
    assert Case.objects.get(reference=reference).state == "admitted"

    # 5. and 7. analist: the monitor report of seed 001, the scenarios.
    _login(page, live_server, "analist")
    _nav(page, "Monitor")
    page.click("text=Landelijk rapport (openbare versie)")
    page.wait_for_url(re.compile(r"/monitor/rapport/"))
    # Seed 001's 77 records of 2020–2021 and the records of the demo's own closed cases.
    assert re.search(r"\d+ aangemelde casussen", page.inner_text("article"))
    _nav(page, "Scenario's")
    assert "(basislijn)" in page.inner_text("main")
    browser_logout(page)

    # 6. proces (Arkin, region Amsterdam-Amstelland): the dashboard with the hotspot; the
    # published waiting times of 2016.
    _login(page, live_server, "proces")
    _nav(page, "Wachtlijsten")
    page.select_option("#id_regio", "veiligheidsregio/VR13")
    page.click("button:has-text('Toon wachtlijstoverzicht')")
    page.wait_for_url(re.compile(r"/wachtlijsten/regio/veiligheidsregio/VR13/"))
    assert page.inner_text("h1") == "Wachtlijsten Amsterdam-Amstelland"
    assert "Laatste complete maand" in page.inner_text("main")
    hotspots = page.inner_text("[data-testid=hotspots]")
    assert "GGZ inGeest Amsterdam" in hotspots and "Aanmeldpauze voorstellen" in hotspots
    page.goto(f"{live_server.url}/wachtlijsten/gepubliceerd/")
    assert page.locator("[data-testid=published-summary] tbody tr").count() > 0
    browser_logout(page)

    # `data` (GGZ inGeest) sees its own region's dashboard.
    _login(page, live_server, "data")
    _nav(page, "Wachtlijsten")
    page.click("[data-testid=own-regions] >> text=Amsterdam-Amstelland")
    page.wait_for_url(re.compile(r"/wachtlijsten/regio/veiligheidsregio/VR13/"))
    browser_logout(page)

    # 8. kaart edits Arkin's entries; the public page of a region.
    _login(page, live_server, "kaart")
    _nav(page, "Sociale kaart")
    page.goto(f"{live_server.url}/sociale-kaart/mijn/")
    assert page.inner_text("h1") == "Mijn sociale kaart"
    assert "Arkin" in page.inner_text("main")
    browser_logout(page)
    page.goto(f"{live_server.url}/sociale-kaart/regio/3/")
    assert page.locator("h1").inner_text()

    # 8a. continuity on the follow-up case (crisis card, overdue medication review); the GP's letters.
    _login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/casussen/VN-{year}-00008/dossier/plan/")
    assert "Eet minder dan" in page.inner_text("[data-testid=crisis-card]")
    assert "medicatieoverzicht had op" in page.inner_text("[data-testid=review-warnings]")
    browser_logout(page)
    _login(page, live_server, "huisarts")
    _nav(page, "Huisartsberichten")
    assert page.locator("[data-testid=gp-letters] a").count() >= 1
    browser_logout(page)

    # 9. privacy: every access to the case is in the access log.
    _login(page, live_server, "privacy")
    _nav(page, "Toegangslog")
    page.fill("#id_reference", reference)
    page.click("main button:has-text('Tonen')")
    page.locator("[data-testid=log]").wait_for()
    assert page.locator("[data-testid=log] tbody tr").count() >= 3
    browser_logout(page)

    # 11. proces: the transfer desk's monthly figures; the public desk page.
    _login(page, live_server, "proces")
    _nav(page, "Transfercijfers")
    page.click("text=veiligheidsregio Amsterdam-Amstelland")
    page.wait_for_url(re.compile(r"/transfers/rapportage/veiligheidsregio/VR13/"))
    assert "Depressieve stoornissen" in page.inner_text("[data-testid=transfer-effect]")
    browser_logout(page)
    page.goto(f"{live_server.url}/transferpunt/")
    page.click("text=Transferpunt veiligheidsregio Amsterdam-Amstelland")
    assert "Arkin" in page.inner_text("[data-testid=desk-owner]")

    # 12. the client page with the demo code the demo command prints.
    page.goto(f"{live_server.url}/mijn-transfer/")
    page.fill("#id_code", "DEMO-KLNT-CODE")
    page.fill("#id_birth_date", "12-03-1990")
    page.click("button:has-text('Mijn pagina openen')")
    page.wait_for_url(re.compile(r"/mijn-transfer/pagina/$"))
    assert "Er is een plek voor u gevonden" in page.inner_text("main")
    page.click("button:has-text('Pagina afsluiten')")
    # The clinician who put a client forward: the same page, and a new personal code.
    _login(page, live_server, "behandelaar")
    _nav(page, "Transfers")
    own = page.locator("main table tbody tr", has_text="GGZ inGeest Amsterdam")  # put forward by it
    own.first.locator("a").first.click()
    page.click("[data-testid=client-page-link]")
    assert "Wat kan ik zelf doen?" in page.inner_text("main")
    page.click("button:has-text('Nieuwe code maken en tonen')")
    assert re.fullmatch(
        r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.inner_text("[data-testid=client-code]")
    )


PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at 390 px"


def test_main_pages_fit_a_390_px_phone_and_the_menu_folds(browser, live_server, demo):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, live_server, "coordinator")
        # The menu is folded behind its button and opens on a tap.
        toggle = page.locator("header .menu-toggle")
        assert toggle.is_visible()
        assert not page.locator("nav >> text=Casussen").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        page.click("nav >> text=Casussen")
        page.wait_for_url(re.compile(r"/casussen/$"))
        year = timezone.localdate().year
        paths = [
            "/casussen/",
            "/casussen/aanmelden/",
            f"/casussen/VN-{year}-00007/",
            f"/casussen/VN-{year}-00009/",
            "/besprekingen/",
            "/sociale-kaart/",
            "/monitor/",
            "/wachtlijsten/",
        ]
        for path in ["/", *paths]:
            page.goto(f"{live_server.url}{path}")
            _fits(page)
        browser_logout(page)
        _login(page, live_server, "analist")
        for path in (
            "/wachtlijsten/regio/veiligheidsregio/VR13/",
            "/wachtlijsten/gepubliceerd/",
            "/monitor/rapport/",
            "/scenarios/",
        ):
            page.goto(f"{live_server.url}{path}")
            _fits(page)
    finally:
        context.close()
