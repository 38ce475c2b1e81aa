"""Municipality points from GeoNames and the haversine distance."""

from __future__ import annotations

import math

import pytest

from vangnet.directory import geo
from vangnet.directory.models import MunicipalityPoint
from vangnet.regions.models import Municipality

R = geo.EARTH_RADIUS_KM


def chord_distance(lat1, lon1, lat2, lon2):
    """An independent oracle: the arc over the chord between two unit vectors."""

    def vec(lat, lon):
        la, lo = math.radians(lat), math.radians(lon)
        return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))

    a, b = vec(lat1, lon1), vec(lat2, lon2)
    chord = math.dist(a, b)
    return 2 * R * math.asin(chord / 2)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # One degree along a meridian or the equator: R·π/180 = 111.195 km.
        ((52.0, 5.0), (53.0, 5.0), 111.195),
        ((0.0, 0.0), (0.0, 1.0), 111.195),
        # Half the globe: π·R.
        ((0.0, 0.0), (0.0, 180.0), 20015.114),
        # The same point.
        ((52.37403, 4.88969), (52.37403, 4.88969), 0.0),
        # Amsterdam – Utrecht (GeoNames points), worked by hand: Δφ = -0.004943 rad,
        # Δλ = 0.004058 rad, a = 6.108e-6 + 0.37505·4.118e-6 = 7.652e-6, c = 2·asin(√a)
        # = 0.0055325 rad, d = c·R = 35.25 km.
        ((52.37403, 4.88969), (52.09083, 5.12222), 35.25),
        # Groningen – Maastricht: Δφ = -0.041379 rad, Δλ = -0.015320 rad,
        # a = 4.2799e-4 + 0.37822·5.8677e-5 = 4.5018e-4, c = 0.042437 rad, d = 270.37 km.
        ((53.21917, 6.56667), (50.84833, 5.68889), 270.37),
    ],
)
def test_haversine_against_hand_computed_distances(a, b, expected):
    got = geo.haversine_km(*a, *b)
    assert got == pytest.approx(expected, abs=0.05)
    assert got == pytest.approx(chord_distance(*a, *b), abs=1e-6)
    assert geo.haversine_km(*b, *a) == pytest.approx(got)


def test_normalise_removes_cbs_suffix_accents_and_case():
    assert geo.normalise("Hengelo (O.)") == "hengelo"
    assert geo.normalise("Súdwest-Fryslân") == "sudwest fryslan"
    assert geo.normalise("'s-Gravenhage") == "s gravenhage"


@pytest.mark.django_db
def test_every_current_municipality_has_a_point():
    codes = set(Municipality.objects.values_list("code", flat=True))
    assert len(codes) == 342
    points = {
        p.municipality.code: p for p in MunicipalityPoint.objects.select_related("municipality")
    }
    assert set(points) == codes
    # Every point lies in the Netherlands (mainland and Wadden islands).
    for p in points.values():
        assert 50.7 < p.latitude < 53.6 and 3.3 < p.longitude < 7.3, p


@pytest.mark.django_db
def test_rule_for_municipalities_without_a_place_of_their_own_name():
    points = {
        p.municipality.code: p for p in MunicipalityPoint.objects.select_related("municipality")
    }
    assert (points["GM0363"].rule, points["GM0363"].place) == ("own_name", "Amsterdam")
    # 's-Gravenhage is known to GeoNames by its alternate names.
    assert points["GM0518"].place == "The Hague"
    # Smallingerland has no place of its name: its largest woonplaats (Drachten) is used.
    assert (points["GM0090"].rule, points["GM0090"].place) == ("woonplaats", "Drachten")
    # Land van Cuijk (2022 merger): its seat Boxmeer.
    assert (points["GM1982"].rule, points["GM1982"].place) == ("seat", "Boxmeer")
    # Homonyms in another province are never used: Hengelo (O.) is the Overijssel town.
    assert points["GM0164"].latitude == pytest.approx(52.2658, abs=0.05)
    rules = {p.rule for p in points.values()}
    assert rules <= {"own_name", "woonplaats", "seat", "nearby"}
    assert sum(p.rule == "nearby" for p in points.values()) <= 5


def test_a_municipality_without_any_match_gets_no_point():
    places = [
        geo.Place(1, "Ergens", 52.0, 5.0, 1000, "09", frozenset({"ergens"})),
    ]
    munis = [
        geo.MunicipalityInput("GM0001", "Ergens", "PV26"),
        geo.MunicipalityInput("GM0002", "Nergens", "PV26"),
    ]
    points = geo.municipality_points(munis, places=places, woonplaatsen={}, seats={})
    assert set(points) == {"GM0001"}


def test_country_records_reads_only_the_country_and_falls_back_on_odd_records():
    import json

    records = {
        "1": {"geonameid": 1, "name": "A", "countrycode": "NL", "alternatenames": ["x"]},
        "2": {"geonameid": 2, "name": "B", "countrycode": "BE", "alternatenames": []},
        "3": {"geonameid": 3, "name": "C", "countrycode": "NL", "alternatenames": []},
    }
    text = json.dumps(records)
    assert [r["geonameid"] for r in geo._country_records(text, "NL")] == [1, 3]
    # A brace inside a name breaks the quick cut: the whole file is parsed instead.
    records["1"]["alternatenames"] = ["a}b"]
    assert [r["geonameid"] for r in geo._country_records(json.dumps(records), "NL")] == [1, 3]
