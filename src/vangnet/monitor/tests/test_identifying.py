"""The identifying-text check: names, dates, 11-proef numbers, postcodes (and phone, e-mail)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vangnet.common.validators import is_valid_bsn
from vangnet.monitor.identifying import NOT_POSTCODE_IN_LOWER_CASE, find_identifying


def kinds(text: str) -> set[str]:
    return {f.kind for f in find_identifying(text)}


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("Besproken met mevrouw Jansen en haar zoon.", "name", "mevrouw Jansen"),
        ("Verwezen door dhr. P. de Boer.", "name", "dhr. P. de Boer"),
        ("Casus van Jan de Vries.", "name", "Jan de Vries"),
        ("Anna wil niet meer naar de kliniek.", "name", "Anna"),
        ("J.P. Bakker is de huisarts.", "name", "J.P. Bakker"),
        ("Opgenomen op 12-03-2021.", "date", "12-03-2021"),
        ("Crisis op 2021-03-12 en daarna.", "date", "2021-03-12"),
        ("Sinds 5 mei 2020 thuisloos.", "date", "5 mei 2020"),
        ("geboren 1983, drie opnames", "date", "geboren 1983"),
        ("Opgenomen in maart 2019, daarna thuis.", "date", "maart 2019"),
        ("Opgenomen in mrt 2019, daarna thuis.", "date", "mrt 2019"),
        ("Sinds Okt. 2021 dakloos.", "date", "Okt. 2021"),
        ("Crisis in december '19.", "date", "december '19"),
        ("Nummer 111222333 staat in het dossier.", "bsn", "111222333"),
        ("BSN 1112.22.333.", "bsn", "1112.22.333"),
        ("Woont in 3512 AB, op kamers.", "postcode", "3512 AB"),
        ("Woont in 3512AB.", "postcode", "3512AB"),
        ("Woont in 1234 ab, op kamers.", "postcode", "1234 ab"),
        ("Woont in 1234ab.", "postcode", "1234ab"),
        ("Woont in 1234 Ab.", "postcode", "1234 Ab"),
        ("Adres: 2012 EN Haarlem.", "postcode", "2012 EN"),
        ("Bel 06-12345678.", "phone", "06-12345678"),
        ("Mail naar iemand@example.org graag.", "email", "iemand@example.org"),
    ],
)
def test_identifying_fragments_are_found(text, kind, fragment):
    found = find_identifying(text)
    assert any(f.kind == kind and f.fragment == fragment for f in found), found


@pytest.mark.parametrize(
    "text",
    [
        "Eetstoornis in combinatie met autisme; geen klinisch aanbod in de regio.",
        "In 2020 en 2021 drie opnames; sinds maart wachtend op beschermd wonen.",
        "Universiteit van Amsterdam en GGz Centraal adviseerden; het CCE is betrokken.",
        "Wacht al 18 maanden; 3 aanbieders hanteren exclusiecriteria.",
        "Den Haag en Noord-Brabant hebben geen plek. Topreferente traumazorg nodig.",
        "Nummer 123456789 is geen BSN.",  # fails the 11-proef
        "Sinds 2019 is er geen behandelaar; in 2021 op de wachtlijst gezet.",
        "Gebruikt 1000 mg per dag, in 2022 en 2023 afgebouwd.",
        "Sinds maart wachtend; in het voorjaar van 2019 twee crisisopnames.",
    ],
)
def test_ordinary_clinical_prose_passes(text):
    assert find_identifying(text) == []


def test_a_name_inside_a_longer_name_is_reported_once():
    found = find_identifying("Gesprek met Jan de Vries.")
    assert [f.fragment for f in found] == ["Jan de Vries"]
    assert "naam" in found[0].message


@given(st.integers(10_000_000, 999_999_999))
def test_every_nine_digit_number_is_flagged_exactly_when_it_passes_the_11_proef(n):
    digits = f"{n:09d}"
    assert ("bsn" in kinds(f"nummer {digits} in de tekst")) == is_valid_bsn(digits)


@given(st.integers(1000, 9999), st.sampled_from(["AB", "XZ", "KL", "PR"]), st.booleans())
def test_every_postcode_is_flagged(number, letters, space):
    assert "postcode" in kinds(f"adres {number}{' ' if space else ''}{letters} ergens")


LETTER = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_frequent_words_and_units_are_among_the_lower_case_exceptions():
    assert {"en", "in", "op", "is", "mg", "km"} <= NOT_POSTCODE_IN_LOWER_CASE


@given(st.integers(1000, 9999), LETTER, LETTER, st.booleans(), st.booleans(), st.booleans())
def test_postcodes_are_flagged_in_any_case(number, a, b, lower_a, lower_b, space):
    letters = (a.lower() if lower_a else a) + (b.lower() if lower_b else b)
    text = f"woont in {number}{' ' if space else ''}{letters} ergens"
    never_issued = (a + b) in {"SA", "SD", "SS"}
    a_word = not letters.isupper() and letters.lower() in NOT_POSTCODE_IN_LOWER_CASE
    assert ("postcode" in kinds(text)) == (not never_issued and not a_word)


@given(st.integers(1000, 9999), st.sampled_from(["SA", "sa", "Sd", "sD", "ss", "SS"]))
def test_never_issued_letters_are_no_postcode_in_any_case(number, letters):
    assert "postcode" not in kinds(f"woont in {number} {letters} ergens")


MONTHS = ["januari", "februari", "maart", "mrt", "april", "mei", "juni", "jul", "aug", "sept"]
MONTHS += ["oktober", "okt", "nov", "december", "dec", "jan", "feb", "apr"]


@given(
    st.sampled_from(MONTHS),
    st.integers(1900, 2099),
    st.sampled_from([str.lower, str.capitalize, str.upper]),
    st.booleans(),
)
def test_a_month_and_year_is_a_date(month, year, case, dot):
    text = f"Opgenomen in {case(month)}{'.' if dot else ''} {year}, daarna thuis."
    assert "date" in kinds(text)
