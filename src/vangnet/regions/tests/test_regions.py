"""Reference data: municipalities, tables, the table division with validity dates, public pages."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from vangnet.common.errors import DomainError
from vangnet.regions.models import Municipality, Province, SafetyRegion, Table, TableAssignment
from vangnet.regions.selectors import (
    municipalities_of_table,
    region_grouping,
    region_municipalities,
    table_for_municipality,
)
from vangnet.regions.services import table_assignment_change
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

CURRENT_FROM = date(2021, 1, 1)
IN_2020 = date(2020, 6, 1)
TODAY = date(2026, 3, 1)

NOORD_VELUWE = {"Elburg", "Ermelo", "Harderwijk", "Nunspeet", "Oldebroek", "Putten"}


def expected_current(m: Municipality) -> int:
    """The default division of issue 3, written out independently of the loader."""
    province = m.province.name
    vr = m.safety_region.name
    if province in {"Groningen", "Friesland", "Fryslân", "Drenthe"}:
        return 8
    if province == "Gelderland" and m.name.split(" (")[0] in NOORD_VELUWE:
        return 4
    if province in {"Overijssel", "Gelderland"}:
        return 5
    if province in {"Utrecht", "Flevoland"}:
        return 4
    if vr == "Gooi en Vechtstreek":
        return 4
    if province == "Noord-Holland":
        return 3
    if vr == "Rotterdam-Rijnmond":
        return 2
    if province == "Zuid-Holland":
        return 1
    if province in {"Noord-Brabant", "Zeeland"}:
        return 6
    if province == "Limburg":
        return 7
    raise AssertionError(f"no rule for {m}")


def table_of(name_or_code: str, on: date) -> int | None:
    field = "code" if name_or_code.startswith("GM") else "name"
    m = Municipality.objects.get(**{field: name_or_code})
    table = table_for_municipality(municipality=m, on=on)
    return table.number if table else None


# --- the reference data itself ----------------------------------------------------------------


def test_counts():
    assert Municipality.objects.count() == 342
    assert Table.objects.count() == 8
    assert SafetyRegion.objects.count() == 25
    assert Province.objects.count() == 12


def test_the_eight_tables():
    tables = {t.number: t for t in Table.objects.all()}
    assert sorted(tables) == list(range(1, 9))
    assert {n: t.coordinating_institution for n, t in tables.items()} == {
        1: "Parnassia Groep",
        2: "Parnassia Groep",
        3: "Arkin",
        4: "GGz Centraal",
        5: "Pro Persona",
        6: "GGz Breburg",
        7: "Mondriaan",
        8: "GGZ Friesland",
    }
    assert all(t.name and t.region_description for t in tables.values())


def test_every_municipality_has_both_divisions():
    for m in Municipality.objects.prefetch_related("table_assignments"):
        periods = sorted((a.valid_from, a.valid_to) for a in m.table_assignments.all())
        assert periods[0][1] == CURRENT_FROM, m
        assert periods[-1] == (CURRENT_FROM, None), m


# --- the current default division ---------------------------------------------------------------


def test_current_division_follows_the_rules_for_every_municipality():
    wrong = []
    for m in Municipality.objects.select_related("province", "safety_region"):
        actual = table_for_municipality(municipality=m, on=TODAY)
        if actual is None or actual.number != expected_current(m):
            wrong.append((m.name, actual and actual.number, expected_current(m)))
    assert wrong == []


@pytest.mark.parametrize(
    "name,table",
    [
        ("Amsterdam", 3),
        ("Haarlem", 3),
        ("Den Helder", 3),
        ("Hilversum", 4),  # Gooi en Vechtstreek
        ("Huizen", 4),
        ("Utrecht", 4),
        ("Almere", 4),
        ("Lelystad", 4),
        ("Harderwijk", 4),  # Noord-Veluwe
        ("Elburg", 4),
        ("Ermelo", 4),
        ("Nunspeet", 4),
        ("Oldebroek", 4),
        ("Putten", 4),
        ("Apeldoorn", 5),
        ("Nijmegen", 5),
        ("Enschede", 5),
        ("Zwolle", 5),
        ("Rotterdam", 2),
        ("Schiedam", 2),
        ("Goeree-Overflakkee", 2),
        ("'s-Gravenhage", 1),
        ("Leiden", 1),
        ("Dordrecht", 1),
        ("Eindhoven", 6),
        ("Tilburg", 6),
        ("Middelburg (Z.)", 6),
        ("Vlissingen", 6),
        ("Maastricht", 7),
        ("Venlo", 7),
        ("Groningen", 8),
        ("Leeuwarden", 8),
        ("Assen", 8),
    ],
)
def test_current_division_examples(name, table):
    assert table_of(name, TODAY) == table
    assert table_of(name, CURRENT_FROM) == table


def test_every_table_serves_municipalities_now():
    for table in Table.objects.all():
        assert municipalities_of_table(table=table, on=TODAY).exists(), table


def test_municipalities_of_table_are_those_it_serves_on_the_date():
    expected: dict[int, set[str]] = {}
    for m in Municipality.objects.select_related("province", "safety_region"):
        expected.setdefault(expected_current(m), set()).add(m.code)
    for table in Table.objects.all():
        served = set(municipalities_of_table(table=table, on=TODAY).values_list("code", flat=True))
        assert served == expected[table.number], table


def test_public_table_page_lists_only_current_municipalities(client):
    html = client.get("/tafels/2/").content.decode()
    assert "Rotterdam" in html
    assert "Vlissingen" not in html


# --- the 2020 division: seven tables, valid before 2021 -----------------------------------------


def test_2020_division_has_seven_tables():
    used = {
        table_for_municipality(municipality=m, on=IN_2020).number
        for m in Municipality.objects.all()
    }
    assert used == {1, 2, 3, 4, 5, 6, 7}


@pytest.mark.parametrize(
    "name,in_2020,now",
    [
        ("Middelburg (Z.)", 2, 6),  # Zeeland was with Rotterdam
        ("Vlissingen", 2, 6),
        ("Groningen", 4, 8),  # the north was with table 4
        ("Leeuwarden", 4, 8),
        ("Assen", 4, 8),
        ("Rotterdam", 2, 2),
        ("Amsterdam", 3, 3),
        ("Hilversum", 3, 4),  # by province in 2020
        ("Harderwijk", 5, 4),
        ("Maastricht", 7, 7),
    ],
)
def test_2020_division_is_valid_until_2021(name, in_2020, now):
    assert table_of(name, IN_2020) == in_2020
    assert table_of(name, date(2020, 12, 31)) == in_2020
    assert table_of(name, date(2021, 1, 1)) == now


def test_no_table_before_the_2020_division():
    assert table_of("Amsterdam", date(2020, 2, 29)) is None
    assert table_of("Amsterdam", date(2020, 3, 1)) == 3


def test_region_grouping_by_table_respects_the_date():
    assert region_grouping("table", on=IN_2020)["GM0014"] == "4"
    assert region_grouping("table", on=TODAY)["GM0014"] == "8"
    assert region_grouping("province")["GM0014"] == "PV20"
    assert len(region_grouping("veiligheidsregio")) == 342
    with pytest.raises(ValueError):
        region_grouping("postcode")


@pytest.mark.parametrize("kind", ["province", "veiligheidsregio", "table"])
@pytest.mark.parametrize("on", [IN_2020, TODAY])
def test_region_municipalities_are_the_grouping_of_each_region(kind, on):
    grouping = region_grouping(kind, on=on)
    for code in set(grouping.values()):
        expected = {m for m, region in grouping.items() if region == code}
        found = set(region_municipalities(kind, code, on=on).values_list("code", flat=True))
        assert found == expected, (kind, code)
    assert not region_municipalities(kind, "onbekend", on=on).exists()


# --- correcting the division --------------------------------------------------------------------


def test_change_closes_the_running_period():
    m = Municipality.objects.get(name="Harderwijk")
    start = date(2026, 7, 1)
    new = table_assignment_change(
        municipality=m, table=Table.objects.get(number=5), valid_from=start, source="Besluit"
    )
    running = TableAssignment.objects.get(municipality=m, valid_from=CURRENT_FROM)
    assert running.valid_to == start
    assert (new.valid_from, new.valid_to, new.table.number) == (start, None, 5)
    assert table_of("Harderwijk", start - timedelta(days=1)) == 4
    assert table_of("Harderwijk", start) == 5
    assert table_of("Harderwijk", IN_2020) == 5  # the 2020 period is untouched
    # Periods never overlap.
    periods = list(
        TableAssignment.objects.filter(municipality=m)
        .order_by("valid_from")
        .values_list("valid_from", "valid_to")
    )
    assert all(a[1] == b[0] for a, b in itertools.pairwise(periods))


def test_change_between_two_periods_ends_where_the_next_begins():
    m = Municipality.objects.get(name="Harderwijk")
    table_assignment_change(
        municipality=m, table=Table.objects.get(number=5), valid_from=date(2027, 1, 1), source="a"
    )
    middle = table_assignment_change(
        municipality=m, table=Table.objects.get(number=3), valid_from=date(2026, 6, 1), source="b"
    )
    assert middle.valid_to == date(2027, 1, 1)
    assert [table_of("Harderwijk", d) for d in (date(2026, 5, 31), date(2026, 6, 1))] == [4, 3]
    assert table_of("Harderwijk", date(2027, 1, 1)) == 5


def test_change_with_an_existing_start_date_is_refused():
    m = Municipality.objects.get(name="Harderwijk")
    count = TableAssignment.objects.count()
    with pytest.raises(DomainError, match="bestaat al"):
        table_assignment_change(
            municipality=m, table=Table.objects.get(number=5), valid_from=CURRENT_FROM, source="x"
        )
    assert TableAssignment.objects.count() == count


def test_a_case_keeps_its_table_after_a_mapping_change(world):
    with freeze_time("2026-03-01 10:00:00"):
        case = factories.register_case(world.referrer, patient_municipality_code="GM0243")
        assert case.table.number == 4
        table_assignment_change(
            municipality=Municipality.objects.get(code="GM0243"),
            table=Table.objects.get(number=5),
            valid_from=timezone.localdate(),
            source="Correctie beheer",
        )
        case.refresh_from_db()
        assert (case.table.number, case.registered_table.number) == (4, 4)
        later = factories.register_case(
            world.referrer, patient_municipality_code="GM0243", patient_name="Piet Bakker"
        )
        assert later.table.number == 5 and later.proposed_table.number == 5


# --- public pages of the registration desk -------------------------------------------------------


def test_public_table_list(client):
    html = client.get("/tafels/").content.decode()
    for t in Table.objects.all():
        assert t.name in html


def test_public_table_page_shows_criteria_and_municipalities(client):
    response = client.get("/tafels/3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arkin" in html and "Amsterdam" in html and "Haarlem" in html
    assert "Rotterdam" not in html.split("<main", 1)[1]
    from vangnet.regions.models import Criterion

    assert Criterion.objects.count() == 7
    for criterion in Criterion.objects.all():
        assert criterion.text in html
    assert client.get("/tafels/9/").status_code == 404


@pytest.mark.parametrize("code,table", [("GM0363", 3), ("GM0599", 2), ("GM0243", 4), ("GM0687", 6)])
def test_htmx_fragment_proposes_the_table(client, code, table):
    html = client.get(
        "/tafels/voorgestelde-tafel/", {"patient_municipality": code}
    ).content.decode()
    assert f'data-number="{table}"' in html
    assert "Voorgestelde tafel voor" in html


def test_htmx_fragment_for_no_or_unknown_municipality(client):
    for params in [{}, {"patient_municipality": "GM9999"}]:
        html = client.get("/tafels/voorgestelde-tafel/", params).content.decode()
        assert "data-number" not in html and "Kies de woongemeente" in html
