"""Headless Chromium: an analyst calibrates, changes two knobs, runs, compares, exports PDF."""

from __future__ import annotations

import re

import pytest

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


def _run(page, name, **knobs):
    page.fill("#id_name", name)
    for field, value in knobs.items():
        page.fill(f"#id_{field}", value)
    page.fill("#id_horizon_months", "6")
    page.fill("#id_replications", "6")
    page.click("button:has-text('Scenario rekenen')")
    page.wait_for_url(re.compile(r"/scenarios/\d+/$"))
    # The progress poll runs the replications in steps and reloads the page when done.
    page.wait_for_selector("[data-testid=chart]", timeout=60_000)


def test_analyst_calibrates_turns_two_knobs_runs_compares_and_exports_pdf(
    page, live_server, world, history, tmp_path
):
    browser_login(page, live_server, world.monitor_analyst)
    page.click("nav >> text=Scenario's")
    page.select_option("#id_region", "VR13")
    page.select_option("#id_group", "angst")
    page.click("button:has-text('Kalibreren')")
    page.wait_for_url(re.compile(r"/scenarios/kalibratie/\d+/"))
    assert "Basislijn VR13" in page.inner_text("h1")
    assert "naïeve voorspelling" in page.inner_text("[data-testid=backtest]")
    calibration_url = page.url

    _run(page, "Basislijn")
    page.goto(calibration_url)
    _run(page, "Meer intake en transferbalie", intake_delta_per_week="2", transfer_share_pct="15")
    assert "Meer intake en transferbalie" in page.inner_text("[data-testid=figures]")

    page.click("nav >> text=Scenario's")
    for name in ("Basislijn", "Meer intake en transferbalie"):
        page.check(f"input[aria-label='Vergelijk {name}']")
    page.click("button:has-text('Vergelijken')")
    page.wait_for_url(re.compile(r"/scenarios/vergelijk/"))
    assert page.locator("[data-testid=chart] polyline").count() == 2
    rows = page.inner_text("[data-testid=figures]")
    assert "Basislijn" in rows and "Meer intake en transferbalie" in rows

    with page.expect_download() as info:
        page.click("[data-testid=export-pdf]")
    download = info.value
    assert download.suggested_filename == "scenariovergelijking.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
