"""One insurer per table on behalf of all (seed 004 §5c): its medical advisers and zorgbemiddeling
hear of the table's new cases, its medical advisers of the triage outcome (seed 004 §5b) — by
reference only, and no other insurer hears anything."""

from __future__ import annotations

import pytest

from vangnet.accounts.models import Notification, Role
from vangnet.cases import services as case_services
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing.factories import all_criteria

pytestmark = pytest.mark.django_db


def test_tables_have_the_seed_insurers():
    by_table = dict(Table.objects.values_list("number", "insurer__name"))
    assert by_table == {
        1: "VGZ",
        2: "VGZ",
        3: "Zilveren Kruis",
        4: "Zilveren Kruis",
        5: "Menzis",
        6: "CZ",
        7: "CZ",
        8: "Zilveren Kruis",
    }


def test_table_insurer_hears_of_new_cases_and_outcomes_by_reference_only(net, world):
    adviser_zk = factories.member(Role.MEDICAL_ADVISER, organisation=net.zk)
    adviser_vgz = factories.member(Role.MEDICAL_ADVISER, organisation=net.vgz)
    case = factories.register_case(world.referrer, insurer_id=net.vgz.pk)  # table 3 (Amsterdam)
    for user in (adviser_zk, net.zb):
        note = Notification.objects.get(user=user, subject__contains=case.reference)
        assert "Jan" not in note.subject + note.body and note.case_reference == ""
    assert not Notification.objects.filter(user__in=[adviser_vgz, net.zb_other_insurer]).exists()

    coord_m = world.coordinator.memberships.get(role=Role.COORDINATOR)
    case_services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=coord_m,
        assessments=all_criteria(),
        decision="admit",
        reason="Voldoet.",
    )
    case_services.triage_confirm(
        case=case,
        screener=world.screener,
        membership=world.screener.memberships.get(role=Role.SECOND_SCREENER),
    )
    assert Notification.objects.filter(
        user=adviser_zk, subject__contains="Uitkomst triage"
    ).exists()
    assert not Notification.objects.filter(user=net.zb, subject__contains="Uitkomst").exists()
