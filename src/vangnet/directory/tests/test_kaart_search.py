"""Search: free text, filters, distance (against hand-computed distances), waiting time, pages."""

from __future__ import annotations

import pytest

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.directory import selectors, services
from vangnet.directory.models import Offer
from vangnet.directory.selectors import SearchParams
from vangnet.testing import factories

from .conftest import location_input, offer_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(kaart):
    """Offers in Amsterdam (fixture), Utrecht, Groningen and Maastricht, and a national chat."""
    actor = actor_for(kaart.editor)
    made = {}
    for code, name, kind, wait in [
        ("GM0344", "Utrecht", "addiction", 12),
        ("GM0014", "Groningen", "addiction", None),
        ("GM0935", "Maastricht", "crisis", 1),
    ]:
        loc = services.location_save(
            actor=actor,
            organisation=kaart.org,
            data=location_input(name=f"Vestiging {name}", municipality=code, postcode="3511 AA"),
        )
        made[name] = services.offer_save(
            actor=actor,
            location=loc,
            data=offer_input(
                name=f"Verslavingszorg {name}" if kind == "addiction" else f"Crisisdienst {name}",
                kind=kind,
                description="Hulp en behandeling in de regio.",
                stated_wait_weeks=wait,
                diagnosis_groups=["alcohol"] if kind == "addiction" else [],
                lvb=name == "Groningen",
                age_min=None if name == "Maastricht" else 18,
                age_max=None,
                financing="wmo" if name == "Utrecht" else "zvw",
            ),
        )
    online = services.location_save(
        actor=actor,
        organisation=kaart.org,
        data=location_input(
            name="Online",
            remote=True,
            municipality="",
            served_area="province",
            served_province="PV27",
        ),
    )
    made["online"] = services.offer_save(
        actor=actor,
        location=online,
        data=offer_input(
            name="Online hulp Noord-Holland", kind="ehealth", stated_wait_weeks=0, description=""
        ),
    )
    Offer.objects.filter(pk=made["Groningen"].pk).update(observed_wait_weeks=4.5)
    return made


def names(result):
    return [r.offer.name for r in result.rows]


def test_distance_from_a_municipality_against_hand_computed_distances(kaart, spread):
    actor = actor_for(kaart.coordinator)
    result = selectors.search(actor, SearchParams(origin="GM0363", sort="distance"))
    # Amsterdam is the origin: the Noord-Holland online service (distance 0) and Amsterdam
    # first; then Utrecht (35.25 km), Groningen, Maastricht (hand-computed in test_geo).
    assert names(result)[:2] == ["Dubbele diagnose ambulant", "Online hulp Noord-Holland"] or names(
        result
    )[:2] == ["Online hulp Noord-Holland", "Dubbele diagnose ambulant"]
    assert names(result)[2:] == [
        "Verslavingszorg Utrecht",
        "Verslavingszorg Groningen",
        "Crisisdienst Maastricht",
    ]
    by_name = {r.offer.name: r.distance_km for r in result.rows}
    assert by_name["Dubbele diagnose ambulant"] == pytest.approx(0.0, abs=1e-9)
    assert by_name["Verslavingszorg Utrecht"] == pytest.approx(35.25, abs=0.01)
    assert by_name["Online hulp Noord-Holland"] is None
    # From Groningen the Noord-Holland online service is out of area: left out.
    from_groningen = selectors.search(actor, SearchParams(origin="GM0014", sort="distance"))
    assert names(from_groningen)[0] == "Verslavingszorg Groningen"
    assert "Online hulp Noord-Holland" not in names(from_groningen)
    g_to_m = {r.offer.name: r.distance_km for r in from_groningen.rows}["Crisisdienst Maastricht"]
    assert g_to_m == pytest.approx(270.37, abs=0.01)


def test_maximum_distance(kaart, spread):
    actor = actor_for(kaart.coordinator)
    within = selectors.search(actor, SearchParams(origin="GM0363", max_km=40, sort="distance"))
    assert set(names(within)) == {
        "Dubbele diagnose ambulant",
        "Online hulp Noord-Holland",
        "Verslavingszorg Utrecht",
    }
    tight = selectors.search(actor, SearchParams(origin="GM0363", max_km=30))
    assert "Verslavingszorg Utrecht" not in names(tight)


