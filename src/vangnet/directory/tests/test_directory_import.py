"""`directory import`: providers registered or updated by AGB code, all or nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from vangnet.directory.models import Organisation, OrganisationType
from vangnet.directory.services import OrganisationImportRejected, organisation_import

pytestmark = pytest.mark.django_db

GOOD = (
    "agb,name,municipality_code,organisation_type\n"
    "06290832,Parnassia Groep,GM0518,ggz_institution\n"
    "73730001,Verslavingszorg Noord,GM0014,Verslavingszorg\n"
    "22000001,Praktijk zonder gemeente,,other\n"
)


def test_creates_then_updates_then_leaves_unchanged():
    report = organisation_import(data=GOOD.encode())
    assert sorted(report.created) == ["06290832", "22000001", "73730001"]
    org = Organisation.objects.get(agb_code="73730001")
    assert (org.organisation_type, org.municipality.code) == (
        OrganisationType.ADDICTION_CARE,
        "GM0014",
    )
    assert Organisation.objects.get(agb_code="22000001").municipality is None

    again = organisation_import(data=GOOD.encode())
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 3)

    changed = GOOD.replace("Parnassia Groep", "Parnassia Groep B.V.")
    third = organisation_import(data=changed.encode())
    assert third.updated == ["06290832"]
    assert Organisation.objects.get(agb_code="06290832").name == "Parnassia Groep B.V."
    assert Organisation.objects.filter(agb_code="06290832").count() == 1


def test_bad_lines_are_all_reported_and_nothing_is_written():
    bad = (
        "agb,name,municipality_code,organisation_type\n"
        "06290832,Goed,GM0518,ggz_institution\n"
        "123,Te kort,GM0518,ggz_institution\n"
        "06290832,Dubbel,GM9999,ziekenhuis\n"
        "44444444,,GM0518,other\n"
    )
    with pytest.raises(OrganisationImportRejected) as exc:
        organisation_import(data=bad.encode())
    texts = [p.as_text() for p in exc.value.problems]
    assert "regel 3, kolom agb: een AGB-code bestaat uit 8 cijfers" in texts
    assert any(
        t.startswith("regel 4, kolom agb: AGB-code 06290832 staat ook op regel 2") for t in texts
    )
    assert any(t.startswith("regel 4, kolom municipality_code: onbekende gemeente") for t in texts)
    assert any(t.startswith("regel 4, kolom organisation_type: onbekend type") for t in texts)
    assert "regel 5, kolom name: naam ontbreekt" in texts
    assert not Organisation.objects.filter(agb_code="06290832").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leeg"),
        (GOOD.replace(",", ";").encode(), "puntkomma"),
        (GOOD.replace("Parnassia", "Parnassiä").encode("latin-1"), "UTF-8"),
        (b"agb,naam\n1,2\n", "kopregel"),
    ],
)
def test_file_level_problems(data, message):
    with pytest.raises(OrganisationImportRejected, match=message):
        organisation_import(data=data)


def test_command(tmp_path, capsys):
    path = tmp_path / "aanbieders.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("directory", "import", str(path))
    out = capsys.readouterr()
    assert "3 nieuw, 0 bijgewerkt, 0 ongewijzigd." in out.out
    assert "Let op: regel 4, kolom municipality_code: geen vestigingsgemeente" in out.err
    path.write_text(GOOD + "1,x,,other\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 regel met fouten"):
        call_command("directory", "import", str(path))
    assert "regel 5, kolom agb" in capsys.readouterr().err


def test_rows_without_municipality_are_imported_with_a_warning():
    report = organisation_import(data=GOOD.encode())
    assert [(w.line, w.column) for w in report.warnings] == [(4, "municipality_code")]
    assert "ontbreekt in de overzichten per regio" in report.warnings[0].message
    assert Organisation.objects.get(agb_code="22000001").municipality is None
    # Emptying the municipality of a known provider says what is lost.
    cleared = GOOD.replace("06290832,Parnassia Groep,GM0518", "06290832,Parnassia Groep,")
    report = organisation_import(data=cleared.encode())
    texts = [w.as_text() for w in report.warnings]
    assert any(
        t.startswith("regel 2, kolom municipality_code: geen vestigingsgemeente")
        and t.endswith("de vestigingsgemeente GM0518 wordt gewist")
        for t in texts
    ), texts
    assert len(texts) == 2
