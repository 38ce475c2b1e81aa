"""Scenario pages with the role matrix: calibrate, turn knobs, run in steps, compare, export."""

from __future__ import annotations

import re

import pytest

from vangnet.accounts.models import TABLE_ROLES, Role
from vangnet.audit.models import AccessLogEntry, Action
from vangnet.scenarios.models import Scenario
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

ALLOWED = {Role.MONITOR_ANALYST, Role.ADMINISTRATOR, Role.PROCESS_OWNER}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_matrix(role, verified_client):
    client = verified_client(factories.member(role, table=3 if role in TABLE_ROLES else None))
    expected = 200 if role in ALLOWED else 403
    assert client.get("/scenarios/").status_code == expected
    response = client.post("/scenarios/kalibratie/", {"region": "VR13", "group": "angst"})
    assert response.status_code == (400 if role in ALLOWED else 403)  # 400: no history


def test_pages_from_calibration_to_export(history, analyst, verified_client):
    client = verified_client(analyst)
    r = client.post("/scenarios/kalibratie/", {"region": "VR13", "group": "angst"})
    assert r.status_code == 302
    cal_url = r["Location"]
    page = client.get(cal_url).content.decode()
    assert "Terugtoets" in page and "naïeve voorspelling" in page
    assert "GGZ Amstel" in page

    form = {
        "name": "Meer intake",
        "target_provider": "",
        "intake_delta_per_week": "2",
        "places_delta": "1",
        "treatment_length_pct": "-10",
        "inflow_pct": "0",
        "transfer_share_pct": "15",
        "pause_from_month": "1",
        "pause_months": "0",
        "ehealth_share_pct": "0",
        "ehealth_places": "0",
        "horizon_months": "6",
        "replications": "4",
        "seed": "11",
    }
    r = client.post(cal_url, form)
    assert r.status_code == 302
    sc = Scenario.objects.get(name="Meer intake")
    page = client.get(f"/scenarios/{sc.pk}/").content.decode()
    assert 'data-testid="progress"' in page and "hx-post" in page
    # The progress poll advances the run; when done, HTMX reloads the page.
    for _ in range(20):
        r = client.post(f"/scenarios/{sc.pk}/voortgang/")
        if r.get("HX-Refresh"):
            break
    assert r["HX-Refresh"] == "true"
    page = client.get(f"/scenarios/{sc.pk}/").content.decode()
    assert 'data-testid="chart"' in page and "Norm weer gehaald vanaf" in page

    other = client.post(
        cal_url,
        {
            **form,
            "name": "Basis",
            "intake_delta_per_week": "0",
            "transfer_share_pct": "0",
            "seed": "11",
        },
    )
    base = Scenario.objects.get(name="Basis")
    assert other.status_code == 302
    for _ in range(20):
        if client.post(f"/scenarios/{base.pk}/voortgang/").get("HX-Refresh"):
            break
    page = client.get(f"/scenarios/vergelijk/?s={sc.pk}&s={base.pk}").content.decode()
    assert page.count("<polyline") == 2 and "Meer intake" in page and "Basis" in page

    pdf = client.get(f"/scenarios/vergelijk/pdf/?s={sc.pk},{base.pk}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/scenarios/vergelijk/xlsx/?s={sc.pk},{base.pk}")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert (
        AccessLogEntry.objects.filter(action=Action.EXPORT, detail__contains="scenario").count()
        == 2
    )


def test_bad_knobs_are_shown_in_dutch_and_nothing_is_saved(history, analyst, verified_client):
    client = verified_client(analyst)
    cal_url = client.post("/scenarios/kalibratie/", {"region": "VR13", "group": "angst"})[
        "Location"
    ]
    form = {
        "name": "Fout",
        "target_provider": "",
        "intake_delta_per_week": "-500",
        "places_delta": "0",
        "treatment_length_pct": "0",
        "inflow_pct": "0",
        "transfer_share_pct": "120",
        "pause_from_month": "1",
        "pause_months": "0",
        "ehealth_share_pct": "0",
        "ehealth_places": "0",
        "horizon_months": "6",
        "replications": "4",
        "seed": "x",
    }
    r = client.post(cal_url, form)
    assert r.status_code == 400
    text = r.content.decode()
    assert "ten hoogste 100" in text
    form["transfer_share_pct"] = "10"
    text = client.post(cal_url, form).content.decode()
    assert "Onbekend seedformaat" in text or "intakecapaciteit zou negatief" in text
    assert not Scenario.objects.exists()


def test_no_history_message_on_the_page(db, analyst, verified_client):
    client = verified_client(analyst)
    r = client.post("/scenarios/kalibratie/", {"region": "VR13", "group": "eetstoornis"})
    assert r.status_code == 400
    assert "geen wachtlijstgeschiedenis" in r.content.decode()


def test_compare_more_than_four_or_nonsense_is_refused(analyst, verified_client):
    client = verified_client(analyst)
    r = client.get("/scenarios/vergelijk/?s=1,2,3,4,5", follow=True)
    assert "ten hoogste vier" in r.content.decode()
    r = client.get("/scenarios/vergelijk/?s=abc", follow=True)
    assert "Kies scenario" in r.content.decode()
    assert client.get("/scenarios/vergelijk/?s=999").status_code == 404


def test_no_personal_data_in_pages(history, analyst, verified_client):
    client = verified_client(analyst)
    cal_url = client.post("/scenarios/kalibratie/", {"region": "VR13", "group": "angst"})[
        "Location"
    ]
    assert not re.search(r"v1:p\d+", client.get(cal_url).content.decode())


def test_a_tampered_cursor_goes_back_to_the_first_page_with_the_reason(analyst, verified_client):
    """Before, the list fell back to its first page without a word; now it says why, like
    every other list. A calibration posted back with errors shows the first page anyway."""
    from vangnet.testing.pages import assert_cursor_refused

    client = verified_client(analyst)
    assert_cursor_refused(client, "/scenarios/?na=vervalst", first="/scenarios/")
    response = client.post("/scenarios/kalibratie/?na=vervalst", {"region": "VR13", "group": "x"})
    assert response.status_code == 400