def test_filters(kaart, spread):
    actor = actor_for(kaart.coordinator)

    def found(**kw):
        return set(names(selectors.search(actor, SearchParams(**kw))))

    assert found(kind="addiction") == {"Verslavingszorg Utrecht", "Verslavingszorg Groningen"}
    assert found(group="alcohol") == {"Verslavingszorg Utrecht", "Verslavingszorg Groningen"}
    assert found(financing="wmo") == {"Verslavingszorg Utrecht"}
    assert found(lvb=True) == {"Verslavingszorg Groningen"}
    assert "Crisisdienst Maastricht" in found(age=12)  # no age limits
    assert "Verslavingszorg Utrecht" not in found(age=12)
    # Table 8 (Noord-Nederland): the Groningen location; the Noord-Holland service does not
    # serve it. Table 4 covers Gooi (Noord-Holland), so that service shows there.
    assert found(table=8) == {"Verslavingszorg Groningen"}
    assert found(table=4) == {"Verslavingszorg Utrecht", "Online hulp Noord-Holland"}
    assert "Online hulp Noord-Holland" in found(table=3)


def test_free_text_on_name_offer_and_place(kaart, spread):
    actor = actor_for(kaart.coordinator)

    def found(q):
        return set(names(selectors.search(actor, SearchParams(q=q))))

    assert found("Maastricht") == {"Crisisdienst Maastricht"}  # the place
    assert found("verslavingszorg groningen") == {"Verslavingszorg Groningen"}
    assert found("psychose") == {"Dubbele diagnose ambulant"}  # the description
    assert found("Arkin") >= {"Crisisdienst Maastricht", "Verslavingszorg Utrecht"}  # organisation
    assert found("onbestaandwoord") == set()


def test_sort_by_expected_wait_uses_stated_then_observed(kaart, spread):
    result = selectors.search(actor_for(kaart.coordinator), SearchParams(sort="wait"))
    assert names(result) == [
        "Online hulp Noord-Holland",  # 0 stated
        "Crisisdienst Maastricht",  # 1
        "Verslavingszorg Groningen",  # 4.5 observed
        "Dubbele diagnose ambulant",  # 6
        "Verslavingszorg Utrecht",  # 12
    ]
    texts = {r.offer.name: r.expected_wait for r in result.rows}
    assert texts["Verslavingszorg Groningen"].startswith("ca. 4,5 weken (wachtlijstgegevens")
    assert texts["Verslavingszorg Utrecht"] == "12 weken (opgave aanbieder)"


def test_pages_are_bounded(kaart):
    actor = actor_for(kaart.editor)
    for i in range(selectors.PAGE_SIZE + 3):
        services.offer_save(
            actor=actor, location=kaart.location, data=offer_input(name=f"Aanbod {i:02}")
        )
    first = selectors.search(actor_for(kaart.coordinator), SearchParams())
    second = selectors.search(actor_for(kaart.coordinator), SearchParams(page=2))
    assert len(first.rows) == selectors.PAGE_SIZE and first.total == selectors.PAGE_SIZE + 4
    assert len(second.rows) == 4
    assert not set(names(first)) & set(names(second))


def test_permission_and_input_errors(kaart):
    with pytest.raises(NotAllowed):
        selectors.search(actor_for(factories.member(Role.MONITOR_ANALYST)), SearchParams())
    for role in (Role.REFERRER, Role.PROCESS_OWNER):
        selectors.search(actor_for(factories.member(role)), SearchParams())
    selectors.search(actor_for(factories.member(Role.TABLE_MEMBER, table=3)), SearchParams())
    with pytest.raises(DomainError, match="Onbekende gemeente"):
        selectors.search(actor_for(kaart.coordinator), SearchParams(origin="GM9999"))
    with pytest.raises(DomainError, match="Kies een gemeente"):
        selectors.search(actor_for(kaart.coordinator), SearchParams(max_km=10))
