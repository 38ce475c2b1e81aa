"""Reads of the scenarios app, permission-checked: calibrations, saved scenarios, comparisons
and their server-rendered SVG chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from vangnet.accounts.selectors import Actor
from vangnet.common.errors import DomainError, NotFound

from . import access
from .models import Calibration, Scenario
from .workflow import Status

MAX_COMPARE = 4
COLOURS = ["#1f5f8b", "#b5471b", "#2e7d32", "#6a1b9a"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]  # so the lines differ without colour too


def scenarios(actor: Actor) -> QuerySet[Scenario]:
    access.require(actor)
    return Scenario.objects.select_related("calibration", "calibration__diagnosis_group")


def scenario(actor: Actor, pk: int) -> Scenario:
    try:
        return scenarios(actor).get(pk=pk)
    except Scenario.DoesNotExist:
        raise NotFound("Dit scenario bestaat niet.") from None


def calibration(actor: Actor, pk: int) -> Calibration:
    access.require(actor)
    try:
        return Calibration.objects.select_related("diagnosis_group").get(pk=pk)
    except Calibration.DoesNotExist:
        raise NotFound("Deze kalibratie bestaat niet.") from None


def parse_ids(raw: Sequence[str]) -> list[int]:
    """Scenario ids from the query string (?s=1&s=2 or ?s=1,2); at most four, Dutch errors."""
    ids: list[int] = []
    for part in raw:
        for piece in str(part).split(","):
            piece = piece.strip()
            if not piece:
                continue
            if not piece.isdigit():
                raise DomainError("Kies scenario's uit de lijst.", field="s")
            if int(piece) not in ids:
                ids.append(int(piece))
    if not ids:
        raise DomainError("Kies één tot vier scenario's om te vergelijken.", field="s")
    if len(ids) > MAX_COMPARE:
        raise DomainError("Vergelijk ten hoogste vier scenario's tegelijk.", field="s")
    return ids


@dataclass(frozen=True)
class Comparison:
    scenarios: list[Scenario]
    months: list[str]
    chart: dict[str, Any]
    unfinished: list[Scenario]


def compare(actor: Actor, ids: list[int]) -> Comparison:
    found = {s.pk: s for s in scenarios(actor).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("Een gekozen scenario bestaat niet.")
    chosen = [found[i] for i in ids]
    done = [s for s in chosen if s.status == Status.DONE]
    months: list[str] = []
    for s in done:
        for m in s.result["months"]:
            if m not in months:
                months.append(m)
    months.sort()
    return Comparison(done, months, chart(done, months), [s for s in chosen if s not in done])


def chart(
    items: list[Scenario], months: list[str], width: int = 640, height: int = 240
) -> dict[str, Any]:
    """Polylines (mean waiting) and polygons (95% band) per scenario, on one scale."""
    top = 1.0
    for s in items:
        top = max(top, *s.result["waiting_hi"])
    top = float(_nice(top))
    left, right, upper, lower = 48, 10, 24, 28
    n = max(len(months), 2)

    def xy(i: int, v: float) -> str:
        x = left + (width - left - right) * i / (n - 1)
        y = height - lower - (height - lower - upper) * v / top
        return f"{x:.1f},{y:.1f}"

    series = []
    for k, s in enumerate(items):
        idx = [months.index(m) for m in s.result["months"]]
        line = " ".join(xy(i, v) for i, v in zip(idx, s.result["waiting_mean"], strict=True))
        hi = [xy(i, v) for i, v in zip(idx, s.result["waiting_hi"], strict=True)]
        lo = [xy(i, v) for i, v in zip(idx, s.result["waiting_lo"], strict=True)]
        series.append(
            {
                "name": s.name,
                "colour": COLOURS[k % len(COLOURS)],
                "dash": DASHES[k % len(DASHES)],
                "line": line,
                "band": " ".join(hi + lo[::-1]),
                "legend_y": upper + 14 * k,
            }
        )
    return {
        "width": width,
        "height": height,
        "top": int(top),
        "mid": int(top / 2),
        "y_top": upper,
        "y_mid": (height - lower + upper) / 2,
        "y_base": height - lower,
        "x_left": left,
        "x_right": width - right,
        "first": months[0] if months else "",
        "last": months[-1] if months else "",
        "series": series,
    }


def _nice(v: float) -> int:
    """A round axis maximum at or above v."""
    for step in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if v <= step:
            return step
    return int(v) + 1
