"""Benchmark: searching the sociale kaart at the issue's scale (5,000 organisations, 20,000 offers).

Times Vangnet's own search (`vangnet.directory.selectors.search`: filters, count and the first
page of 20 with their rows, through the ORM, as the search page and the API run it) against a
named peer at its best, on the same generated data, in the same run:

* **free text** — peer: SQLite FTS5 (Python's built-in sqlite3, an in-memory FTS5 table with the
  same search text, `MATCH` with a count and the top 20 by bm25). Vangnet runs on the database
  of `DATABASE_URL` (PostgreSQL full text with the GIN index of migration 0003; on SQLite the
  `LIKE` fallback).
* **distance** — peer: NumPy, vectorised haversine over all location points plus `argpartition`
  for the 20 nearest within the radius (the data already in memory, so no database at all).
  Vangnet orders by the equirectangular approximation in SQL and computes haversine for the page.

Each query gets one warm-up call; the reported time is the median of interleaved rounds. Hit
counts are reported for both: they can differ where the semantics differ (PostgreSQL's Dutch
stemming and SQLite's substring fallback find `verslavingszorg` for `verslaving`, FTS5 tokens do
not); the distance counts must agree up to the approximation at the radius' edge. Writes
`bench/results/sociale_kaart.json`.

Usage: ``DATABASE_URL=postgres://…/name uv run python bench/sociale_kaart.py [--small]``; the
script creates and drops a test database (``test_<name>``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vangnet.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

WORDS = [
    "psychose",
    "verslaving",
    "depressie",
    "angst",
    "trauma",
    "eetstoornis",
    "autisme",
    "behandeling",
    "begeleiding",
    "wonen",
    "jongeren",
    "ouderen",
    "groep",
    "kliniek",
    "ambulant",
    "schulden",
    "herstel",
    "crisis",
    "gezin",
    "werk",
    "dagbesteding",
    "ervaring",
]


def generate(n_orgs: int, n_offers: int, seed: int = 20261201) -> dict[str, Any]:
    from vangnet.accounts.models import Membership, Role, User
    from vangnet.directory.models import (
        Access,
        Location,
        MunicipalityPoint,
        Offer,
        OfferFinancing,
        OfferKind,
        Organisation,
    )
    from vangnet.regions.models import Municipality

    rng = random.Random(seed)
    points = {p.municipality_id: p for p in MunicipalityPoint.objects.all()}
    munis = list(Municipality.objects.all())
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisatie {i} {rng.choice(WORDS)}") for i in range(n_orgs)
    )
    now = timezone.now()
    locations = []
    for org in orgs:
        for j in range(2):
            m = rng.choice(munis)
            p = points[m.pk]
            locations.append(
                Location(
                    organisation=org,
                    name=f"Locatie {j} {m.name}",
                    municipality=m,
                    address="Straat 1",
                    postcode="1000 AA",
                    latitude=p.latitude,
                    longitude=p.longitude,
                    confirmed_at=now,
                )
            )
    locations = Location.objects.bulk_create(locations, batch_size=2000)
    by_id = {m.pk: m for m in munis}
    offers = []
    kinds, financing = OfferKind.values, OfferFinancing.values
    for i in range(n_offers):
        loc = rng.choice(locations)
        words = " ".join(rng.sample(WORDS, 4))
        name = f"Aanbod {i} {words.split()[0]}"
        kind = rng.choice(kinds)
        text = " ".join(
            [
                name,
                words,
                str(OfferKind(kind).label),
                loc.organisation.name,
                loc.name,
                by_id[loc.municipality_id].name,
            ]
        )
        offers.append(
            Offer(
                location=loc,
                kind=kind,
                name=name,
                description=words,
                financing=rng.choice(financing),
                access=rng.choice(Access.values),
                stated_wait_weeks=rng.choice([None, 1, 2, 4, 8, 12]),
                confirmed_at=now,
                search_text=text,
            )
        )
    Offer.objects.bulk_create(offers, batch_size=2000)
    user = User.objects.create(username="bench")
    Membership.objects.create(user=user, organisation=orgs[0], role=Role.REFERRER)
    return {"user": user}


def peer_fts5() -> sqlite3.Connection:
    from vangnet.directory.models import Offer

    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE offer USING fts5(search_text, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO offer(rowid, search_text) VALUES (?, ?)",
        Offer.objects.values_list("pk", "search_text").iterator(),
    )
    return db


def median_times(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    n_orgs, n_offers = (500, 2000) if args.small else (5000, 20000)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from vangnet.accounts.selectors import actor_for
        from vangnet.directory import selectors
        from vangnet.directory.models import MunicipalityPoint, Offer

        t0 = time.perf_counter()
        made = generate(n_orgs, n_offers)
        gen_seconds = time.perf_counter() - t0
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE directory_offer")
        actor = actor_for(made["user"])
        fts = peer_fts5()

        queries = ["psychose", "verslaving amsterdam", "eetstoornis autisme"]

        def vangnet_text(q: str) -> Callable[[], int]:
            return lambda: selectors.search(actor, selectors.SearchParams(q=q), api=True).total

        def peer_text(q: str) -> Callable[[], int]:
            match = " AND ".join(q.split())

            def run() -> int:
                count = fts.execute(
                    "SELECT count(*) FROM offer WHERE offer MATCH ?", (match,)
                ).fetchone()[0]
                fts.execute(
                    "SELECT rowid FROM offer WHERE offer MATCH ? ORDER BY bm25(offer) LIMIT 20",
                    (match,),
                ).fetchall()
                return int(count)

            return run

        origin = MunicipalityPoint.objects.select_related("municipality").get(
            municipality__code="GM0344"
        )
        rows = list(Offer.objects.values_list("pk", "location__latitude", "location__longitude"))
        offer_ids = np.array([r[0] for r in rows])
        pts = np.radians(np.array([(r[1], r[2]) for r in rows], dtype=np.float64))
        lat0, lon0 = math.radians(origin.latitude), math.radians(origin.longitude)
        max_km = 25.0

        def great_circle() -> np.ndarray:
            a = (
                np.sin((pts[:, 0] - lat0) / 2) ** 2
                + math.cos(lat0) * np.cos(pts[:, 0]) * np.sin((pts[:, 1] - lon0) / 2) ** 2
            )
            return 2 * 6371.0088 * np.arcsin(np.sqrt(a))

        def vangnet_distance() -> int:
            params = selectors.SearchParams(origin="GM0344", max_km=max_km, sort="distance")
            return selectors.search(actor, params, api=True).total

        def peer_distance() -> int:
            d = great_circle()
            near = np.flatnonzero(d <= max_km)
            offer_ids[near[np.argsort(d[near])[:20]]]
            return len(near)

        results: dict[str, Any] = {}
        for q in queries:
            v, p = vangnet_text(q)(), peer_text(q)()
            t = median_times({"vangnet": vangnet_text(q), "peer": peer_text(q)}, args.rounds)
            results[f"text:{q}"] = {
                "hits_vangnet": v,
                "hits_peer": p,
                "vangnet_ms": round(t["vangnet"] * 1000, 2),
                "peer_ms": round(t["peer"] * 1000, 2),
                "ratio_vangnet_over_peer": round(t["vangnet"] / t["peer"], 2),
            }
            print(q, results[f"text:{q}"], flush=True)
        v, p = vangnet_distance(), peer_distance()
        t = median_times({"vangnet": vangnet_distance, "peer": peer_distance}, args.rounds)
        results["distance:Utrecht 25 km"] = {
            "hits_vangnet": v,
            "hits_peer": p,
            "vangnet_ms": round(t["vangnet"] * 1000, 2),
            "peer_ms": round(t["peer"] * 1000, 2),
            "ratio_vangnet_over_peer": round(t["vangnet"] / t["peer"], 2),
        }
        print("distance", results["distance:Utrecht 25 km"], flush=True)
        # The SQL radius uses the equirectangular approximation: at most a hair's difference at
        # the border, never more than a handful of offers.
        assert abs(v - p) <= max(2, p // 100), (v, p)
        report = {
            "benchmark": "sociale_kaart",
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_at_start": os.getloadavg(),
            },
            "database": connection.vendor,
            "sizes": {"organisations": n_orgs, "locations": n_orgs * 2, "offers": n_offers},
            "generate_seconds": round(gen_seconds, 1),
            "rounds": args.rounds,
            "results": results,
        }
        out = (
            REPO
            / "bench"
            / "results"
            / ("sociale_kaart_small.json" if args.small else "sociale_kaart.json")
        )
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        del test_name


if __name__ == "__main__":
    main()
