"""Published waiting times (NZa/MediQuest format), with the real 2016 file (CC0, NZa)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vangnet.waitlists import published, selectors, services
from vangnet.waitlists.models import PublishedImport, PublishedWaitingTime

pytestmark = pytest.mark.django_db

NZA_2016 = Path(__file__).parent.parent / "data" / "brondata_wachttijden_ggz_2016.csv"


@pytest.mark.parametrize(
    ("text", "value", "stop", "problem"),
    [
        ("3", Decimal(3), False, ""),
        ("2,5", Decimal("2.5"), False, ""),
        ("0", Decimal(0), False, ""),
        ("stop", None, True, ""),
        ("Stop", None, True, ""),
        ("-", None, False, "streepje (-)"),
        (" - ", None, False, "streepje (-)"),
        ("", None, False, "leeg"),
        ("NA", None, False, "leeg"),
        ("in overleg", None, False, "tekst 'in overleg'"),
        ("999", None, False, "onwaarschijnlijk (meer dan 260 weken)"),
    ],
)
def test_parse_weeks(text, value, stop, problem):
    weeks = published.parse_weeks(text)
    assert (weeks.value, weeks.stop, weeks.problem) == (value, stop, problem)


def test_the_2016_file_imports_and_reports_cleanly(capsys):
    call_command("waitlists", "import-published", str(NZA_2016))
    out = capsys.readouterr().out
    source = PublishedImport.objects.get()
    report = source.report
    assert (report["rows_total"], report["rows_used"], report["rows_unusable"]) == (2578, 2196, 382)
    assert sum(report["unusable_by_reason"].values()) == 382
    assert (
        report["unusable_by_reason"][
            "geen bruikbare wachttijd (aanmeldtijd leeg; behandeltijd leeg)"
        ]
        == 230
    )
    assert report["field_problems"]["aanmeldtijd"]["streepje (-)"] == 333
    assert report["notes"]["patiëntenstop"] == 64
    assert PublishedWaitingTime.objects.count() == 2196
    # Stops are kept as stops, never as numbers.
    stops = PublishedWaitingTime.objects.filter(registration_stop=True)
    assert stops.count() == 63 and not stops.exclude(registration_weeks=None).exists()
    located = PublishedWaitingTime.objects.exclude(municipality=None).count()
    assert (
        report["notes"]["regio via gemeentenaam"]
        + report["notes"]["regio via woonplaats (Kadaster 2012)"]
        == located
    )
    assert located > 1900
    assert "Rijen: 2578, bruikbaar: 2196, onbruikbaar: 382" in out

    # The same file again changes nothing.
    call_command("waitlists", "import-published", str(NZA_2016))
    assert "al geïmporteerd" in capsys.readouterr().out
    assert PublishedImport.objects.count() == 1 and PublishedWaitingTime.objects.count() == 2196


def test_summary_per_circuit_and_region():
    services.published_import(
        data=NZA_2016.read_bytes(), name="nza.csv", actor=services.command_line_actor()
    )
    national = selectors.published_summary(None, kind=None, by=("circuit",))
    by_circuit = {r.circuit: r for r in national}
    assert sum(r.locations for r in national) == 2196
    adults = by_circuit["Volwassenen"]
    assert adults.registration_n > 0 and adults.registration_median is not None
    assert adults.over_norm_total <= adults.total_n
    regional = selectors.published_summary(None, kind="province", by=("circuit", "region"))
    assert sum(r.locations for r in regional) == 2196
    assert {"PV27", "onbekend"} <= {r.region for r in regional}


def test_summary_statistics_on_a_small_case():
    rows = [
        {
            "circuit": "V",
            "care_type": "S",
            "diagnosis_group": None,
            "municipality_id": 1,
            "registration_weeks": Decimal(2),
            "treatment_weeks": Decimal(12),
            "registration_stop": False,
            "treatment_stop": False,
        },
        {
            "circuit": "V",
            "care_type": "S",
            "diagnosis_group": None,
            "municipality_id": 1,
            "registration_weeks": Decimal(6),
            "treatment_weeks": None,
            "registration_stop": False,
            "treatment_stop": True,
        },
        {
            "circuit": "V",
            "care_type": "S",
            "diagnosis_group": None,
            "municipality_id": 2,
            "registration_weeks": None,
            "treatment_weeks": None,
            "registration_stop": True,
            "treatment_stop": False,
        },
    ]
    (r,) = published.summarise(rows, region_of_municipality={1: "PV27", 2: "PV27"})
    assert (r.locations, r.registration_n, r.registration_mean, r.registration_median) == (
        3,
        2,
        4.0,
        4.0,
    )
    assert (r.over_norm_registration, r.over_norm_treatment, r.total_n, r.over_norm_total) == (
        1,
        1,
        1,
        0,
    )
    assert (r.registration_stops, r.treatment_stops) == (1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leeg"),
        (b"a,b\n1,2\n", "puntkomma"),
        (b"a;b\n1;2\n", "Aanmeldtijd, Behandeltijd ontbreken"),
        (b"Aanmeldtijd;Behandeltijd\n", "alleen een kopregel"),
    ],
)
def test_bad_published_files(data, message):
    with pytest.raises(services.ImportRejected, match=message):
        services.published_import(data=data, name="x.csv", actor=services.command_line_actor())
    assert not PublishedImport.objects.exists()


def test_original_latin1_encoding_is_read(tmp_path):
    data = "Aanmeldtijd;Behandeltijd;Plaats.zorgaanbieder;Circuit\n3;stop;Leeuwarden;Volwassenen\n1;2;Súdwest-Fryslân;Ouderen\n"
    path = tmp_path / "latin1.csv"
    path.write_bytes(data.encode("latin-1"))
    call_command("waitlists", "import-published", str(path))
    source = PublishedImport.objects.get()
    assert source.report["encoding"].startswith("Windows-1252")
    assert PublishedWaitingTime.objects.filter(
        municipality__code="GM0080", treatment_stop=True
    ).exists()
    assert PublishedWaitingTime.objects.filter(municipality__code="GM1900").exists()


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match=r"Kan .* niet lezen"):
        call_command("waitlists", "import-published", "/nonexistent/file.csv")
