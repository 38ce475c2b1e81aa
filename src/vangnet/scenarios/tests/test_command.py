"""`python -m vangnet scenarios queue`: JSON with each figure's standard error, beside theory."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _queue(*args):
    out = StringIO()
    call_command("scenarios", "queue", *args, stdout=out)
    return json.loads(out.getvalue())


def test_queue_prints_mean_wait_p_wait_abandonment_with_standard_errors():
    args = [
        "--servers",
        "4",
        "--arrival-rate",
        "3.5",
        "--service-rate",
        "1",
        "--patience-mean",
        "3",
        "--customers",
        "20000",
        "--warmup",
        "500",
        "--replications",
        "8",
        "--seed",
        "12",
    ]
    result = _queue(*args)
    for key in ("mean_wait", "p_wait", "abandonment"):
        assert set(result[key]) == {"mean", "se"}
        assert result[key]["se"] > 0
        assert abs(result[key]["mean"] - result["theory"][key]) <= 2 * result[key]["se"]
    assert result["theory"]["formula"] == "Erlang-A"
    assert result["model"]["seed"] == 12
    assert _queue(*args)["mean_wait"] == result["mean_wait"]  # reproducible


def test_queue_without_patience_is_erlang_c():
    result = _queue(
        "--servers",
        "2",
        "--arrival-rate",
        "1",
        "--service-rate",
        "1",
        "--customers",
        "5000",
        "--replications",
        "3",
        "--seed",
        "1",
    )
    assert result["theory"]["formula"] == "Erlang-C"
    assert result["abandonment"]["mean"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "abc"], "Onbekend seedformaat"),
        (["--replications", "1"], "minstens 2 replicaties"),
        (["--servers", "0"], "minstens 1"),
    ],
)
def test_bad_input_is_refused_in_dutch(args, message):
    base = {
        "--servers": "2",
        "--arrival-rate": "1",
        "--service-rate": "1",
        "--customers": "100",
        "--replications": "3",
        "--seed": "1",
    }
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    flat = [x for kv in base.items() for x in kv]
    with pytest.raises(CommandError, match=message):
        _queue(*flat)
