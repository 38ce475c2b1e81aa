"""Pseudonymisation at the source: the provider replaces each BSN by a keyed pseudonym.

Runs at the provider (`python -m vangnet waitlists pseudonymise --key-file KEY IN.csv OUT.csv`);
Vangnet never receives a BSN. All providers of a region use the same key, so the same person gets
the same pseudonym at every provider and can be counted once across waiting lists.

* Pseudonym = ``<key version>:<HMAC-SHA256(key, DOMAIN + BSN) as 64 hex digits>``. The domain
  label keeps these pseudonyms apart from any other use of the same key; the version prefix lets
  a region rotate its key (pseudonyms of different versions never match, and the import can tell
  which key a file used).
* The key file is a text file with one line ``<version>:<secret as hex>`` (at least 32 bytes of
  secret); lines starting with ``#`` are comments. `waitlists keygen` writes one.
* An invalid BSN (not 9 digits or failing the 11-proef) is reported by line and never
  pseudonymised: its row is left out of the output, the other rows are written, and the command
  exits with status 1 so a script notices. With ``--strict`` nothing is written while any BSN is
  invalid. Messages give the line number only, never the value. An 8-digit value is read as a
  BSN whose leading zero was dropped by a spreadsheet.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vangnet.common.csvtext import csv_error_message
from vangnet.common.validators import is_valid_bsn

DOMAIN = b"vangnet/waitlists/person/v1\x00"
_VERSION = re.compile(r"^[a-z0-9]{1,8}$")
_PSEUDONYM = re.compile(r"^[a-z0-9]{1,8}:[0-9a-f]{64}$")
MIN_SECRET_BYTES = 32


class KeyFileError(ValueError):
    """The key file is missing, unreadable or malformed (message in Dutch)."""


@dataclass(frozen=True)
class PseudonymKey:
    version: str
    secret: bytes = field(repr=False)

    def pseudonym(self, bsn: str) -> str:
        """The pseudonym of a valid, normalised BSN (call `normalise_bsn` first)."""
        digest = hmac.new(self.secret, DOMAIN + bsn.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{self.version}:{digest}"


def parse_key(text: str) -> PseudonymKey:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1 or ":" not in lines[0]:
        raise KeyFileError(
            "Het sleutelbestand moet precies één regel '<versie>:<sleutel in hex>' bevatten."
        )
    version, _, hex_secret = lines[0].partition(":")
    if not _VERSION.fullmatch(version):
        raise KeyFileError("De sleutelversie moet 1 tot 8 kleine letters of cijfers zijn.")
    try:
        secret = bytes.fromhex(hex_secret)
    except ValueError:
        raise KeyFileError("De sleutel is geen geldige hexadecimale tekenreeks.") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise KeyFileError(f"De sleutel is te kort: gebruik minstens {MIN_SECRET_BYTES} bytes.")
    return PseudonymKey(version=version, secret=secret)


def load_key(path: str | Path) -> PseudonymKey:
    try:
        text = Path(path).read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(f"Sleutelbestand {path} bestaat niet.") from None
    except (OSError, UnicodeDecodeError):
        raise KeyFileError(f"Sleutelbestand {path} is niet leesbaar.") from None
    return parse_key(text)


def generate_key(version: str) -> str:
    if not _VERSION.fullmatch(version):
        raise KeyFileError("De sleutelversie moet 1 tot 8 kleine letters of cijfers zijn.")
    return f"{version}:{secrets.token_hex(MIN_SECRET_BYTES)}\n"


def write_new_key(path: str | Path, version: str) -> None:
    """Create a key file readable by its owner only; never overwrite an existing key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("# Vangnet pseudonimiseringssleutel: geheim houden, delen binnen de regio\n")
        fh.write(generate_key(version))


def normalise_bsn(value: str) -> str | None:
    """The 9-digit BSN, or None when the value is not a valid BSN."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if re.fullmatch(r"\d{8}", digits):
        digits = "0" + digits
    return digits if is_valid_bsn(digits) else None


def looks_like_bsn(value: str) -> bool:
    """True for values an importer must refuse as a person identifier: a valid BSN, also with
    separators or without its leading zero."""
    return normalise_bsn(value) is not None


def looks_like_pseudonym(value: str) -> bool:
    return bool(_PSEUDONYM.fullmatch(value))


@dataclass
class PseudonymiseReport:
    rows: int = 0
    written: int = 0
    invalid_lines: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.invalid_lines


def _sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def pseudonymise_rows(
    lines: Iterable[str], key: PseudonymKey, report: PseudonymiseReport
) -> Iterator[list[str]]:
    """Yield the output rows (header first); invalid BSNs are counted in `report`, not yielded."""
    it = iter(lines)
    first = next(it, None)
    if first is None:
        raise ValueError("Het invoerbestand is leeg.")
    delimiter = _sniff_delimiter(first)
    reader = csv.reader(_chain(first, it), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except csv.Error as exc:
        raise ValueError(f"Regel 1: {csv_error_message(exc)}.") from None
    if "bsn" not in header:
        raise ValueError("Het invoerbestand heeft geen kolom 'bsn'.")
    if "person_pseudonym" in header:
        raise ValueError("Het invoerbestand heeft al een kolom 'person_pseudonym'.")
    col = header.index("bsn")
    yield [*header[:col], "person_pseudonym", *header[col + 1 :]]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"Regel {reader.line_num}: {csv_error_message(exc)}.") from None
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        bsn = normalise_bsn(row[col]) if col < len(row) else None
        if bsn is None:
            report.invalid_lines.append(reader.line_num)
            continue
        report.written += 1
        yield [*row[:col], key.pseudonym(bsn), *row[col + 1 :]]


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def pseudonymise_file(
    source: str | Path, target: str | Path, key: PseudonymKey, *, strict: bool = False
) -> PseudonymiseReport:
    """Pseudonymise a CSV file. Rows with an invalid BSN are left out and listed in the report
    (`invalid_lines`); with `strict`, nothing is written while any BSN is invalid."""
    report = PseudonymiseReport()
    tmp = Path(f"{target}.tmp")
    try:
        with (
            Path(source).open(encoding="utf-8-sig", newline="") as fh,
            tmp.open("w", encoding="utf-8", newline="") as out,
        ):
            writer = csv.writer(out, lineterminator="\n")
            for row in pseudonymise_rows(fh, key, report):
                writer.writerow(row)
    except UnicodeDecodeError:
        tmp.unlink(missing_ok=True)
        raise ValueError(
            "Het invoerbestand is geen UTF-8-tekst; sla het op als CSV UTF-8."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if report.invalid_lines and strict:
        tmp.unlink()
        return report
    tmp.replace(target)
    return report
