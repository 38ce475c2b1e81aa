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


def test_file_replaces_bsn_column_leaves_out_and_reports_invalid_lines(tmp_path):
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
    assert (report.rows, report.written, report.invalid_lines) == (4, 2, [3, 5])
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "provider_agb,person_pseudonym,diagnosis_group"
    p = KEY_1.pseudonym(BSN)
    assert lines[1:] == [f"11111111,{p},angst", f"22222222,{p},depressief"]
    assert BSN not in target.read_text(encoding="utf-8")
    assert "123456789" not in target.read_text(encoding="utf-8")


def test_strict_writes_nothing_while_a_bsn_is_invalid(tmp_path):
    source = write(tmp_path / "in.csv", f"bsn,x\n{BSN},1\n123456789,2\n")
    target = tmp_path / "out.csv"
    report = pseudonymise_file(source, target, KEY_1, strict=True)
    assert report.invalid_lines == [3] and not report.ok
    assert not target.exists() and not (tmp_path / "out.csv.tmp").exists()
    good = write(tmp_path / "good.csv", f"bsn,x\n{BSN},1\n")
    assert pseudonymise_file(good, target, KEY_1, strict=True).ok
    assert target.read_text().splitlines()[1] == f"{KEY_1.pseudonym(BSN)},1"


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
    out = tmp_path / "o.csv"
    args = ["waitlists", "pseudonymise", "--key-file", str(key)]
    # Default: the valid rows are written, the invalid line is reported and the status is 1.
    with pytest.raises(CommandError, match="1 regel\\(s\\) met een ongeldig BSN zijn niet") as exc:
        call_command(*args, str(source), str(out))
    assert exc.value.returncode == 1
    captured = capsys.readouterr()
    assert "regel 3: ongeldig BSN" in captured.err
    assert "1 van 2 regels gepseudonimiseerd" in captured.out
    assert "999999999" not in captured.err + captured.out  # the value itself is never repeated
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and lines[1].startswith("r7:") and lines[1].endswith(",1")
    # --strict: nothing is written.
    out.unlink()
    with pytest.raises(CommandError, match="er is niets geschreven"):
        call_command(*args, "--strict", str(source), str(out))
    assert "regel 3: ongeldig BSN" in capsys.readouterr().err
    assert not out.exists()
    # A file without invalid BSNs succeeds either way.
    good = write(tmp_path / "good.csv", f"bsn,x\n{BSN},1\n")
    call_command(*args, "--strict", str(good), str(out))
    assert out.read_text().splitlines()[1].startswith("r7:")
