"""Invited parties see a case only under the patient's consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.cases import selectors, services
from vangnet.cases.access import visible_cases
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.access import detail_url, get_once
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- invited parties under consent -----------------------------------------------------------


def test_invited_member_sees_the_case_only_while_consent_covers_it(
    world, case, member_org, verified_client
):
    client = verified_client(world.table_member)
    m = ms(world.coordinator)
    today = timezone.localdate()

    def status(expected: int) -> None:
        code, rows = get_once(client, detail_url(case))
        assert code == expected
        assert len(rows) == 1  # every read of case data is logged, allowed or denied
        row = rows[0]
        assert (row.case_reference, row.action, row.role) == (
            case.reference,
            "read",
            Role.TABLE_MEMBER,
        )
        assert row.outcome == ("allowed" if expected == 200 else "denied")

    status(403)  # not involved at all
    party = services.party_add(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        role="Behandelaar",
    )
    status(403)  # a party, not yet invited
    consent = services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="patient",
        valid_from=today,
    )
    status(403)  # consent, but not invited
    services.party_invite(party=party, actor=world.coordinator, membership=m)
    status(200)  # invited and covered by consent
    services.consent_withdraw(consent=consent, actor=world.coordinator, membership=m)
    status(403)  # consent withdrawn
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="patient",
        valid_from=today + timedelta(days=1),
    )
    status(403)  # consent not yet valid
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="representative",
        valid_from=today - timedelta(days=60),
        valid_until=today - timedelta(days=1),
    )
    status(403)  # consent expired yesterday
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="representative",
        valid_from=today - timedelta(days=60),
        valid_until=today,
    )
    status(200)  # valid up to and including today


def test_invited_without_consent_is_refused(world, case, member_org, verified_client):
    fu.invite_with_consent(world, case, member_org, consent=False)
    client = verified_client(world.table_member)
    code, rows = get_once(client, detail_url(case))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]


def test_case_list_hides_a_case_from_uninvited_table_members(
    world, case, member_org, verified_client
):
    actor = actor_for(world.table_member)
    assert case not in visible_cases(actor)
    assert case not in selectors.case_list(actor)
    fu.invite_with_consent(world, case, member_org, consent=False)
    response = verified_client(world.table_member).get(reverse("cases:list"))
    assert response.status_code == 200
    assert case.reference not in response.content.decode()


def test_case_list_shows_a_case_to_an_invited_member_while_consent_covers_it(
    world, case, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    actor = actor_for(world.table_member)
    assert case in visible_cases(actor)
    assert case in selectors.case_list(actor)
    assert (
        case.reference
        in verified_client(world.table_member).get(reverse("cases:list")).content.decode()
    )


def test_table_member_of_another_organisation_never_sees_the_case(
    world, case, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    outsider = fu.partner("Andere instelling aan tafel 3")
    other_table_same_org = factories.member(Role.TABLE_MEMBER, organisation=member_org, table=1)
    for user in (outsider.user, other_table_same_org):
        client = verified_client(user)
        code, rows = get_once(client, detail_url(case))
        assert code == 403 and [r.outcome for r in rows] == ["denied"]
        assert case not in selectors.case_list(actor_for(user))
        assert case.reference not in client.get(reverse("cases:list")).content.decode()
    # ... while the invited organisation's member does see it.
    assert verified_client(world.table_member).get(detail_url(case)).status_code == 200
