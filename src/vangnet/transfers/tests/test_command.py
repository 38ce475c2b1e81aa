"""`python -m vangnet transfers solve INSTANCE.json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from vangnet.engines.matching import check_certificate, instance_from_json

REPO = Path(__file__).resolve().parents[4]
EXAMPLE = REPO / "docs" / "examples" / "transfers-instance.json"


def run(*args: str) -> str:
    out = StringIO()
    call_command("transfers", *args, stdout=out)
    return out.getvalue()


def test_solve_prints_objective_assignment_and_a_certificate_anyone_can_check() -> None:
    result = json.loads(run("solve", str(EXAMPLE)))
    assert result["objective"] == 3138
    assert [row["location"] for row in result["assignment"]] == [
        "utrecht-centrum", "amersfoort", None, None,
    ]  # fmt: skip
    # Re-check the printed certificate from the file alone, as an outsider would.
    instance = instance_from_json(json.loads(EXAMPLE.read_text()))
    problem, _ = instance.problem()
    index = {ident: j for j, ident in enumerate(instance.location_ids)}
    location = np.array([index.get(row["location"], -1) for row in result["assignment"]])
    prices = np.array([result["certificate"]["prices"][ident] for ident in instance.location_ids])
    assert check_certificate(problem, location, prices).ok
    prices[0] += 1
    assert not check_certificate(problem, location, prices).ok


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{kapot", "geen geldige JSON (regel 1, kolom 2)"),
        (
            json.dumps({"groups": ["a"], "candidates": [], "locations": [
                {"id": "L", "groups": ["a"], "capacity": -2, "expected_wait_days": 7,
                 "x_km": 0, "y_km": 0}]}),
            "Ongeldige instantie: locations[0]: 'capacity' mag niet kleiner zijn dan 0",
        ),
        (
            json.dumps({"groups": ["a"], "locations": [], "candidates": [
                {"id": "C", "group": "b", "current_wait_days": 1, "home_wait_days": 1,
                 "x_km": 0, "y_km": 0, "radius_km": 5}]}),
            "onbekende diagnosegroep 'b'",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_status_2(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "instance.json"
    path.write_text(content)
    with pytest.raises(CommandError) as info:
        run("solve", str(path))
    assert words in str(info.value)
    assert info.value.returncode == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Kan .* niet lezen") as info:
        run("solve", str(tmp_path / "weg.json"))
    assert info.value.returncode == 2


def test_command_line_exit_status_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    path.write_text('{"groups": ["a"], "locations": [], "candidates": [{"id": 1}]}')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vangnet.settings.test"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
        [sys.executable, "-m", "vangnet", "transfers", "solve", str(path)],
        capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "candidates[0].group: onbekende diagnosegroep None" in done.stderr
    assert done.stdout == ""
