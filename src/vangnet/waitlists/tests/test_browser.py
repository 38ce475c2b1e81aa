"""The region dashboard in headless Chromium, through the real login and second factor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vangnet.accounts.models import Role
from vangnet.testing import factories
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    browser_logout,
    reference_data,
    restore_reference_data,
)

from .conftest import row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_region_dashboard_heat_map_hotspot_export_and_pause_page(
    page, live_server, world, providers, import_rows
):
    for period, reg in (
        ("2024-01", "2023-12-01"),
        ("2024-02", "2024-01-01"),
        ("2024-03", "2024-02-01"),
    ):
        import_rows(
            [
                row(person_pseudonym="v1:a1", registration_date=reg),
                row(person_pseudonym="v1:a2", registration_date=reg, diagnosis_group="depressief"),
                row(
                    person_pseudonym="v1:a1",
                    provider_agb="22222222",
                    registration_date=f"{period}-20",
                ),
            ],
            period=period,
        )

    browser_login(page, live_server, world.monitor_analyst)
    page.click("nav >> text=Wachtlijsten")
    page.select_option("#id_regio", "veiligheidsregio/VR13")
    page.click("button:has-text('Toon wachtlijstoverzicht')")
    page.wait_for_url(re.compile(r"/wachtlijsten/regio/veiligheidsregio/VR13/"))
    assert page.inner_text("h1") == "Wachtlijsten Amsterdam-Amstelland"

    page.fill("#id_van", "2024-01")
    page.fill("#id_tot", "2024-03")
    page.click("button:has-text('Toon')")
    page.wait_for_url(re.compile(r"van=2024-01&tot=2024-03"))
    # Two unique persons in the last month: a1 waits at two providers and counts once.
    assert page.inner_text("[data-testid=persons-last]") == "2"
    heat = page.locator("[data-testid=heat-persons]")
    assert heat.locator("th").first.inner_text() == "Diagnosegroep"
    angst_row = heat.locator("tr", has_text="Angststoornissen")
    assert angst_row.locator("td").all_inner_texts() == ["1", "1", "1"]
    assert "heat-" in (angst_row.locator("td").first.get_attribute("class") or "")
    share_row = page.locator("[data-testid=heat-share] tr", has_text="Depressieve stoornissen")
    assert share_row.locator("td").all_inner_texts() == ["100%", "100%", "100%"]
    assert page.locator("[data-testid=trend] polyline.persons").get_attribute("points")
    hotspots = page.locator("[data-testid=hotspots]")
    assert hotspots.locator("tr", has_text="GGZ Amstel").count() == 2  # angst and depressief
    assert "Aanmeldpauze voorstellen" in hotspots.inner_text()
    assert "GGZ Amstel" in page.inner_text("[data-testid=largest]")
    assert "v1:" not in page.content()

    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[1] == "2024-01,VR13,angst,2,1,1,0,1,0"
    with page.expect_download() as xlsx:
        page.click("[data-testid=export-xlsx]")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    browser_logout(page)

    # The provider's data officer records the proposed pause; a referrer sees it and the
    # provider without a breach.
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    browser_login(page, live_server, officer)
    page.goto(
        f"{live_server.url}/wachtlijsten/pauzes/nieuw/?aanbieder={providers.a.pk}&groep=angst"
    )
    page.click("button:has-text('Vastleggen')")
    page.wait_for_url(re.compile(r"/wachtlijsten/pauzes/veiligheidsregio/VR13/"))
    assert "Aanmeldpauze vastgelegd" in page.inner_text(".messages")
    browser_logout(page)

    browser_login(page, live_server, world.referrer)
    page.goto(f"{live_server.url}/wachtlijsten/pauzes/veiligheidsregio/VR13/")
    group = page.locator("[data-testid=paused-group]")
    assert "Angststoornissen" in group.inner_text() and "GGZ Amstel" in group.inner_text()
    assert "GGZ IJ" in group.locator("[data-testid=alternatives]").inner_text()
