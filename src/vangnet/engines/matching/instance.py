"""Transfer instances: the JSON format, its validation and the cost model.

JSON instance format (all distances in km on a flat map, all waits in days)::

    {
      "parameters": {                 # optional; these are the defaults
        "norm_days": 98,              # Treeknorm: 14 weeks from registration to treatment
        "handover_days": 7,           # a warm handover takes a week
        "km_cost_days": 0.1           # travel cost: 0.1 day of waiting per km
      },
      "groups": ["angst", "depressie"],            # the diagnosis groups (names)
      "locations": [
        {"id": "L1", "groups": ["angst"], "capacity": 12,
         "expected_wait_days": 35, "x_km": 10.0, "y_km": 20.5}
      ],
      "candidates": [
        {"id": "C1", "group": "angst", "current_wait_days": 80,
         "home_wait_days": 60,        # expected further wait if the candidate stays
         "x_km": 12.0, "y_km": 18.0, "radius_km": 40,
         "refuses": ["L7"]}           # optional: locations the candidate does not want
      ]
    }

Costs, in integer tenths of a day:

* transfer of candidate ``i`` to location ``j`` (allowed when ``j`` serves ``i``'s group, lies
  within ``i``'s radius and is not refused): ``10 * max(0, current_wait + handover_days +
  expected_wait - norm_days) + rint(10 * km_cost_days * km)`` - the days beyond the norm plus
  the travel cost (``rint`` rounds halves to even);
* stay: ``10 * max(0, current_wait + home_wait - norm_days)`` - the days beyond the norm at home.

Ids are strings (numbers are accepted and kept as text). Each capacity is an integer >= 0;
waits, coordinates and radii are numbers >= 0 (coordinates any sign). Every error names the
place in the file in Dutch, so a coordinator can fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from vangnet.engines.matching import _kernels
from vangnet.engines.matching.engine import INT, Problem, ProblemError

NORM_DAYS = 98
HANDOVER_DAYS = 7
KM_COST_DAYS = 0.1
MAX_GROUPS = 62  # groups are bits of an int64 per location
ABSURD_DAYS = 36_500  # a hundred years
ABSURD_CAPACITY = 1_000_000


class InstanceError(ValueError):
    """The instance file is not valid; the message says where and why, in Dutch."""


@dataclass(frozen=True)
class Parameters:
    norm_days: int = NORM_DAYS
    handover_days: int = HANDOVER_DAYS
    km_cost_days: float = KM_COST_DAYS


@dataclass(frozen=True)
class Instance:
    """Columnar instance: locations and candidates as numpy arrays (indices, not ids)."""

    groups: list[str]
    location_ids: list[str]
    loc_x: np.ndarray  # float64 km
    loc_y: np.ndarray
    loc_groups: np.ndarray  # int64 bit mask of groups served
    capacity: np.ndarray  # int64
    loc_wait: np.ndarray  # int64 days
    candidate_ids: list[str]
    cand_group: np.ndarray  # int64 group index
    cand_wait: np.ndarray  # int64 days waited so far
    home_wait: np.ndarray  # int64 days still to wait when staying
    cand_x: np.ndarray
    cand_y: np.ndarray
    radius: np.ndarray  # float64 km
    refused_ptr: np.ndarray  # int64[n + 1]: CSR of refused location indices
    refused_loc: np.ndarray
    parameters: Parameters = Parameters()

    def stay_cost(self) -> np.ndarray:
        p = self.parameters
        return 10 * np.maximum(0, self.cand_wait + self.home_wait - p.norm_days).astype(INT)

    def problem(self) -> tuple[Problem, np.ndarray]:
        """The engine's problem and the distance (km) of every option."""
        p = self.parameters
        ptr, loc, cost, km = _kernels.compatible_pairs_kernel(
            self.cand_x,
            self.cand_y,
            self.radius,
            self.cand_group,
            self.cand_wait,
            self.loc_x,
            self.loc_y,
            self.loc_groups,
            self.loc_wait,
            self.refused_ptr,
            self.refused_loc,
            np.int64(p.norm_days),
            np.int64(p.handover_days),
            np.float64(10 * p.km_cost_days),
        )
        problem = Problem(self.capacity, ptr, loc, cost, self.stay_cost())
        problem.validate()
        return problem, km


def _fail(where: str, what: str) -> InstanceError:
    return InstanceError(f"{where}: {what}")


