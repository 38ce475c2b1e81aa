"""CSV import: all or nothing, every bad line reported (line, column, problem), idempotent."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vangnet.monitor import csvio, services
from vangnet.monitor.models import MonitorRecord
from vangnet.reference import questionnaire as codes

GOOD = {
    "case_ref": "H-001",
    "registration_date": "2021-03-04",
    "table": "4",
    "referrer_type": "other_ggz_institution",
    "age_cluster": "25-45",
    "dsm_groups": "substance_addictive;personality",
    "multi_diagnosis_note": "",
    "goal_types": "functioning",
    "systemic_problems": "housing;financial",
    "danger": "self",
    "in_treatment": "yes",
    "treatment_duration": "gt3y",
    "stuck_reasons": "insufficient_capacity",
    "exceptional_note": "Combinatie van verslaving en psychose; geen klinisch aanbod.",
    "outcome": "new_offer",
    "helped_by": "bring_into_view;cooperation",
    "obstacles": "",
    "external_expertise": "cce_not_involved",
    "patient_agreed": "yes",
    "patient_involved": "patient",
    "shortages": "sheltered_housing",
}


def good_rows(n: int) -> list[dict[str, str]]:
    return [{**GOOD, "case_ref": f"H-{i + 1:03d}"} for i in range(n)]


def to_csv(rows: list[dict[str, str]], columns=codes.CSV_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def valid_bsn(prefix: str) -> str:
    """Complete 8 digits to a 9-digit number that passes the 11-proef (or None if impossible)."""
    total = sum(int(d) * w for d, w in zip(prefix, range(9, 1, -1), strict=True))
    last = total % 11
    return prefix + str(last) if last < 10 and prefix + str(last) != "000000000" else ""


single = [k for k in codes.SINGLE_KEYS if k != "outcome"]
multi = list(codes.MULTI_KEYS)

# Each corruption: a strategy of (column, new value or None for "copy an earlier case_ref").
CORRUPTIONS = st.one_of(
    st.tuples(st.sampled_from(single + ["outcome"]), st.sampled_from(["xx", "Yes", "ja", "25_45"])),
    st.tuples(st.sampled_from(multi), st.sampled_from(["onbekend", "housing;zzz", "NONE"])),
    st.tuples(
        st.sampled_from(["age_cluster", "in_treatment", "outcome", "patient_agreed"]),
        st.sampled_from(["lt18;gt65", "yes;no", "ongoing;new_offer", "yes;partly"]),
    ),
    st.tuples(st.just("table"), st.sampled_from(["0", "9", "12", "-1", "drie", "4.0", ""])),
    st.tuples(
        st.just("registration_date"),
        st.sampled_from(["2021-13-01", "04-03-2021", "gisteren", "2021-02-30", "", "20210304"]),
    ),
    st.tuples(st.just("registration_date"), st.just("future")),
    st.tuples(st.just("case_ref"), st.just(None)),
    st.tuples(
        st.sampled_from(["multi_diagnosis_note", "exceptional_note"]),
        st.from_regex(r"[0-9]{8}", fullmatch=True)
        .map(valid_bsn)
        .filter(bool)
        .map(lambda bsn: f"Dossiernummer {bsn} bij de verwijzer."),
    ),
    st.tuples(
        st.sampled_from(["multi_diagnosis_note", "exceptional_note"]),
        st.tuples(st.integers(1000, 9999), st.sampled_from(["AB", "KL", "XZ"])).map(
            lambda pc: f"Woont in {pc[0]} {pc[1]} bij familie."
        ),
    ),
    st.tuples(st.just("goal_types"), st.just("none;functioning")),
)


@st.composite
def bad_files(draw):
    rows = good_rows(draw(st.integers(2, 6)))
    targets = draw(
        st.lists(st.integers(1, len(rows) - 1), min_size=1, max_size=len(rows) - 1, unique=True)
    )
    expected: set[tuple[int, str]] = set()
    for index in targets:
        column, value = draw(CORRUPTIONS)
        if column == "case_ref":
            value = rows[0]["case_ref"]  # line 2 is never corrupted
        elif value == "future":
            value = (timezone.localdate() + timedelta(days=draw(st.integers(1, 400)))).isoformat()
        rows[index][column] = value
        expected.add((index + 2, column))  # header is line 1
    return rows, expected


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bad_files())
def test_bad_files_report_every_bad_line_and_import_nothing(case):
    rows, expected = case
    with pytest.raises(services.ImportRejected) as exc:
        services.monitor_import(content=to_csv(rows))
    reported = {(e.line, e.column) for e in exc.value.errors}
    assert expected <= reported, (expected, reported)
    assert {line for line, _ in reported} == {line for line, _ in expected}
    assert all(e.message for e in exc.value.errors)
    assert MonitorRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_good_file_imports_and_reimport_changes_nothing():
    content = to_csv(good_rows(3))
    first = services.monitor_import(content=content)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    stamps = list(MonitorRecord.objects.order_by("case_ref").values_list("updated_at", flat=True))
    again = services.monitor_import(content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert stamps == list(
        MonitorRecord.objects.order_by("case_ref").values_list("updated_at", flat=True)
    )


@pytest.mark.django_db
def test_a_corrected_file_updates_by_case_ref():
    services.monitor_import(content=to_csv(good_rows(2)))
    rows = good_rows(2)
    rows[1]["outcome"] = "no_offer"
    rows[1]["patient_agreed"] = ""
    result = services.monitor_import(content=to_csv(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert MonitorRecord.objects.get(case_ref="H-002").outcome == "no_offer"


@pytest.mark.django_db
def test_a_bad_line_keeps_the_good_lines_out_too():
    rows = good_rows(3)
    rows[2]["table"] = "9"
    with pytest.raises(services.ImportRejected) as exc:
        services.monitor_import(content=to_csv(rows))
    assert [(e.line, e.column) for e in exc.value.errors] == [(4, "table")]
    assert "1 tot en met 8" in exc.value.errors[0].message
    assert MonitorRecord.objects.count() == 0


def test_messages_name_the_problem():
    rows = good_rows(2)
    rows[0]["in_treatment"] = "yes;no"
    rows[1]["dsm_groups"] = "personality;psychose"
    _, errors = csvio.parse(to_csv(rows), today=date(2026, 1, 1))
    text = [str(e) for e in errors]
    assert text == [
        "regel 2, kolom in_treatment: meerdere antwoorden (yes; no) bij een vraag met één antwoord",
        "regel 3, kolom dsm_groups: onbekende code ‘psychose’ (toegestaan: "
        + ", ".join(codes.QUESTION_BY_KEY["dsm_groups"].codes)
        + ")",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leeg"),
        (b"case_ref,table\nA,1\n", "kolommen ontbreken"),
        ("\n".join([",".join(codes.CSV_COLUMNS) + ",extra"]).encode(), "onbekende kolommen"),
        ("é".encode("latin-1"), "UTF-8"),
        ((",".join(codes.CSV_COLUMNS) + "\n").encode(), "geen registraties"),
    ],
)
def test_file_level_problems(content, message):
    parsed, errors = csvio.parse(content, today=date(2026, 1, 1))
    assert not parsed or errors
    assert any(message in e.message for e in errors), errors


def test_a_short_line_is_reported_with_its_number():
    content = to_csv(good_rows(2)) + b"H-009,2021-01-01,4\n"
    _, errors = csvio.parse(content, today=date(2026, 1, 1))
    assert [(e.line, e.message) for e in errors] == [
        (4, f"verwacht {len(codes.CSV_COLUMNS)} kolommen, gevonden 3")
    ]


def test_excel_bom_and_column_order_are_accepted():
    columns = list(reversed(codes.CSV_COLUMNS))
    content = b"\xef\xbb\xbf" + to_csv(good_rows(1), columns=columns)
    parsed, errors = csvio.parse(content, today=date(2026, 1, 1))
    assert errors == [] and len(parsed) == 1


def test_names_and_dates_in_open_text_are_refused_on_import():
    rows = good_rows(1)
    rows[0]["exceptional_note"] = "Besproken met mevrouw Jansen op 12-03-2021."
    _, errors = csvio.parse(to_csv(rows), today=date(2026, 1, 1))
    assert {(e.column, e.message.split(":")[0]) for e in errors} == {
        ("exceptional_note", "lijkt een naam te bevatten"),
        ("exceptional_note", "lijkt een datum te bevatten"),
    }


def test_export_is_csv_and_xlsx_in_the_import_columns(db):
    from openpyxl import load_workbook

    services.monitor_import(content=to_csv(good_rows(2)))
    rows = services.export_rows()
    assert csvio.write_csv(rows).encode() == to_csv(good_rows(2))
    sheet = load_workbook(io.BytesIO(csvio.write_xlsx(rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == codes.CSV_COLUMNS
    assert values[1][0] == "H-001" and values[1][5] == "substance_addictive;personality"


def test_multi_answers_are_stored_once_in_questionnaire_order(db):
    rows = good_rows(1)
    rows[0]["helped_by"] = "cooperation;bring_into_view;cooperation;"
    services.monitor_import(content=to_csv(rows))
    assert MonitorRecord.objects.get().helped_by == ["bring_into_view", "cooperation"]


def test_export_neutralises_spreadsheet_formulas():
    text = csvio.write_csv([{**GOOD, "exceptional_note": "=HYPERLINK(1)"}])
    assert "'=HYPERLINK(1)" in text


@pytest.mark.django_db
def test_the_command_lists_every_bad_line_and_fails(tmp_path):
    from django.core.management import CommandError, call_command

    rows = good_rows(3)
    rows[0]["table"] = "9"
    rows[2]["outcome"] = ""
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 fouten"):
        call_command("monitor", "import", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "regel 2, kolom table: ‘9’ is geen tafelnummer (1 tot en met 8)",
        "regel 4, kolom outcome: is verplicht",
    ]
    assert MonitorRecord.objects.count() == 0


class ClosedPipe(io.StringIO):
    """Standard output whose reader has gone away (`monitor report ... | head`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["report", "--from", "2020", "--to", "2021"], ["export"]])
def test_a_closed_pipe_ends_report_and_export_quietly(args, capsys):
    from django.core.management import call_command

    services.monitor_import(content=to_csv(good_rows(2)))
    with pytest.raises(SystemExit) as exc:
        call_command("monitor", *args, stdout=ClosedPipe())
    assert exc.value.code == 1
    assert capsys.readouterr().err == ""
