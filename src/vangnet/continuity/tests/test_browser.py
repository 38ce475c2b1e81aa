"""Issue 16 §2 in headless Chromium: the coordinator fills in the crisis card and the medication
overview in the plan section of the case file, sees a Dutch error for an impossible dose, and the
saved card and medicine appear in the section (axe audits every page it acts on)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.continuity.models import CrisisCard, MedicationLine
from vangnet.testing import followup as fu
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


def test_coordinator_fills_in_crisis_card_and_medication(page, live_server, world, partners):
    case, _ = fu.follow_up_case(world, partners)
    browser_login(page, live_server, world.coordinator)
    section = f"{live_server.url}/casussen/{case.reference}/dossier/plan/"
    page.goto(section)
    review = (timezone.localdate() + timedelta(days=90)).isoformat()

    page.get_by_text("Crisiskaart vastleggen (nieuwe versie)").click()
    card = page.locator("[data-testid=crisis-card-form]")
    card.get_by_label("Vroege signalen").fill("Slaapt slecht en neemt de telefoon niet op.")
    card.get_by_label("Wat helpt dan").fill(
        "Een wandeling; de zus belt; de ervaringsdeskundige komt langs."
    )
    card.get_by_label("In de woorden van de cliënt").fill("Als ik niet opneem: kom langs.")
    card.get_by_label("Bellen 1: wie").fill("Crisisdienst Arkin")
    card.get_by_label("Bellen 1: telefoon").fill("020 523 54 00")
    card.get_by_label("Bellen 1: bereikbaar").fill("dag en nacht")
    card.get_by_label("Herzien uiterlijk").fill(review)
    card.get_by_role("button", name="Crisiskaart opslaan").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/plan/$"))
    shown = page.locator("[data-testid=crisis-card]").inner_text()
    assert "Slaapt slecht" in shown and "Crisisdienst Arkin: 020 523 54 00 (dag en nacht)" in shown

    page.get_by_text("Medicatieoverzicht: verantwoordelijken en herziening").click()
    overview = page.locator("[data-testid=medication-overview-form]")
    overview.get_by_label("Verantwoordelijk voor de somatische screening").fill(
        "Huisarts, jaarlijks"
    )
    overview.get_by_label("Verantwoordelijk voor de farmaceutische zorg").fill("Psychiater Arkin")
    overview.get_by_label("Overzicht herzien uiterlijk").fill(review)
    overview.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/plan/$"))

    def add_medicine(dose: str) -> None:
        summary = page.locator("summary", has_text="Medicijn toevoegen")
        form = page.locator("[data-testid=medication-form]")
        if not form.is_visible():
            summary.click()
        form.get_by_label("Medicijn").fill("Lithiumcarbonaat")
        form.get_by_label("Dosis per keer").fill(dose)
        form.get_by_label("Eenheid").select_option("mg")
        form.get_by_label("Hoe vaak").fill("2x per dag")
        form.get_by_label("Voorschrijver").fill("Dr. P. Voorschrijver")
        form.get_by_label("Gebruikt sinds").fill(
            (timezone.localdate() - timedelta(days=100)).isoformat()
        )
        form.get_by_label("Gecontroleerd op").fill(
            (timezone.localdate() - timedelta(days=1)).isoformat()
        )
        form.get_by_role("button", name="Medicijn toevoegen").click()
        page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/plan/$"))

    add_medicine("40000")
    assert "onmogelijk hoog" in page.locator("body").inner_text()
    assert not MedicationLine.objects.exists()
    add_medicine("400")
    lines = page.locator("[data-testid=medication-lines]").inner_text()
    assert "Lithiumcarbonaat" in lines and "400 mg, 2x per dag" in lines
    assert CrisisCard.objects.filter(case=case).count() == 1
