"""The pseudonymiser that runs at the provider: keyed, versioned, never leaks a BSN."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from vangnet.common.validators import is_valid_bsn
from vangnet.waitlists.pseudonymise import (
    DOMAIN,
    KeyFileError,
    looks_like_bsn,
    looks_like_pseudonym,
    normalise_bsn,
    parse_key,
    pseudonymise_file,
)

KEY_1 = parse_key("v1:" + "11" * 32)
KEY_1B = parse_key("v1:" + "22" * 32)
KEY_2 = parse_key("v2:" + "11" * 32)
BSN = "111222333"  # passes the 11-proef
BSN_2 = "123456782"


def test_pseudonym_is_versioned_keyed_hmac_with_domain_label():
    expected = hmac.new(bytes.fromhex("11" * 32), DOMAIN + BSN.encode(), hashlib.sha256).hexdigest()
    assert KEY_1.pseudonym(BSN) == "v1:" + expected
    assert looks_like_pseudonym(KEY_1.pseudonym(BSN))
    # Without the domain label the digest differs: the key cannot be reused across purposes.
    assert not KEY_1.pseudonym(BSN).endswith(
        hmac.new(bytes.fromhex("11" * 32), BSN.encode(), hashlib.sha256).hexdigest()
    )


def test_same_bsn_same_pseudonym_different_key_or_bsn_differs():
    assert KEY_1.pseudonym(BSN) == parse_key("v1:" + "11" * 32).pseudonym(BSN)
    assert KEY_1.pseudonym(BSN) != KEY_1B.pseudonym(BSN)
    assert KEY_1.pseudonym(BSN) != KEY_1.pseudonym(BSN_2)
    # Rotation: a new version never collides with the old one, even with the same secret.
    assert KEY_2.pseudonym(BSN).startswith("v2:")
    assert KEY_2.pseudonym(BSN) != KEY_1.pseudonym(BSN)


@pytest.mark.parametrize(
    "text",
    ["", "v1", "v1:abc", "V1:" + "11" * 32, "v1:" + "zz" * 32, "v1:" + "11" * 16, "a:1\nb:2"],
)
def test_bad_key_files_are_refused(text):
    with pytest.raises(KeyFileError):
        parse_key(text)


def test_normalise_bsn():
    assert normalise_bsn(" 111.222.333 ") == BSN
    assert normalise_bsn("11122233") is None  # 8 digits padded to 011122233: fails the 11-proef
    assert normalise_bsn("012345672"[1:]) == "012345672"  # leading zero dropped by a spreadsheet
    assert normalise_bsn("111222334") is None
    assert normalise_bsn("000000000") is None


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_looks_like_bsn_agrees_with_the_11_proef(digits):
    assert looks_like_bsn(digits) == is_valid_bsn(digits)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_file_replaces_bsn_column_and_reports_invalid_lines(tmp_path):
    source = write(
        tmp_path / "in.csv",
        "provider_agb,bsn,diagnosis_group\n"
        f"11111111,{BSN},angst\n"
        "11111111,123456789,angst\n"  # fails the 11-proef
        f"22222222,{BSN},depressief\n"
        "22222222,,angst\n",
    )
    target = tmp_path / "out.csv"
    report = pseudonymise_file(source, target, KEY_1)
    assert (report.rows, report.invalid_lines) == (4, [3, 5])
    assert not target.exists()  # nothing is written while a BSN is invalid

    report = pseudonymise_file(source, target, KEY_1, skip_invalid=True)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "provider_agb,person_pseudonym,diagnosis_group"
    p = KEY_1.pseudonym(BSN)
    assert lines[1:] == [f"11111111,{p},angst", f"22222222,{p},depressief"]
    assert BSN not in target.read_text(encoding="utf-8")


def test_semicolon_input_and_missing_bsn_column(tmp_path):
    source = write(tmp_path / "in.csv", f"bsn;diagnosis_group\n{BSN};angst\n")
    pseudonymise_file(source, tmp_path / "out.csv", KEY_1)
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == f"{KEY_1.pseudonym(BSN)},angst"
    with pytest.raises(ValueError, match="geen kolom 'bsn'"):
        pseudonymise_file(write(tmp_path / "x.csv", "a,b\n1,2\n"), tmp_path / "y.csv", KEY_1)


def test_command_keygen_and_pseudonymise(tmp_path, capsys):
    key = tmp_path / "regio.key"
    call_command("waitlists", "keygen", str(key), "--key-version", "r7")
    assert oct(key.stat().st_mode)[-3:] == "600"
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("waitlists", "keygen", str(key))
    source = write(tmp_path / "in.csv", f"bsn,x\n{BSN},1\n999999999,2\n")
    with pytest.raises(CommandError, match="1 regel"):
        call_command(
            "waitlists",
            "pseudonymise",
            "--key-file",
            str(key),
            str(source),
            str(tmp_path / "o.csv"),
        )
    err = capsys.readouterr().err
    assert "regel 3: ongeldig BSN" in err
    assert "999999999" not in err  # the value itself is never repeated
    call_command(
        "waitlists",
        "pseudonymise",
        "--key-file",
        str(key),
        "--skip-invalid",
        str(source),
        str(tmp_path / "o.csv"),
    )
    assert (tmp_path / "o.csv").read_text().splitlines()[1].startswith("r7:")
