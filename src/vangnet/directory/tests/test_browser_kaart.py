"""The sociale kaart in headless Chromium: an editor updates an offer, a coordinator finds it by
distance and attaches it to a plan goal, a member of the public opens the region page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.directory.models import Offer
from vangnet.testing import followup
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


def test_editor_updates_coordinator_finds_by_distance_public_reads_region(
    page, live_server, kaart, world
):
    Offer.objects.filter(pk=kaart.offer.pk).update(
        confirmed_at=timezone.now() - timedelta(days=300)
    )
    case = followup.plan_case(world)
    goal = followup.add_goal(world, case, world.coordinator_org)

    # 1. The organisation's editor sees the stale flag, updates the expected waiting time.
    browser_login(page, live_server, kaart.editor)
    page.click("nav >> text=Sociale kaart")
    page.click("text=Mijn sociale kaart bijwerken")
    page.wait_for_url(re.compile(r"/sociale-kaart/mijn/"))
    row = page.locator("tr", has_text="Dubbele diagnose ambulant")
    assert "Verouderd" in row.inner_text()
    row.locator("text=Bewerken").click()
    page.fill("#id_stated_wait_weeks", "2")
    page.fill("#id_age_min", "70")  # upside down first: refused in Dutch, nothing saved
    page.click("button:has-text('Opslaan')")
    assert "De leeftijdsgrens is omgedraaid" in page.inner_text("main")
    page.fill("#id_age_min", "18")
    page.click("button:has-text('Opslaan')")
    page.wait_for_url(re.compile(r"/sociale-kaart/aanbod/\d+/$"))
    assert "is opgeslagen en bevestigd" in page.inner_text(".messages")
    assert "stated_wait_weeks: 6 → 2" in page.inner_text("main")
    assert "Verouderd" not in page.inner_text("main")
    browser_logout(page)

    # 2. The case's coordinator searches for the plan goal by distance from Utrecht, finds the
    #    updated offer and attaches it to the goal.
    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/")
    page.click(f"[data-testid=find-offer-{goal.pk}]")
    page.wait_for_url(re.compile(rf"/sociale-kaart/\?doel={goal.pk}"))
    page.fill("#id_q", "psychose")
    page.select_option("#id_origin", "GM0344")
    page.select_option("#id_sort", "distance")
    page.click("button:has-text('Zoeken')")
    page.wait_for_url(re.compile(r"sort=distance"))
    result = page.locator("tr.result", has_text="Dubbele diagnose ambulant")
    text = result.inner_text()
    assert "2 weken (opgave aanbieder)" in text
    assert "35,2 km" in text or "35.2 km" in text
    result.locator("button:has-text('Koppelen aan het doel')").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/"))
    assert "Dubbele diagnose ambulant" in page.inner_text(f"[data-testid=goal-offer-{goal.pk}]")
    browser_logout(page)

    # 3. A member of the public, without logging in, opens the region page.
    from vangnet.accounts.selectors import actor_for
    from vangnet.directory import services

    from .conftest import offer_input

    services.offer_save(
        actor=actor_for(kaart.editor),
        location=kaart.location,
        data=offer_input(
            name="Herstelwerkplaats",
            kind="self_help",
            financing="free",
            access="self",
            diagnosis_groups=[],
            stated_wait_weeks=None,
        ),
    )
    page.goto(f"{live_server.url}/sociale-kaart/regio/")
    page.click("text=Amsterdam")
    page.wait_for_url(re.compile(r"/sociale-kaart/regio/3/"))
    main = page.inner_text("main")
    assert "Herstelwerkplaats" in main and "U kunt zich zelf aanmelden." in main
    assert "113" in main
    assert "Dubbele diagnose ambulant" not in main
    assert page.locator("h1").count() == 1