def _number(obj: dict[str, Any], key: str, where: str, *, integer: bool, minimum: float | None,
            maximum: float | None = None) -> float:  # fmt: skip
    if key not in obj:
        raise _fail(where, f"het veld '{key}' ontbreekt")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"'{key}' moet een getal zijn, niet {json_type(value)}")
    if not math.isfinite(value):
        raise _fail(where, f"'{key}' moet een eindig getal zijn")
    if integer and value != int(value):
        raise _fail(where, f"'{key}' moet een geheel getal zijn (nu {value})")
    if minimum is not None and value < minimum:
        raise _fail(where, f"'{key}' mag niet kleiner zijn dan {minimum:g} (nu {value:g})")
    if maximum is not None and value > maximum:
        raise _fail(where, f"'{key}' is onwaarschijnlijk groot ({value:g}); maximaal {maximum:g}")
    return value


def json_type(value: Any) -> str:
    return {
        str: "tekst",
        list: "een lijst",
        dict: "een object",
        bool: "waar/onwaar",
        type(None): "leeg (null)",
    }.get(type(value), type(value).__name__)


def _ident(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise _fail(where, f"'{key}' ontbreekt of is geen tekst")
    return str(value)


def _list(obj: dict[str, Any], key: str, where: str, *, required: bool = True) -> list[Any]:
    if key not in obj and not required:
        return []
    value = obj.get(key)
    if not isinstance(value, list):
        raise _fail(where, f"'{key}' moet een lijst zijn")
    return value


def instance_from_json(data: Any) -> Instance:
    """Validate a parsed JSON document and build the instance (raises :class:`InstanceError`)."""
    if not isinstance(data, dict):
        raise InstanceError(
            "Het bestand moet één JSON-object zijn met groups, locations en candidates."
        )
    raw_params = data.get("parameters", {})
    if not isinstance(raw_params, dict):
        raise _fail("parameters", "moet een object zijn")
    unknown = set(raw_params) - {"norm_days", "handover_days", "km_cost_days"}
    if unknown:
        raise _fail("parameters", f"onbekend veld '{sorted(unknown)[0]}'")
    params = Parameters(
        norm_days=int(_number({"norm_days": NORM_DAYS, **raw_params}, "norm_days", "parameters",
                              integer=True, minimum=0, maximum=ABSURD_DAYS)),
        handover_days=int(_number({"handover_days": HANDOVER_DAYS, **raw_params}, "handover_days",
                                  "parameters", integer=True, minimum=0, maximum=ABSURD_DAYS)),
        km_cost_days=float(_number({"km_cost_days": KM_COST_DAYS, **raw_params}, "km_cost_days",
                                   "parameters", integer=False, minimum=0, maximum=100)),
    )  # fmt: skip

    groups = _list(data, "groups", "groups")
    if not groups or not all(isinstance(g, str) and g for g in groups):
        raise _fail("groups", "geef de diagnosegroepen als een niet-lege lijst van namen")
    if len(set(groups)) != len(groups):
        raise _fail("groups", "een diagnosegroep staat er twee keer in")
    if len(groups) > MAX_GROUPS:
        raise _fail("groups", f"hoogstens {MAX_GROUPS} diagnosegroepen")
    group_index = {g: i for i, g in enumerate(groups)}

    def group_of(name: Any, where: str) -> int:
        if not isinstance(name, str) or name not in group_index:
            raise _fail(where, f"onbekende diagnosegroep {name!r} (niet in 'groups')")
        return group_index[name]

    locations = _list(data, "locations", "locations")
    loc_ids: list[str] = []
    loc_index: dict[str, int] = {}
    lx, ly, lg, cap, lw = [], [], [], [], []
    for j, raw in enumerate(locations):
        where = f"locations[{j}]"
        if not isinstance(raw, dict):
            raise _fail(where, "moet een object zijn")
        ident = _ident(raw, "id", where)
        if ident in loc_index:
            raise _fail(where, f"locatie '{ident}' staat er twee keer in")
        loc_index[ident] = j
        loc_ids.append(ident)
        served = _list(raw, "groups", where)
        mask = 0
        for name in served:
            mask |= 1 << group_of(name, f"{where}.groups")
        lg.append(mask)
        cap.append(int(_number(raw, "capacity", where, integer=True, minimum=0,
                               maximum=ABSURD_CAPACITY)))  # fmt: skip
        lw.append(int(_number(raw, "expected_wait_days", where, integer=True, minimum=0,
                              maximum=ABSURD_DAYS)))  # fmt: skip
        lx.append(_number(raw, "x_km", where, integer=False, minimum=None))
        ly.append(_number(raw, "y_km", where, integer=False, minimum=None))

    candidates = _list(data, "candidates", "candidates")
    cand_ids: list[str] = []
    seen: set[str] = set()
    cg, cw, hw, cx, cy, rad = [], [], [], [], [], []
    rptr = [0]
    rloc: list[int] = []
    for i, raw in enumerate(candidates):
        where = f"candidates[{i}]"
        if not isinstance(raw, dict):
            raise _fail(where, "moet een object zijn")
        ident = _ident(raw, "id", where)
        if ident in seen:
            raise _fail(where, f"kandidaat '{ident}' staat er twee keer in")
        seen.add(ident)
        cand_ids.append(ident)
        cg.append(group_of(raw.get("group"), f"{where}.group"))
        cw.append(int(_number(raw, "current_wait_days", where, integer=True, minimum=0,
                              maximum=ABSURD_DAYS)))  # fmt: skip
        hw.append(int(_number(raw, "home_wait_days", where, integer=True, minimum=0,
                              maximum=ABSURD_DAYS)))  # fmt: skip
        cx.append(_number(raw, "x_km", where, integer=False, minimum=None))
        cy.append(_number(raw, "y_km", where, integer=False, minimum=None))
        rad.append(_number(raw, "radius_km", where, integer=False, minimum=0, maximum=10_000))
        refused = set()
        for name in _list(raw, "refuses", where, required=False):
            if (
                isinstance(name, bool)
                or not isinstance(name, str | int)
                or str(name) not in loc_index
            ):
                raise _fail(f"{where}.refuses", f"onbekende locatie {name!r}")
            refused.add(loc_index[str(name)])
        rloc.extend(sorted(refused))
        rptr.append(len(rloc))

    f64 = np.float64
    return Instance(
        groups=list(groups),
        location_ids=loc_ids,
        loc_x=np.array(lx, f64),
        loc_y=np.array(ly, f64),
        loc_groups=np.array(lg, INT),
        capacity=np.array(cap, INT),
        loc_wait=np.array(lw, INT),
        candidate_ids=cand_ids,
        cand_group=np.array(cg, INT),
        cand_wait=np.array(cw, INT),
        home_wait=np.array(hw, INT),
        cand_x=np.array(cx, f64),
        cand_y=np.array(cy, f64),
        radius=np.array(rad, f64),
        refused_ptr=np.array(rptr, INT),
        refused_loc=np.array(rloc, INT),
        parameters=params,
    )


def solve_instance(instance: Instance) -> dict[str, Any]:
    """Solve and report as a JSON-ready dict: objective, assignment and checked certificate."""
    from vangnet.engines.matching.certificate import check_certificate
    from vangnet.engines.matching.engine import solve

    problem, km = instance.problem()
    try:
        solution = solve(problem)
    except ProblemError as exc:  # pragma: no cover - the instance checks come first
        raise InstanceError(str(exc)) from None
    check = check_certificate(problem, solution.location, solution.prices)
    owner_start = problem.ptr
    assignment = []
    for i, ident in enumerate(instance.candidate_ids):
        j = int(solution.location[i])
        row: dict[str, Any] = {
            "candidate": ident,
            "location": instance.location_ids[j] if j >= 0 else None,
            "cost": int(solution.cost[i]),
            "stay_cost": int(problem.stay[i]),
        }
        if j >= 0:
            lo, hi = int(owner_start[i]), int(owner_start[i + 1])
            e = lo + int(np.searchsorted(problem.loc[lo:hi], j))
            row["km"] = round(float(km[e]), 1)
        assignment.append(row)
    return {
        "objective": solution.objective,
        "objective_unit": "tiende dag",
        "transfers": solution.transfers,
        "stays": instance_size(instance) - solution.transfers,
        "assignment": assignment,
        "certificate": {
            "kind": "duale prijzen per locatie (geschaald)",
            "scale": solution.scale,
            "transfer_tiebreak": 1,
            "prices": {instance.location_ids[j]: int(p) for j, p in enumerate(solution.prices)},
            "primal_scaled": check.primal_scaled,
            "dual_scaled": check.dual_scaled,
            "checked": check.ok,
        },
    }


def instance_size(instance: Instance) -> int:
    return len(instance.candidate_ids)
