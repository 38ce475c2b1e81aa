"""Import and export of the sociale kaart: all or nothing, every bad line reported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.common.errors import NotAllowed
from vangnet.directory import kaart_io
from vangnet.directory.models import EntryChange, Location, Offer

pytestmark = pytest.mark.django_db

HEADER = ",".join(kaart_io.COLUMNS)


def row(**values: str) -> str:
    base = {
        "location_name": "Inloop Oost",
        "address": "Dapperstraat 1",
        "postcode": "1093 BS",
        "municipality": "GM0363",
        "phone": "020-1234567",
        "offer_name": "Herstelgroep",
        "kind": "self_help",
        "financing": "free",
        "access": "self",
        "age_min": "18",
    }
    base.update(values)
    return ",".join(f'"{base.get(c, "")}"' for c in kaart_io.COLUMNS)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_import_creates_locations_and_offers_then_export_round_trips(kaart):
    data = csv_file(
        row(),
        row(offer_name="Lotgenotengroep", kind="peer_support", diagnosis_groups="depressief;angst"),
        row(
            location_name="Online",
            remote="ja",
            municipality="",
            address="",
            postcode="",
            served_area="national",
            offer_name="Zelfhulp online",
            kind="ehealth",
            phone="+31 20 123 4567",
        ),
    )
    report = kaart_io.kaart_import(actor=actor_for(kaart.editor), organisation=kaart.org, data=data)
    assert (report.locations_created, report.offers_created) == (2, 3)
    inloop = Location.objects.get(name="Inloop Oost")
    assert inloop.offers.count() == 2
    peer = Offer.objects.get(name="Lotgenotengroep")
    assert sorted(g.code for g in peer.diagnosis_groups.all()) == ["angst", "depressief"]
    assert EntryChange.objects.filter(action="create", organisation=kaart.org).count() >= 5

    exported = kaart_io.write_csv(kaart_io.export_rows(kaart.org))
    assert "'+31 20 123 4567" in exported  # formula-escaped for spreadsheets
    # Re-importing the export changes nothing but confirms: no new entries, same values.
    again = kaart_io.kaart_import(
        actor=actor_for(kaart.editor), organisation=kaart.org, data=exported.encode()
    )
    assert (again.locations_created, again.offers_created) == (0, 0)
    assert again.offers_updated == 4
    assert Location.objects.get(name="Online").phone == "+31 20 123 4567"
    assert kaart_io.write_csv(kaart_io.export_rows(kaart.org)) == exported


def test_xlsx_import_and_export(kaart):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(kaart_io.COLUMNS))
    values = dict(
        zip(kaart_io.COLUMNS, next(iter([row().replace('"', "").split(",")])), strict=True)
    )
    values["age_min"] = 18  # a number cell
    sheet.append([values[c] for c in kaart_io.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = kaart_io.kaart_import(
        actor=actor_for(kaart.editor),
        organisation=kaart.org,
        data=buffer.getvalue(),
        filename="k.xlsx",
    )
    assert report.offers_created == 1
    assert Offer.objects.get(name="Herstelgroep").age_min == 18
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(kaart_io.write_xlsx(kaart_io.export_rows(kaart.org))))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == kaart_io.COLUMNS and len(rows) == 3


def test_every_bad_line_is_reported_and_nothing_is_written(kaart):
    other_offer = kaart.offer.pk + 1000
    data = csv_file(
        row(),  # good
        row(municipality="GM9999"),
        row(postcode="12AB"),
        row(diagnosis_groups="psychotisch;hoogtevrees"),
        row(financing="pgb"),
        row(phone="geen"),
        row(location_name="Web", website="niet een url"),
        row(age_min="65", age_max="18"),
        row(description="<script>alert(1)</script>"),
        row(offer_id=str(other_offer)),
        row(lvb="misschien"),
        row(address="Andere straat 2"),  # same new location, other address
    )
    before = (Location.objects.count(), Offer.objects.count(), EntryChange.objects.count())
    with pytest.raises(kaart_io.KaartImportRejected) as exc:
        kaart_io.kaart_import(actor=actor_for(kaart.editor), organisation=kaart.org, data=data)
    texts = [p.as_text() for p in exc.value.problems]
    expected = [
        "regel 3, kolom municipality: Onbekende gemeente",
        "regel 4, kolom postcode:",
        "regel 5, kolom diagnosis_groups: Onbekende hoofddiagnosegroep 'hoogtevrees'",
        "regel 6, kolom financing: Financiering 'pgb' bestaat niet",
        "regel 7, kolom phone:",
        "regel 8, kolom website:",
        "regel 9, kolom age_max: De leeftijdsgrens is omgedraaid",
        "regel 10, kolom description: Omschrijving bevat HTML of script",
        f"regel 11, kolom offer_id: aanbod {other_offer} hoort niet bij Arkin",
        "regel 12, kolom lvb: gebruik ja of nee",
        "regel 13, kolom address: deze locatie staat op regel 2 met andere gegevens",
    ]
    for start in expected:
        assert any(t.startswith(start) for t in texts), (start, texts)
    assert "12 regels met fouten" not in exc.value.message
    assert "11 regels met fouten" in exc.value.message
    assert (Location.objects.count(), Offer.objects.count(), EntryChange.objects.count()) == before


def test_an_offer_of_another_organisation_cannot_be_overwritten_by_import(kaart):
    data = csv_file(row(offer_id=str(kaart.offer.pk), offer_name="Overgenomen"))
    with pytest.raises(kaart_io.KaartImportRejected):
        kaart_io.kaart_import(
            actor=actor_for(kaart.other_editor), organisation=kaart.other_org, data=data
        )
    with pytest.raises(NotAllowed):
        kaart_io.kaart_import(
            actor=actor_for(kaart.other_editor), organisation=kaart.org, data=data
        )
    assert AccessLogEntry.objects.filter(outcome=Outcome.DENIED, user=kaart.other_editor).exists()
    assert Offer.objects.get(pk=kaart.offer.pk).name == "Dubbele diagnose ambulant"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leeg"),
        (HEADER.replace(",", ";").encode() + b"\n", "puntkomma"),
        (b"location_name,offer_name\nA,B\n", "kopregel"),
        ((HEADER + "\n").encode(), "geen gegevensregels"),
        ("Zoë".encode("latin-1") + b"\n", "UTF-8"),
        (b"PK\x03\x04kapot", "Excel"),
    ],
)
def test_file_level_problems(kaart, data, message):
    with pytest.raises(kaart_io.KaartImportRejected, match=message):
        kaart_io.kaart_import(actor=actor_for(kaart.editor), organisation=kaart.org, data=data)


def test_commands(kaart, tmp_path, capsys):
    kaart.org.agb_code = "06290101"
    kaart.org.save()
    path = tmp_path / "kaart.csv"
    path.write_bytes(csv_file(row()))
    call_command(
        "directory",
        "kaart-import",
        str(path),
        "--organisation",
        "06290101",
        "--as",
        kaart.editor.username,
    )
    assert "1 locaties nieuw" in capsys.readouterr().out
    call_command("directory", "kaart-export", "--organisation", "06290101")
    out = capsys.readouterr().out
    assert out.startswith(HEADER) and "Herstelgroep" in out
    path.write_bytes(csv_file(row(municipality="Atlantis")))
    with pytest.raises(CommandError, match="1 regel met fouten"):
        call_command(
            "directory",
            "kaart-import",
            str(path),
            "--organisation",
            "06290101",
            "--as",
            kaart.editor.username,
        )
    assert "regel 2, kolom municipality" in capsys.readouterr().err
    with pytest.raises(CommandError, match="eigen organisatie"):
        call_command(
            "directory",
            "kaart-import",
            str(path),
            "--organisation",
            "06290101",
            "--as",
            kaart.coordinator.username,
        )
