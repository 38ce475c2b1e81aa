"""Importing the 2020–2021 test file and reporting reproduces seed 001's published totals.

The expected numbers are the seed's (see fixtures/testdata/README.md); never edit them to match
output.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "testdata" / "seed001_2020_2021.csv"

# Seed 001 figure 2 (shares of registrations per referrer type per year).
FIGURE_2 = {
    "2020": {
        "coordinating_institution": 0.43,
        "other_ggz_institution": 0.14,
        "care_mediation": 0.34,
        "addiction_or_chain_partner": 0.06,
        "gp": 0.03,
    },
    "2021": {
        "coordinating_institution": 0.33,
        "other_ggz_institution": 0.38,
        "care_mediation": 0.10,
        "addiction_or_chain_partner": 0.13,
        "gp": 0.08,
    },
}


def report(*args: str) -> dict:
    out = StringIO()
    call_command("monitor", "report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def imported(db):
    out = StringIO()
    call_command("monitor", "import", str(SEED_FILE), stdout=out)
    assert "77 nieuw" in out.getvalue()


def test_report_reproduces_figure_1(imported):
    data = report("--from", "2020", "--to", "2021")
    assert data["registered"] == 77
    assert data["outcomes"] == {
        "ongoing": 16,
        "new_offer": 39,
        "no_offer": 7,
        "not_suitable": 6,
        "withdrawn": 9,
        "under_investigation": 0,
    }
    closed = sum(v for k, v in data["outcomes"].items() if k != "ongoing")
    assert closed == 61
    assert data["offer_not_accepted"] == 4


def test_not_suitable_per_year_as_in_the_text(imported):
    assert report("--from", "2020", "--to", "2020")["outcomes"]["not_suitable"] == 4
    assert report("--from", "2021", "--to", "2021")["outcomes"]["not_suitable"] == 2


def test_referrer_shares_follow_figure_2(imported):
    data = report("--from", "2020", "--to", "2021")
    for year, shares in FIGURE_2.items():
        for code, expected in shares.items():
            assert data["referrer_share"][year][code] == pytest.approx(expected, abs=0.015), (
                year,
                code,
            )
    share = data["referrer_share"]
    other_and_chain = {
        y: share[y]["other_ggz_institution"] + share[y]["addiction_or_chain_partner"]
        for y in ("2020", "2021")
    }
    assert other_and_chain["2020"] == pytest.approx(0.20, abs=0.015)  # "van 20%
    assert other_and_chain["2021"] == pytest.approx(0.51, abs=0.015)  # naar 51%"


def test_three_care_mediation_referrals_in_2021(imported):
    data = report("--from", "2021", "--to", "2021")
    assert round(data["referrer_share"]["2021"]["care_mediation"] * data["registered"]) == 3


def test_registrations_per_region_follow_figure_5(imported):
    per_table = report("--from", "2020", "--to", "2021")["per_table"]
    assert sorted(per_table) == [str(n) for n in range(1, 9)]
    assert sum(per_table.values()) == 77
    ranked = sorted(per_table.values(), reverse=True)
    assert per_table["4"] == ranked[0] and ranked[0] > 2 * ranked[1]  # "verreweg de meeste"
    assert per_table["2"] == per_table["3"] == ranked[-1]  # "blijvend lage aantal"


def test_sheltered_housing_is_the_most_reported_shortage(imported):
    shortages = report("--from", "2020", "--to", "2021")["answers"]["shortages"]
    assert max(shortages, key=shortages.get) == "sheltered_housing"
    assert set(shortages) >= {
        "sheltered_housing",
        "secure_forensic",
        "top_referral_trauma",
        "eating_disorder_asd_pd",
        "somatoform",
    }


def test_the_report_has_exactly_the_keys_of_the_issue(imported):
    data = report("--from", "2020", "--to", "2021")
    assert set(data) == {
        "from",
        "to",
        "registered",
        "by_year",
        "outcomes",
        "offer_not_accepted",
        "referrer_share",
        "per_table",
        "answers",
    }
    assert set(data["answers"]) == {
        "stuck_reasons",
        "helped_by",
        "obstacles",
        "shortages",
        "dsm_groups",
        "age_cluster",
        "patient_involved",
    }
    assert data["from"] == 2020 and data["to"] == 2021
    assert sum(data["by_year"].values()) == 77


def test_one_table(imported):
    data = report("--from", "2020", "--to", "2021", "--table", "4")
    assert data["registered"] == 30 == data["per_table"]["4"]
    assert all(v == 0 for k, v in data["per_table"].items() if k != "4")


def test_importing_the_same_file_again_changes_nothing(imported):
    out = StringIO()
    call_command("monitor", "import", str(SEED_FILE), stdout=out)
    assert "0 nieuw, 0 gewijzigd, 77 ongewijzigd" in out.getvalue()
    assert report("--from", "2020", "--to", "2021")["registered"] == 77


def test_export_round_trips_the_import(imported, tmp_path):
    target = tmp_path / "export.csv"
    call_command("monitor", "export", "--format", "csv", "--output", str(target))
    assert target.read_text(encoding="utf-8") == SEED_FILE.read_text(encoding="utf-8")
