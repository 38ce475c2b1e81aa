"""Finds text in the monitor's open answers that could identify a patient.

The seed (Bijlage 2, Q10) asks for nothing traceable to the patient. We look for the things that
most often make a text traceable: a name, a date, a number that passes the 11-proef (a BSN),
a postcode, and — cheap to add — phone numbers and e-mail addresses. The questionnaire warns
and lets the coordinator save anyway or edit; the import refuses such a line.

The name check is deliberately narrow (a title or initials before a capitalised word, a
capitalised word + tussenvoegsel + capitalised word, or a common Dutch given name), so that
organisation and place names in ordinary clinical prose are not flagged all the time. It is a
safety net, not a guarantee; the coordinator's judgement remains the control.

Plain Python (no Django).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vangnet.common.validators import is_valid_bsn

KIND_LABELS = {
    "name": "een naam",
    "date": "een datum",
    "bsn": "een nummer dat de 11-proef doorstaat (BSN)",
    "postcode": "een postcode",
    "phone": "een telefoonnummer",
    "email": "een e-mailadres",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    fragment: str

    @property
    def message(self) -> str:
        return f"lijkt {KIND_LABELS[self.kind]} te bevatten: ‘{self.fragment}’"


_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_CAP_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_TUSSEN = r"(?:van der|van den|van de|van|de|der|den|ter|ten|te|in 't|'t|op de|uit den|el|al)"

_TITLE_NAME = re.compile(
    rf"\b(?:mevrouw|mevr\.|mw\.|meneer|mijnheer|dhr\.|de heer|mr\.|dr\.|drs\.|ir\.)\s+"
    rf"(?:(?:[{_UPPER}]\.)+\s*)?(?:{_TUSSEN}\s+)?{_CAP_WORD}",
    re.IGNORECASE,
)
_INITIALS_NAME = re.compile(rf"\b(?:[{_UPPER}]\.){{1,4}}\s?(?:{_TUSSEN}\s+)?{_CAP_WORD}")
_TUSSEN_NAME = re.compile(rf"{_CAP_WORD}\s+{_TUSSEN}\s+{_CAP_WORD}")
_CAP_START = re.compile(rf"\b[{_UPPER}]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;(\n])\s*$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent given names in the Netherlands (several generations); a capitalised match is flagged.
_GIVEN_NAMES = _words(
    """
    Jan Johannes Hendrik Henk Cornelis Kees Pieter Piet Willem Wim Gerrit Jacob Jacobus Klaas
    Dirk Peter Johan Hans Marco Mark Martin Erik Eric Frank Paul Robert Richard Michel Dennis
    Thomas Daan Sem Lucas Levi Finn Bram Luuk Jesse Ruben Tim Tom Bas Niels Stefan Sander
    Mohammed Mohamed Ahmed Ali Youssef Mustafa Ibrahim Omar Hamza
    Maria Anna Johanna Cornelia Elisabeth Wilhelmina Hendrika Geertje Grietje Aaltje Neeltje
    Anja Ingrid Monique Marja Petra Sandra Linda Esther Marieke Sanne Lisa Emma Julia Sophie
    Tess Anouk Fleur Femke Lotte Eva Iris Sara Sarah Noor Fatima Fatma Aisha Yasmina Nadia
    Kim Laura Lieke Manon Marloes Mirjam Nicole Patricia Saskia Wendy Yvonne
    """
)
# "Universiteit van Amsterdam", "Gemeente de Bilt": institutions, not people.
_INSTITUTION_WORDS = _words(
    """
    Universiteit Centrum Stichting Gemeente Provincie Ministerie Huis Kliniek Ziekenhuis
    Afdeling Regio Zorg Raad Dienst Hogeschool Vereniging Instituut Praktijk Team Unit Kantoor
    Politie Reclassering Veiligheidshuis Zorgverzekeraar Inspectie Rechtbank Wijk Stad
    """
)
_WORD = re.compile(rf"\b[{_UPPER}][{_LOWER}]+\b")

_MONTHS = (
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_DATES = [
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b"),
    re.compile(r"\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b"),
    re.compile(rf"\b\d{{1,2}}\s*(?:{_MONTHS})\.?(?:\s+(?:19|20)?\d{{2}})?\b", re.IGNORECASE),
    re.compile(r"\bgeb(?:oren|\.)?\s*(?:in|op)?\s*(?:19|20)\d{2}\b", re.IGNORECASE),
    # A month and a year without a day ("maart 2019", "mrt. 2019", "okt '19").
    re.compile(rf"\b(?:{_MONTHS})\.?\s*(?:(?:19|20)\d{{2}}\b|['’]\d{{2}}\b)", re.IGNORECASE),
]
_NUMBER = re.compile(r"(?<![\d])\d(?:[\d .\-]{6,12})\d(?![\d])")
# Letters SA, SD and SS are never issued (in any case). Written in lower case, "2019 en" or
# "500 mg" is far more often a year or a dose than a postcode, so common two-letter words and
# units are not taken for postcode letters unless they are written in capitals.
_POSTCODE = re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)([A-Z]{2})\b", re.IGNORECASE)
NOT_POSTCODE_IN_LOWER_CASE = _words(
    """
    af al de en er in is je ja ik me na nu of om op te we ze zo
    ma di wo do vr za
    mg ml cl dl cm mm km kg gr cc ca pp kb mb gb
    an as at be by if it no on or so to up us
    """
)
_PHONE = re.compile(r"(?:\+31|0031|\b0)[\s\-]?(?:\d[\s\-]?){9}\b")
_EMAIL = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")


def find_identifying(text: str) -> list[Finding]:
    """Every fragment of `text` that looks identifying, in order of appearance, no duplicates."""
    if not text:
        return []
    spans: list[tuple[int, int, str]] = []

    def add(start: int, kind: str, fragment: str) -> None:
        spans.append((start, start + len(fragment), kind))

    for m in _EMAIL.finditer(text):
        add(m.start(), "email", m.group())
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if (len(digits) == 9 and is_valid_bsn(digits)) or (
            len(digits) == 8 and is_valid_bsn("0" + digits)
        ):
            add(m.start(), "bsn", m.group())
    for m in _PHONE.finditer(text):
        add(m.start(), "phone", m.group())
    for m in _POSTCODE.finditer(text):
        letters = m.group(1)
        if not letters.isupper() and letters.lower() in NOT_POSTCODE_IN_LOWER_CASE:
            continue
        add(m.start(), "postcode", m.group())
    for pattern in _DATES:
        for m in pattern.finditer(text):
            add(m.start(), "date", m.group())
    for m in _TITLE_NAME.finditer(text):
        add(m.start(), "name", m.group())
    for m in _INITIALS_NAME.finditer(text):
        add(m.start(), "name", m.group())
    # Tried at every capitalised word, so "Casus van Jan de Vries" still finds "Jan de Vries".
    # A sentence's first word is usually an ordinary word ("Opname van Arkin"), so it is skipped.
    for w in _CAP_START.finditer(text):
        hit = _TUSSEN_NAME.match(text, w.start())
        if (
            hit
            and not _SENTENCE_START.search(text[: w.start()])
            and hit.group().split()[0] not in _INSTITUTION_WORDS
        ):
            add(hit.start(), "name", hit.group())
    for m in _WORD.finditer(text):
        if m.group() in _GIVEN_NAMES:
            add(m.start(), "name", m.group())
    # A fragment inside a longer one of the same kind ("Jan" in "Jan de Vries") adds nothing.
    kept = [
        (a, b, kind)
        for a, b, kind in spans
        if not any(k == kind and c <= a and b <= d and (c, d) != (a, b) for c, d, k in spans)
    ]
    out: list[Finding] = []
    for a, b, kind in sorted(set(kept)):
        finding = Finding(kind, text[a:b].strip())
        if finding not in out:
            out.append(finding)
    return out


_TUSSEN_WORDS = _words("van der den de te ten ter in t 't op uit el al la le von zu")


def find_name_parts(text: str, name: str) -> list[Finding]:
    """The patient's own name parts in `text`, in any case ("vries", "JAN"): the general check only
    finds names that look like names, and the one name that must never reach the monitor is known.
    Tussenvoegsels ("de", "van") and single letters are ordinary words, not name parts."""
    if not text or not name:
        return []
    parts = {
        p
        for p in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", name)
        if len(p) > 1 and p.lower() not in _TUSSEN_WORDS
    }
    found: list[Finding] = []
    for m in sorted(
        (
            m
            for p in parts
            for m in re.finditer(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.IGNORECASE)
        ),
        key=lambda m: m.start(),
    ):
        finding = Finding("name", m.group())
        if finding not in found:
            found.append(finding)
    return found
