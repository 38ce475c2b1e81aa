"""The monitor in headless Chromium, through the real login and TOTP: the analyst opens the
yearly report and downloads the PDF (after its progress page); a coordinator meets the identifying-text warning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vangnet.monitor import services
from vangnet.monitor.models import MonitorRecord
from vangnet.testing import factories
from vangnet.testing.browser import (  # noqa: F401 - fixtures
    browser_login,
    reference_data,
    restore_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "testdata" / "seed001_2020_2021.csv"


def test_the_analyst_opens_the_report_and_downloads_the_pdf(page, live_server, world, tmp_path):
    services.monitor_import(content=SEED_FILE.read_bytes())
    browser_login(page, live_server, world.monitor_analyst)
    page.click("nav >> text=Monitor")
    page.click("text=Landelijk rapport (openbare versie)")
    page.wait_for_url(re.compile(r"/monitor/rapport/"))
    assert "Monitor casuïstiektafels hoogcomplexe ggz 2020–2021" in page.inner_text("h1")
    assert "77 aangemelde casussen" in page.inner_text("article")
    for figure in ("figure1", "figure2", "figure3", "figure5"):
        assert page.locator(f"#{figure} svg").first.is_visible()
    assert "Aantallen kleiner dan 5 zijn onderdrukt" in page.inner_text("[role=note]")

    # Not rendered yet: the link opens the progress page at once, whose poll renders the PDF
    # and turns into the download link.
    page.click("#pdf-download")
    page.wait_for_url(re.compile(r"/monitor/rapport\.pdf\?"))
    assert "Het rapport wordt gemaakt" in page.inner_text("main") or page.is_visible("#pdf-ready")
    page.locator("#pdf-ready").wait_for()
    assert "Het rapport is klaar." in page.inner_text("#pdf-progress")
    with page.expect_download() as info:
        page.click("#pdf-ready")
    download = info.value
    assert download.suggested_filename == "monitor-2020-2021-landelijk-openbaar.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_size > 10_000


def test_the_coordinator_is_warned_about_identifying_text(page, live_server, world):
    case = factories.register_case(world.referrer)
    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/monitor/vragenlijsten/")
    page.click(f"text={case.reference}")
    assert page.is_checked("input[name=age_cluster][value='45-65']")  # prefilled from the case
    page.fill("#id_exceptional_note", "Overleg met mevrouw Jansen op 12-03-2025.")
    page.click("button:has-text('Vragenlijst opslaan')")
    warning = page.locator("#identifying-warning")
    warning.wait_for()
    assert "lijkt een naam te bevatten" in warning.inner_text()
    assert not MonitorRecord.objects.filter(completed_at__isnull=False).exists()
    page.fill("#id_exceptional_note", "Beschermd wonen met intensieve begeleiding ontbreekt.")
    page.click("button:has-text('Vragenlijst opslaan')")
    page.wait_for_selector("text=De monitorvragenlijst is opgeslagen.")
    assert MonitorRecord.objects.get().case_id == case.pk
