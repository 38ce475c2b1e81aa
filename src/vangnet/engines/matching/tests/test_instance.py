"""The JSON instance format: the cost model, and clear Dutch refusals of bad files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from vangnet.engines.matching import InstanceError, instance_from_json, solve_instance

EXAMPLE = Path(__file__).resolve().parents[5] / "docs" / "examples" / "transfers-instance.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def test_costs_follow_the_documented_model() -> None:
    instance = instance_from_json(example())
    problem, km = instance.problem()
    # K-001 (angst, waited 120, 90 more at home) at (2, 1): utrecht-centrum (0, 0) serves angst,
    # zeist (9, -3) too, both within 30 km; amersfoort does not serve angst.
    lo, hi = problem.ptr[0], problem.ptr[1]
    assert problem.loc[lo:hi].tolist() == [0, 2]
    # 10 * (120 + 7 + 21 - 98) + rint(10 * 0.1 * sqrt(5)) = 500 + 2
    assert problem.cost[lo:hi].tolist() == [502, 10 * (120 + 7 + 14 - 98) + 8]
    assert km[lo] == pytest.approx(5**0.5)
    assert problem.stay.tolist() == [10 * (120 + 90 - 98), 10 * (60 + 120 - 98), 0, 10 * 252]
    # K-002 refuses utrecht-centrum: only amersfoort is left. K-004 is too far from all.
    assert problem.loc[problem.ptr[1] : problem.ptr[2]].tolist() == [1]
    assert problem.ptr[4] == problem.ptr[3]


def test_solution_report() -> None:
    result = solve_instance(instance_from_json(example()))
    by_id = {row["candidate"]: row for row in result["assignment"]}
    assert by_id["K-001"]["location"] == "utrecht-centrum"  # zeist has no free capacity
    assert by_id["K-002"]["location"] == "amersfoort"
    assert by_id["K-003"]["location"] is None  # not beyond the norm: staying costs nothing
    assert by_id["K-004"]["location"] is None  # nothing within the radius
    assert result["objective"] == sum(row["cost"] for row in result["assignment"]) == 3138
    assert result["transfers"] == 2 and result["stays"] == 2
    certificate = result["certificate"]
    assert certificate["checked"] is True
    assert certificate["primal_scaled"] == certificate["dual_scaled"] == 3138 * 5 + 2
    assert set(certificate["prices"]) == {"utrecht-centrum", "amersfoort", "zeist"}


def mutate(path: list, value) -> dict:
    data = copy.deepcopy(example())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["locations", 0, "capacity"], -1, "locations[0]: 'capacity' mag niet kleiner zijn dan 0"),
        (["locations", 0, "capacity"], 2.5, "geheel getal"),
        (["locations", 0, "capacity"], "veel", "moet een getal zijn, niet tekst"),
        (["locations", 0, "capacity"], 10**9, "onwaarschijnlijk groot"),
        (
            ["locations", 1, "groups"],
            ["angst", "eetstoornis"],
            "onbekende diagnosegroep 'eetstoornis'",
        ),
        (["candidates", 2, "group"], "ADHD", "candidates[2].group: onbekende diagnosegroep 'ADHD'"),
        (["candidates", 1, "refuses"], ["nergens"], "onbekende locatie 'nergens'"),
        (["candidates", 0, "radius_km"], -3, "radius_km"),
        (["candidates", 0, "current_wait_days"], KeyError, "'current_wait_days' ontbreekt"),
        (["candidates", 1, "id"], "K-001", "staat er twee keer in"),
        (["locations", 2, "x_km"], float("nan"), "eindig getal"),
        (["groups"], [], "diagnosegroepen"),
        (["candidates"], {"K-1": {}}, "'candidates' moet een lijst zijn"),
        (["parameters", "norm_days"], -98, "norm_days"),
        (["parameters", "speed"], 1, "onbekend veld 'speed'"),
    ],
)
def test_bad_instances_say_where_and_why(path: list, value, words: str) -> None:
    with pytest.raises(InstanceError) as info:
        instance_from_json(mutate(path, value))
    assert words in str(info.value)


def test_not_an_object() -> None:
    with pytest.raises(InstanceError, match="één JSON-object"):
        instance_from_json([1, 2])
