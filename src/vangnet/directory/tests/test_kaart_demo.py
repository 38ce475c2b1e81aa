"""The demo sociale kaart: two regions, several organisations, every kind, one stale entry."""

from __future__ import annotations

import pytest

from vangnet.accounts.selectors import actor_for
from vangnet.directory import demo, selectors
from vangnet.directory.models import Location, Offer, OfferKind, Organisation
from vangnet.regions.models import Table
from vangnet.regions.selectors import municipalities_of_table

pytestmark = pytest.mark.django_db


def test_demo_kaart():
    created = demo.load_demo()
    assert created >= 14
    assert demo.load_demo() == 0  # idempotent
    assert set(Offer.objects.values_list("kind", flat=True)) == set(OfferKind.values)
    assert Organisation.objects.filter(locations__isnull=False).distinct().count() >= 6
    stale = [o for o in Offer.objects.all() if o.is_stale()]
    assert [o.name for o in stale] == ["Ambulante woonbegeleiding"]
    from django.utils import timezone

    today = timezone.localdate()
    for number in (3, 4):
        table = Table.objects.get(number=number)
        in_region = Location.objects.filter(
            municipality__in=municipalities_of_table(table=table, on=today)
        )
        assert in_region.count() >= 2, number
        _, sections = selectors.region_public(number)
        assert sections
    # The editor demo user edits Arkin only.
    from vangnet.accounts.models import User

    editor = actor_for(User.objects.get(username="kaart"))
    assert {m.organisation.name for m in editor.memberships} == {"Arkin"}
