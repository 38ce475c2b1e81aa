"""Headless Chromium: the route UCZ → zorgbemiddeling → table (seed 004 §5b). The UCZ records a
relative's question with consent and hands it to the patient's insurer; zorgbemiddeling takes it
up, records what it tried with a provider from the directory, and registers it at the table; the
coordinator sees "tried before" on triage. And a relative's public signal followed by its code."""

from __future__ import annotations

import re

import pytest

from vangnet.conftest import CHROMIUM_ARGS  # noqa: F401  (documents the browser flags in use)
from vangnet.routing.models import Question
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


def _page_for(browser, live_server, user):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server, user)
    return page


def test_ucz_to_zorgbemiddeling_to_table_shows_tried_before(browser, live_server, world, net):
    ucz = _page_for(browser, live_server, net.ucz)
    ucz.click("nav >> text=Vragen")
    ucz.click("text=Nieuwe vraag vastleggen")
    ucz.select_option("#id_asker_kind", "relative")
    ucz.fill("#id_patient_name", "Ria Route")
    ucz.fill("#id_patient_birth_date", "1991-03-04")
    ucz.select_option("#id_patient_municipality", "GM0363")
    ucz.select_option("#id_insurer", label="Zilveren Kruis")
    ucz.fill("#id_question", "Dochter met psychose en verslaving; iedereen verwijst door.")
    ucz.select_option("#id_consent_by", "patient")
    ucz.click("button:has-text('Vraag vastleggen')")
    ucz.wait_for_url(re.compile(r"/vragen/VR-\d{4}-\d{5}/$"))
    # Handing it to another insurer is refused in Dutch; the patient's own insurer is accepted.
    ucz.select_option("[data-testid=hand-over] #id_insurer", label="VGZ")
    ucz.click("button:has-text('Overdragen aan zorgbemiddeling')")
    assert (
        "eigen zorgverzekeraar van de patiënt"
        in ucz.locator("[data-testid=hand-over]").inner_text()
    )
    ucz.select_option("[data-testid=hand-over] #id_insurer", label="Zilveren Kruis")
    ucz.click("button:has-text('Overdragen aan zorgbemiddeling')")
    ucz.locator(".messages >> text=overgedragen").wait_for()
    reference = Question.objects.get().reference
    ucz.context.close()

    zb = _page_for(browser, live_server, net.zb)
    zb.click("nav >> text=Vragen")
    zb.click(f"text={reference}")
    zb.click("button:has-text('Vraag oppakken')")
    assert "zoekt" in zb.locator("[data-testid=question-state]").inner_text()
    zb.fill("#id_provider", "Kliniek Noord")
    zb.fill("#id_tried_on", "2026-11-20")
    zb.fill("#id_what", "Aangemeld voor klinische dubbele-diagnosebehandeling.")
    zb.fill("#id_result", "Afgewezen: eerst verslaving behandelen.")
    zb.click("button:has-text('Poging vastleggen')")
    assert "Kliniek Noord" in zb.locator("[data-testid=attempts]").inner_text()
    zb.click("text=Aanmelden bij de tafel")
    assert "Kliniek Noord" in zb.locator("[data-testid=tried]").inner_text()
    zb.fill("#id_best_solution", "Eén klinische plek met dubbele-diagnose-expertise.")
    zb.fill("#id_timeline", "2024 ontslag; 2025 twee crisisopnames.")
    zb.check("input[name=criteria][value='1']")
    zb.click("button:has-text('Aanmelden bij de tafel')")
    zb.locator(".messages >> text=aangemeld bij").wait_for()
    case_ref = zb.locator("[data-testid=case-ref]").inner_text().split()[0]
    # Zorgbemiddeling may read the case it routed (its own insured).
    zb.goto(f"{live_server.url}/casussen/{case_ref}/")
    assert case_ref in zb.content()
    zb.context.close()

    coord = _page_for(browser, live_server, world.coordinator)
    coord.goto(f"{live_server.url}/casussen/{case_ref}/triage/")
    tried = coord.locator("[data-testid=tried-before]").inner_text()
    assert "Kliniek Noord" in tried and "Zilveren Kruis" in tried and "Afgewezen" in tried
    coord.context.close()


def test_relative_sends_a_signal_and_follows_it_with_the_code(browser, live_server, world):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/signaal/")
    page.select_option("#id_table", "3")
    page.select_option("#id_relation", "relative")
    page.fill("#id_message", "Mijn broer krijgt na ontslag geen vervolgzorg.")
    page.fill("#id_contact", "06 1234 5678")
    page.click("button:has-text('Signaal versturen')")
    code = page.locator("[data-testid=receipt-code]").inner_text()
    assert "?" not in page.url and code not in page.url
    page.click("text=de statuspagina")
    page.fill("#id_code", "AAAA-BBBB-CCCC")
    page.click("button:has-text('Status bekijken')")
    assert "geen signaal" in page.locator("[data-testid=unknown]").inner_text()
    page.fill("#id_code", code)
    page.click("button:has-text('Status bekijken')")
    assert "Ontvangen" in page.locator("[data-testid=status]").inner_text()
    assert code not in page.url
    context.close()
