"""Property tests for the shared validators: the BSN 11-proef and free-text cleaning."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from vangnet.common.errors import DomainError
from vangnet.common.validators import (
    check_past_date,
    clean_bsn,
    clean_text,
    contains_markup,
    is_valid_bsn,
)

WEIGHTS = [9, 8, 7, 6, 5, 4, 3, 2, -1]


def weighted_sum(digits: list[int]) -> int:
    return sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))


@st.composite
def valid_bsns(draw) -> str:
    """Construct a BSN: eight free digits, the ninth chosen so the 11-proef holds."""
    head = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    last = sum(d * w for d, w in zip(head, WEIGHTS[:8], strict=True)) % 11
    assume(last != 10)  # no check digit exists for this head
    value = "".join(map(str, [*head, last]))
    assume(value != "000000000")
    return value


# --- BSN ---------------------------------------------------------------------------------------


@given(valid_bsns())
@example("123456782")
@example("111222333")
def test_constructed_bsns_pass(bsn):
    assert weighted_sum([int(c) for c in bsn]) % 11 == 0  # the oracle agrees
    assert is_valid_bsn(bsn)
    assert clean_bsn(bsn) == bsn


@given(valid_bsns(), st.sampled_from([" ", ".", "-"]))
def test_formatted_bsns_are_normalised(bsn, sep):
    formatted = f" {bsn[:4]}{sep}{bsn[4:6]}{sep}{bsn[6:]} "
    assert clean_bsn(formatted) == bsn


@given(valid_bsns(), st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_change_fails(bsn, position, delta):
    digits = [int(c) for c in bsn]
    digits[position] = (digits[position] + delta) % 10
    changed = "".join(map(str, digits))
    assert changed != bsn
    assert not is_valid_bsn(changed)
    with pytest.raises(DomainError) as exc:
        clean_bsn(changed)
    assert "11-proef" in exc.value.message


@given(valid_bsns(), st.integers(0, 7))
def test_swapping_two_different_adjacent_digits_fails(bsn, position):
    assume(bsn[position] != bsn[position + 1])
    swapped = bsn[:position] + bsn[position + 1] + bsn[position] + bsn[position + 2 :]
    assert not is_valid_bsn(swapped)


ASCII_DIGITS = st.sampled_from("0123456789")
# Any character except non-ASCII decimal digits (tested separately below).
NOT_UNICODE_DIGIT = st.characters(exclude_categories=["Nd"]) | ASCII_DIGITS


@given(st.text(alphabet=NOT_UNICODE_DIGIT, max_size=20))
@example("")
@example("12345678")
@example("1234567820")
@example("12345678a")
@example("000000000")
@example(" 123456782")
def test_anything_but_nine_digits_fails(value):
    if re.fullmatch(r"[0-9]{9}", value):
        assert is_valid_bsn(value) == (
            weighted_sum([int(c) for c in value]) % 11 == 0 and value != "000000000"
        )
    else:
        assert not is_valid_bsn(value)


@given(st.text(alphabet=ASCII_DIGITS, min_size=1, max_size=20).filter(lambda s: len(s) != 9))
def test_clean_bsn_refuses_digit_strings_of_the_wrong_length(value):
    with pytest.raises(DomainError) as exc:
        clean_bsn(value)
    assert exc.value.status_code == 400


@pytest.mark.parametrize("empty", [None, "", "   ", " . - "])
def test_empty_bsn_is_allowed(empty):
    assert clean_bsn(empty) == ""


@pytest.mark.parametrize("value", ["１２３４５６７８２", "١٢٣٤٥٦٧٨٢"])
def test_non_ascii_digits_are_not_a_bsn(value):
    assert not is_valid_bsn(value)


# --- clean_text ----------------------------------------------------------------------------------

# Text without "<", "=" and ":" can hold no markup by any definition.
PLAIN = st.text(alphabet=st.characters(exclude_characters="<=:", exclude_categories=["Cs"]))
TAGS = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<b>",
        "< img src=x>",
        "<!--",
        "<a href='x'>",
        "<svg/onload=alert(1)>",
        "<IFRAME>",
    ]
)


def _clean(value, *, max_length=50, required=True):
    return clean_text(value, field="f", label="Het veld", max_length=max_length, required=required)


@given(PLAIN, st.integers(1, 60))
def test_plain_text_is_stripped_or_refused_for_length_or_emptiness(value, max_length):
    stripped = value.strip()
    if not stripped:
        with pytest.raises(DomainError, match="verplicht"):
            _clean(value, max_length=max_length)
        assert _clean(value, max_length=max_length, required=False) == ""
    elif len(stripped) > max_length:
        with pytest.raises(DomainError, match=f"maximaal {max_length} tekens"):
            _clean(value, max_length=max_length)
    else:
        assert _clean(value, max_length=max_length) == stripped


@given(PLAIN, TAGS, PLAIN)
def test_markup_anywhere_is_refused(before, tag, after):
    value = f"{before}{tag}{after}"
    assume(value.strip() and len(value.strip()) <= 500)
    with pytest.raises(DomainError) as exc:
        _clean(value, max_length=500)
    assert exc.value.field == "f"
    assert exc.value.message == "Het veld bevat HTML of script; gebruik gewone tekst."
    assert contains_markup(value)


@given(st.text(max_size=80))
def test_accepted_text_never_carries_markup_and_is_idempotent(value):
    try:
        cleaned = _clean(value, max_length=80, required=False)
    except DomainError:
        return
    assert not contains_markup(cleaned)
    # no tag as a browser reads it, and no spaced opener closed again (issue 11: a bare "<" before
    # a word, as in "binnen < twee weken", is a comparison, not markup)
    assert not re.search(r"</?[a-zA-Z!]", cleaned)
    assert not re.search(r"<\s*/?\s+[a-zA-Z][^<>]*>", cleaned)
    assert cleaned == cleaned.strip()
    assert _clean(cleaned, max_length=80, required=False) == cleaned


@pytest.mark.parametrize(
    "value",
    [
        "score < 5",
        "3 > 2",
        "GAF-score=40",
        "zie: dossier",
        "a <= b",
        "e-mail@x.nl",
        "binnen < twee weken",
        "wachttijd < 6 weken, liefst < een maand",
    ],
)
def test_ordinary_clinical_text_is_accepted(value):
    assert _clean(value) == value


@pytest.mark.parametrize("value", ["Aantal contactpersonen = 3", "respons=goed", "conditie=matig"])
def test_plain_words_ending_in_an_equals_sign_are_accepted(value):
    assert _clean(value) == value


def test_length_is_counted_after_stripping():
    assert _clean("  " + "a" * 50 + "  ") == "a" * 50
    with pytest.raises(DomainError, match=r"\(nu 51\)"):
        _clean("a" * 51)


# --- dates -------------------------------------------------------------------------------------


@given(st.dates(), st.integers(-3650, 3650))
def test_check_past_date(today, offset):
    try:
        value = today + timedelta(days=offset)
    except OverflowError:
        return
    if value > today:
        with pytest.raises(DomainError, match="toekomst"):
            check_past_date(value, field="d", label="De datum", today=today)
    else:
        check_past_date(value, field="d", label="De datum", today=today)


def test_check_past_date_before_birth():
    with pytest.raises(DomainError, match="vóór de geboortedatum") as exc:
        check_past_date(
            date(1999, 12, 31),
            field="start",
            label="De start",
            today=date(2026, 1, 1),
            not_before=date(2000, 1, 1),
        )
    assert exc.value.field == "start"
    check_past_date(
        date(2000, 1, 1), field="s", label="S", today=date(2026, 1, 1), not_before=date(2000, 1, 1)
    )
