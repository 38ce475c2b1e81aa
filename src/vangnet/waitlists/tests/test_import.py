"""Importing waiting-list files: every bad line reported, all or nothing, idempotent."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vangnet.audit.models import AccessLogEntry, Action
from vangnet.waitlists import services
from vangnet.waitlists.importers import COLUMNS, parse_period
from vangnet.waitlists.models import Submission, WaitlistRegistration

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

GOOD = [
    row(person_pseudonym="v1:a"),
    row(person_pseudonym="v1:b", registration_date="2024-01-15", intake_date="2024-02-01"),
    row(person_pseudonym="v1:c", provider_agb="22222222", preferred_provider=1),
]


def do_import(data: bytes, *, name: str = "lijst.csv", period: str | None = "2024-03", **kw):
    kw.setdefault("actor", services.command_line_actor())
    return services.submission_import(
        data=data, name=name, period=parse_period(period) if period else None, **kw
    )


def rejected(data: bytes, **kw) -> services.ImportRejected:
    with pytest.raises(services.ImportRejected) as exc:
        do_import(data, **kw)
    assert WaitlistRegistration.objects.count() == 0 or kw.get("keep_existing")
    return exc.value


def test_good_file_creates_one_submission_per_provider(providers):
    report = do_import(csv_bytes(GOOD))
    assert [(s.provider_agb, s.status, s.rows) for s in report.submissions] == [
        ("11111111", "nieuw", 2),
        ("22222222", "nieuw", 1),
    ]
    assert WaitlistRegistration.objects.count() == 3
    log = AccessLogEntry.objects.filter(action=Action.CREATE, channel="cli")
    assert log.count() == 2 and "wachtlijstaanlevering 11111111 2024-03" in log.last().detail


def test_every_bad_line_is_reported_with_line_column_and_dutch_message(providers):
    rows = [
        row(person_pseudonym="v1:ok"),
        row(person_pseudonym="v1:1", registration_date="2024-03-10", intake_date="2024-03-01"),
        row(person_pseudonym="v1:2", intake_date="2024-03-10", treatment_start_date="2024-03-05"),
        row(person_pseudonym="v1:3", municipality_code="GM9999"),
        row(person_pseudonym="v1:4", provider_agb="99999999"),
        row(person_pseudonym="v1:5", diagnosis_group="griep"),
        row(person_pseudonym="111222333"),
        row(person_pseudonym="v1:ok"),  # duplicate of line 2
        row(person_pseudonym="v1:8", registration_date="31-03-2024"),
        row(person_pseudonym="v1:9", exit_date="2024-04-02"),
        row(person_pseudonym="v1:10", preferred_provider="ja"),
        row(person_pseudonym="v1:11", registration_date="2024-02-30"),
        row(person_pseudonym="v1:12", exit_date="2024-02-01"),
        row(person_pseudonym="v1:13", intake_date="2024-03-20", exit_date="2024-03-10"),
    ]
    errors = rejected(csv_bytes(rows))
    texts = errors.lines()
    expected = [
        "regel 3, kolom intake_date: intakedatum ligt vóór aanmelddatum",
        "regel 4, kolom treatment_start_date: startdatum ligt vóór intakedatum",
        "regel 5, kolom municipality_code: onbekende gemeente GM9999",
        "regel 6, kolom provider_agb: onbekende aanbieder 99999999: registreer hem eerst (directory import)",
        "regel 7, kolom diagnosis_group: onbekende diagnosegroep 'griep'",
        "regel 8, kolom person_pseudonym: dit lijkt een BSN; lever alleen pseudoniemen aan (waitlists pseudonymise)",
        "regel 9: dubbele registratie: zelfde persoon, aanbieder, diagnosegroep en aanmelddatum als regel 2",
        "regel 10, kolom registration_date: geen geldige datum (gebruik JJJJ-MM-DD in plaats van DD-MM-JJJJ)",
        "regel 11, kolom exit_date: uitschrijfdatum 2024-04-02 ligt na het einde van de periode 2024-03",
        "regel 12, kolom preferred_provider: gebruik 0 of 1",
        "regel 13, kolom registration_date: deze datum bestaat niet",
        "regel 14, kolom exit_date: uitschrijfdatum ligt vóór aanmelddatum",
        "regel 15, kolom exit_date: uitschrijfdatum ligt vóór intakedatum",
    ]
    for line in expected:
        assert line in texts
    assert {e.line for e in errors.errors} == set(range(3, 16))
    assert errors.message == "Het bestand is niet geïmporteerd: 13 regels met fouten."
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leeg"),
        (b"   \n", "leeg"),
        (csv_bytes([]), "geen gegevensregels"),
        (csv_bytes(GOOD).replace(b",", b";"), "puntkomma"),
        (csv_bytes(GOOD).replace(b",", b"\t"), "tab"),
        (
            csv_bytes([row(person_pseudonym="v1:é")]).replace("é".encode(), "é".encode("latin-1")),
            "geen UTF-8",
        ),
        (b"person_pseudonym,provider_agb\nv1:a,11111111\n", "ontbrekende kolommen"),
        (csv_bytes(GOOD, columns=(*COLUMNS, "opmerking")), "onbekende kolommen: opmerking"),
        (csv_bytes(GOOD, columns=("bsn", *COLUMNS[1:])), "kolom 'bsn'"),
        (b"PAR1garbage", "Parquet"),
    ],
)
def test_file_level_problems_are_clear(providers, data, message):
    error = rejected(data)
    assert message in error.message


def test_wrong_number_of_fields(providers):
    data = csv_bytes(GOOD) + b"v1:z,11111111\n"
    assert rejected(data).lines() == ["regel 5: verkeerd aantal velden: 2 velden in plaats van 9"]


def test_same_file_twice_changes_nothing(providers):
    do_import(csv_bytes(GOOD))
    before = list(WaitlistRegistration.objects.order_by("id").values_list("id", flat=True))
    stamps = list(Submission.objects.order_by("id").values_list("updated_at", flat=True))
    # Same rows in another order and under another name: the same content.
    report = do_import(csv_bytes(list(reversed(GOOD))), name="opnieuw.csv")
    assert [s.status for s in report.submissions] == ["ongewijzigd", "ongewijzigd"]
    assert not report.changed
    assert list(WaitlistRegistration.objects.order_by("id").values_list("id", flat=True)) == before
    assert list(Submission.objects.order_by("id").values_list("updated_at", flat=True)) == stamps


def test_new_submission_for_a_period_replaces_the_previous_one(providers):
    do_import(csv_bytes(GOOD))
    do_import(
        csv_bytes([row(person_pseudonym="v1:a", registration_date="2024-02-01")]), period="2024-02"
    )
    report = do_import(csv_bytes([row(person_pseudonym="v1:new")]))
    assert [(s.provider_agb, s.status) for s in report.submissions] == [("11111111", "vervangen")]
    march = WaitlistRegistration.objects.filter(period="2024-03-01")
    # Provider 1's March rows were replaced; provider 2's March submission and Feb stay.
    assert sorted(march.values_list("person_pseudonym", flat=True)) == ["v1:c", "v1:new"]
    assert WaitlistRegistration.objects.filter(period="2024-02-01").count() == 1


def test_period_is_inferred_from_the_latest_date(providers):
    report = do_import(csv_bytes(GOOD), period=None)
    assert (report.period.isoformat(), report.period_inferred) == ("2024-03-01", True)


def test_rows_that_ended_before_the_period_are_not_stored(providers):
    rows = [
        *GOOD,
        row(person_pseudonym="v1:old", registration_date="2023-10-01", exit_date="2024-02-28"),
    ]
    report = do_import(csv_bytes(rows))
    assert report.submissions[0].skipped_outside_period == 1
    assert not WaitlistRegistration.objects.filter(person_pseudonym="v1:old").exists()


def test_data_officer_may_only_submit_for_own_organisation(providers):
    from vangnet.accounts.models import Membership, Role
    from vangnet.accounts.selectors import actor_for
    from vangnet.testing import factories

    user = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    membership = Membership.objects.get(user=user)
    error = rejected(csv_bytes(GOOD), membership=membership, actor=actor_for(user))
    assert error.lines() == [
        "regel 4, kolom provider_agb: AGB-code 22222222 hoort niet bij uw organisatie"
    ]
    report = do_import(
        csv_bytes(GOOD[:2]), membership=membership, actor=actor_for(user), channel="web"
    )
    assert report.submissions[0].rows == 2
    entry = AccessLogEntry.objects.get(action=Action.CREATE)
    assert (entry.username, entry.role, entry.channel) == (user.username, Role.DATA_OFFICER, "web")


def test_parquet_gives_the_same_content_as_csv(providers):
    table = pa.table({c: [r[c] or None for r in GOOD] for c in COLUMNS})
    table = table.set_column(
        COLUMNS.index("registration_date"),
        "registration_date",
        pa.array([r["registration_date"] for r in GOOD]).cast(pa.string()).cast(pa.date32()),
    )
    table = table.set_column(
        COLUMNS.index("preferred_provider"),
        "preferred_provider",
        pa.array([r["preferred_provider"] == "1" for r in GOOD]),
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    report = do_import(buffer.getvalue(), name="lijst.parquet")
    assert [s.status for s in report.submissions] == ["nieuw", "nieuw"]
    # The CSV of the same rows is recognised as identical content.
    again = do_import(csv_bytes(GOOD))
    assert [s.status for s in again.submissions] == ["ongewijzigd", "ongewijzigd"]


def test_parquet_errors_name_the_row(providers):
    table = pa.table(
        {c: [r[c] for r in [*GOOD, row(person_pseudonym="123456782")]] for c in COLUMNS}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    error = rejected(buffer.getvalue(), name="x.parquet")
    assert error.lines()[0].startswith("rij 4, kolom person_pseudonym: dit lijkt een BSN")


def test_an_import_killed_halfway_leaves_the_database_as_before(providers, monkeypatch):
    do_import(csv_bytes(GOOD))
    before = sorted(WaitlistRegistration.objects.values_list("person_pseudonym", "period"))
    original = services._write_registrations

    def dying_write(frame):
        original(frame.head(1))  # the first batch is written ...
        raise KeyboardInterrupt  # ... and the process is stopped before the next one

    monkeypatch.setattr(services, "_write_registrations", dying_write)
    replacement = [row(person_pseudonym=f"v1:n{i}") for i in range(5)]
    with pytest.raises(KeyboardInterrupt):
        do_import(csv_bytes(replacement))
    assert sorted(WaitlistRegistration.objects.values_list("person_pseudonym", "period")) == before
    assert Submission.objects.get(provider=providers.a).row_count == 2


def test_command_reports_lines_and_submissions(providers, tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_bytes(csv_bytes(GOOD))
    call_command("waitlists", "import", str(path))
    out = capsys.readouterr().out
    assert (
        "Periode 2024-03 (afgeleid uit de laatste datum in het bestand); 3 regels gelezen." in out
    )
    assert "11111111 GGZ Amstel: nieuw, 2 regels" in out
    path.write_bytes(csv_bytes([row(person_pseudonym="v1:x", municipality_code="GM0000")]))
    with pytest.raises(CommandError, match="1 regel met fouten"):
        call_command("waitlists", "import", str(path), "--period", "2024-03")
    assert "regel 2, kolom municipality_code: onbekende gemeente GM0000" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Periode '2024-13' is ongeldig"):
        call_command("waitlists", "import", str(path), "--period", "2024-13")


# -- property tests: bad files --------------------------------------------------------------

CORRUPTIONS = {
    "registration_date": ["", "2024-3-1", "2024-02-31", "gisteren", "1899-01-01"],
    "intake_date": ["2022-12-31", "01-03-2024"],
    "provider_agb": ["1234567", "12345678", "abcdefgh"],
    "municipality_code": ["", "GM12", "GM9998", "0363"],
    "diagnosis_group": ["", "Angst", "onbekend"],
    "preferred_provider": ["", "2", "nee", "true"],
    "person_pseudonym": ["", "123456782", "12345678 2", "a" * 101, "v1:<script>"],
    "exit_date": ["2024-04-01", "2022-12-31"],
}

valid_rows = st.lists(
    st.fixed_dictionaries(
        {
            "diagnosis_group": st.sampled_from(["angst", "depressief", "psychotisch"]),
            "provider_agb": st.sampled_from(["11111111", "22222222", "33333333"]),
            "municipality_code": st.sampled_from(["GM0363", "GM0599", "GM0344"]),
            "registration_date": st.dates(
                min_value=__import__("datetime").date(2023, 1, 1),
                max_value=__import__("datetime").date(2024, 3, 10),
            ),
            "preferred_provider": st.sampled_from(["0", "1"]),
        }
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=valid_rows, data=st.data())
def test_property_each_corrupted_line_is_reported_and_nothing_is_written(providers, rows, data):
    rows = [
        row(person_pseudonym=f"v1:p{i}", **{k: str(v) for k, v in r.items()})
        for i, r in enumerate(rows)
    ]
    bad = data.draw(st.sets(st.integers(0, len(rows) - 1), min_size=1))
    for i in bad:
        column = data.draw(st.sampled_from(sorted(CORRUPTIONS)))
        rows[i][column] = data.draw(st.sampled_from(CORRUPTIONS[column]))
    with pytest.raises(services.ImportRejected) as exc:
        do_import(csv_bytes(rows))
    assert {e.line for e in exc.value.errors} == {i + 2 for i in bad}
    assert all(e.message for e in exc.value.errors)
    assert WaitlistRegistration.objects.count() == 0 and Submission.objects.count() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(noise=st.binary(max_size=300), keep_header=st.booleans())
def test_property_arbitrary_bytes_are_refused_cleanly(providers, noise, keep_header):
    data = (csv_bytes([]) if keep_header else b"") + noise
    try:
        do_import(data)
    except services.ImportRejected as exc:
        assert exc.message
    assert WaitlistRegistration.objects.count() == 0


def test_mixed_key_versions_are_flagged(providers, tmp_path, capsys):
    rows = [row(person_pseudonym="v1:" + "a" * 64), row(person_pseudonym="v2:" + "b" * 64)]
    report = do_import(csv_bytes(rows))
    assert report.key_versions == ["v1", "v2"]
    path = tmp_path / "x.csv"
    path.write_bytes(
        csv_bytes([row(person_pseudonym="v3:" + "c" * 64), row(person_pseudonym="v4:" + "d" * 64)])
    )
    call_command("waitlists", "import", str(path), "--period", "2024-03")
    assert "meer dan één sleutelversie (v3, v4)" in capsys.readouterr().err


def test_exit_before_intake_is_refused_exit_on_or_after_intake_is_not(providers):
    errors = rejected(
        csv_bytes(
            [
                row(person_pseudonym="v1:a", intake_date="2024-03-10", exit_date="2024-03-09"),
                row(person_pseudonym="v1:b", intake_date="2024-03-10", exit_date="2024-03-10"),
                row(person_pseudonym="v1:c", intake_date="2024-03-10", exit_date="2024-03-20"),
            ]
        )
    )
    assert errors.lines() == ["regel 2, kolom exit_date: uitschrijfdatum ligt vóór intakedatum"]
    report = do_import(
        csv_bytes([row(person_pseudonym="v1:b", intake_date="2024-03-10", exit_date="2024-03-10")])
    )
    assert report.rows == 1
