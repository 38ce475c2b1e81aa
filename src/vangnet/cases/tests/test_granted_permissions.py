"""`granted_permissions` (every permission a reader has on a case, each membership checked once)
answers as `granting_membership` does for each permission on its own: for the table, the
referrer, invited organisations with and without consent, and outsiders."""

from __future__ import annotations

import pytest

from vangnet.accounts.selectors import actor_for
from vangnet.cases.access import Permission, granted_permissions, granting_membership
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def test_granted_permissions_match_granting_membership(world):
    invited = fu.partner("Zorgpartner Noord")
    without_consent = fu.partner("Zorgpartner Zuid")
    not_invited = fu.partner("Zorgpartner Oost")
    case, _goals = fu.follow_up_case(world, [invited])
    fu.invite_with_consent(world, case, without_consent.organisation, consent=False)
    registered = fu.registered_case(world.referrer)
    users = [
        world.referrer,
        world.other_referrer,
        world.coordinator,
        world.screener,
        world.other_table_coordinator,
        world.table_member,
        world.medical_adviser,
        world.monitor_analyst,
        invited.user,
        without_consent.user,
        not_invited.user,
    ]
    for c in (case, registered):
        for user in users:
            actor = actor_for(user)
            expected = {p for p in Permission if granting_membership(actor, c, p) is not None}
            assert granted_permissions(actor, c) == expected, (user.username, c.state)
            reader = granting_membership(actor, c, Permission.READ)
            if reader is not None:
                assert granted_permissions(actor, c, reader=reader) == expected
    assert Permission.GOAL_RESPOND in granted_permissions(actor_for(invited.user), case)
