"""Seeded synthetic instances: the national bench instance and small random ones for tests.

National instance (issue 14): 1,500 locations uniformly in a 300 × 200 km area, each serving
1-4 of 10 diagnosis groups, free capacity 5-40, expected wait 2-20 weeks; 50,000 candidates
uniformly in the same area with a group, a current wait drawn from an exponential distribution
(mean 10 weeks), a travel radius of 35-60 km and an expected further wait at home of 4-30 weeks
(they wait where the norm is breached). About 1.8 M compatible pairs.
"""

from __future__ import annotations

import numpy as np

from vangnet.engines.matching.instance import Instance, Parameters

INT = np.int64


def national_instance(
    seed: int = 14,
    *,
    n_locations: int = 1_500,
    n_candidates: int = 50_000,
    width_km: float = 300.0,
    height_km: float = 200.0,
    n_groups: int = 10,
    refusal_rate: float = 0.0,
) -> Instance:
    rng = np.random.default_rng(seed)
    m, n = n_locations, n_candidates
    loc_x = rng.uniform(0, width_km, m)
    loc_y = rng.uniform(0, height_km, m)
    loc_groups = np.zeros(m, INT)
    n_served = rng.integers(1, 5, m)
    for j in range(m):
        for g in rng.choice(n_groups, size=min(n_served[j], n_groups), replace=False):
            loc_groups[j] |= 1 << int(g)
    capacity = rng.integers(5, 41, m).astype(INT)
    loc_wait = 7 * rng.integers(2, 21, m).astype(INT)
    cand_x = rng.uniform(0, width_km, n)
    cand_y = rng.uniform(0, height_km, n)
    cand_group = rng.integers(0, n_groups, n).astype(INT)
    cand_wait = np.rint(rng.exponential(70.0, n)).astype(INT)
    radius = rng.uniform(35.0, 60.0, n)
    home_wait = rng.integers(28, 211, n).astype(INT)
    # Optional refusals: each candidate refuses a location with this probability (tests).
    refused = [
        np.flatnonzero(rng.random(m) < refusal_rate) if refusal_rate else np.empty(0, INT)
        for _ in range(n)
    ]
    refused_ptr = np.zeros(n + 1, INT)
    np.cumsum([len(r) for r in refused], out=refused_ptr[1:])
    return Instance(
        groups=[f"groep-{g + 1}" for g in range(n_groups)],
        location_ids=[f"L{j + 1}" for j in range(m)],
        loc_x=loc_x,
        loc_y=loc_y,
        loc_groups=loc_groups,
        capacity=capacity,
        loc_wait=loc_wait,
        candidate_ids=[f"C{i + 1}" for i in range(n)],
        cand_group=cand_group,
        cand_wait=cand_wait,
        home_wait=home_wait,
        cand_x=cand_x,
        cand_y=cand_y,
        radius=radius,
        refused_ptr=refused_ptr,
        refused_loc=np.concatenate(refused).astype(INT) if n else np.empty(0, INT),
        parameters=Parameters(),
    )
