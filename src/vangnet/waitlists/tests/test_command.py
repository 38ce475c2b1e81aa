"""`python -m vangnet waitlists counts|flows|breaches|hotspots|largest|published-summary`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .conftest import AMSTERDAM, ROTTERDAM, row

pytestmark = pytest.mark.django_db

HEADER = "month,region,diagnosis_group,registrations_waiting,persons_waiting,persons_multi_provider,persons_by_preference,over_norm_intake,over_norm_treatment"


def run(*args) -> str:
    out = StringIO()
    call_command("waitlists", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data(providers, import_rows):
    for period, reg in (
        ("2024-01", "2023-12-01"),
        ("2024-02", "2024-01-01"),
        ("2024-03", "2024-02-01"),
    ):
        import_rows(
            [
                row(person_pseudonym="v1:x", registration_date=reg, municipality_code=AMSTERDAM),
                row(
                    person_pseudonym="v1:x",
                    provider_agb="22222222",
                    registration_date=reg,
                    preferred_provider=1,
                ),
                row(
                    person_pseudonym="v1:y",
                    provider_agb="33333333",
                    municipality_code=ROTTERDAM,
                    diagnosis_group="psychotisch",
                    registration_date=f"{period}-15",
                ),
            ],
            period=period,
        )
    return providers


def test_counts_csv_by_veiligheidsregio(data):
    lines = run(
        "counts", "--regions", "veiligheidsregio", "--from", "2023-12", "--to", "2024-02"
    ).splitlines()
    assert lines == [
        HEADER,
        "2024-01,VR13,angst,2,1,1,1,2,0",
        "2024-01,VR17,psychotisch,1,1,0,0,0,0",
        "2024-02,VR13,angst,2,1,1,1,2,0",
        "2024-02,VR17,psychotisch,1,1,0,0,0,0",
    ]


def test_counts_json_by_province_and_table_with_region_filter(data):
    rows = json.loads(
        run(
            "counts",
            "--regions",
            "province",
            "--from",
            "2024-03",
            "--to",
            "2024-03",
            "--format",
            "json",
        )
    )
    assert [(r["region"], r["persons_waiting"]) for r in rows] == [("PV27", 1), ("PV28", 1)]
    assert set(rows[0]) == set(HEADER.split(","))
    table = run(
        "counts", "--regions", "table", "--region", "2", "--from", "2024-03", "--to", "2024-03"
    )
    assert table.splitlines()[1:] == ["2024-03,2,psychotisch,1,1,0,0,0,0"]


def test_provider_figures(data):
    breaches = run("breaches", "--from", "2024-01", "--to", "2024-03").splitlines()
    assert breaches[0].startswith("month,provider_agb,provider_name,diagnosis_group")
    assert {tuple(line.split(",")[:2]) for line in breaches[1:]} == {
        (m, agb) for m in ("2024-01", "2024-02", "2024-03") for agb in ("11111111", "22222222")
    }
    hot = run("hotspots", "--from", "2024-01", "--to", "2024-03").splitlines()
    assert hot[1:] == [
        "11111111,GGZ Amstel,angst,intake,2024-01,2024-03,3",
        "22222222,GGZ IJ,angst,intake,2024-01,2024-03,3",
    ]
    largest = run(
        "largest", "--regions", "veiligheidsregio", "--from", "2024-03", "--to", "2024-03"
    ).splitlines()
    # A tie on the number over the norm goes to the lowest provider code (the oldest record).
    assert largest[1:] == ["2024-03,VR13,11111111,GGZ Amstel,1,1,0,1"]
    flows = run("flows", "--regions", "veiligheidsregio", "--from", "2024-01", "--to", "2024-03")
    assert flows.splitlines()[0].startswith("month,region,diagnosis_group,intakes")


def test_bad_months_are_clear_errors(data):
    with pytest.raises(CommandError, match="JJJJ-MM"):
        run("counts", "--regions", "province", "--from", "2024-1", "--to", "2024-03")
    with pytest.raises(CommandError, match="vóór de beginmaand"):
        run("counts", "--regions", "province", "--from", "2024-03", "--to", "2024-01")


def test_published_summary_command():
    from pathlib import Path

    path = Path(__file__).parent.parent / "data" / "brondata_wachttijden_ggz_2016.csv"
    call_command("waitlists", "import-published", str(path), stdout=StringIO())
    lines = run("published-summary").splitlines()
    assert lines[0].startswith("circuit,care_type,diagnosis_group,region,locations")
    assert sum(int(line.split(",")[4]) for line in lines[1:]) == 2196


class ClosedPipe(StringIO):
    """Standard output whose reader has gone away (`waitlists counts ... | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_closed_pipe_ends_the_command_quietly(data, fmt, capsys):
    args = ["counts", "--regions", "veiligheidsregio", "--from", "2024-01", "--to", "2024-02"]
    with pytest.raises(SystemExit) as exc:
        call_command("waitlists", *args, "--format", fmt, stdout=ClosedPipe())
    assert exc.value.code == 1
    assert capsys.readouterr().err == ""
