"""Level 4 in headless Chromium (issue 16 §3): the coordinator puts the case before the
bestuurlijke overlegtafel from the case file, a board member records the decision and its
deadline, and the coordinator sees both in the case file's follow-up section."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.board.models import BoardReferral
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


def test_level_four_referral_and_board_decision(page, live_server, world, board):
    case = board.case
    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/dossier/follow-up/")
    page.click("[data-testid=board-refer-link]")
    page.wait_for_url(re.compile(rf"/bestuurlijke-overlegtafel/casus/{case.reference}/$"))
    form = page.locator("[data-testid=refer-form]")
    form.locator("textarea[name=summary]").fill(
        "Geen aanbieder neemt de combinatie op; bemiddeling en contractmanagement hielpen niet."
    )
    form.locator("textarea[name=question]").fill("Wie biedt binnen vier weken een plek?")
    form.get_by_label(board.insurer.name).check()
    form.get_by_label(board.provider.name).check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/dossier/follow-up/$"))
    assert "Wacht op het besluit" in page.inner_text("[data-testid=board-in-case]")
    referral = BoardReferral.objects.get(case=case)
    browser_logout(page)

    browser_login(page, live_server, board.insurer_board)
    page.click("nav >> text=Overlegtafel")
    page.click(f"[data-testid=board-referrals] >> text=Agendapunt {referral.pk}")
    assert "bemiddeling en contractmanagement" in page.inner_text("[data-testid=board-summary]")
    assert case.patient_name not in page.inner_text("main")
    deadline = timezone.localdate() + timedelta(days=21)
    form = page.locator("[data-testid=decision-form]")
    form.locator("textarea[name=decision]").fill("De verzekeraar financiert een maatwerkplek.")
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=board-decision-text]").wait_for()
    assert "maatwerkplek" in page.inner_text("[data-testid=board-decision-text]")
    browser_logout(page)

    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/dossier/follow-up/")
    assert "maatwerkplek" in page.inner_text("[data-testid=case-board-decision]")
