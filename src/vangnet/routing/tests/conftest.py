"""The routing network: the UCZ, Zilveren Kruis with its zorgbemiddeling, another insurer (VGZ)
with its own, providers from the directory, and table 3's coordinator (from `world`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.directory.models import Organisation, OrganisationType, insurer_named
from vangnet.routing import services
from vangnet.routing.models import Question
from vangnet.testing import factories


@dataclass
class Net:
    ucz_org: Organisation
    ucz: User
    other_ucz: User
    zk: Organisation
    vgz: Organisation
    zb: User
    zb_other_insurer: User
    provider: Organisation
    provider2: Organisation

    def m(self, user: User, role: str) -> Membership:
        return Membership.objects.select_related("organisation").get(user=user, role=role)


@pytest.fixture
def net(world) -> Net:
    ucz_org = factories.OrganisationFactory(name="UCZ", organisation_type=OrganisationType.UCZ)
    zk, vgz = insurer_named("Zilveren Kruis"), insurer_named("VGZ")
    return Net(
        ucz_org=ucz_org,
        ucz=factories.member(Role.UCZ_OFFICER, organisation=ucz_org),
        other_ucz=factories.member(Role.UCZ_OFFICER),
        zk=zk,
        vgz=vgz,
        zb=factories.member(Role.ZORGBEMIDDELING, organisation=zk),
        zb_other_insurer=factories.member(Role.ZORGBEMIDDELING, organisation=vgz),
        provider=factories.OrganisationFactory(name="Kliniek Noord"),
        provider2=factories.OrganisationFactory(name="Verslavingszorg Zuid"),
    )


def question_input(net: Net, **overrides) -> services.QuestionInput:
    values = {
        "asker_kind": "relative",
        "patient_name": "Karin Jansen",
        "patient_birth_date": date(1990, 4, 5),
        "patient_municipality_code": "GM0363",
        "insurer_id": net.zk.pk,
        "question": "Geen behandelaar voor psychose met verslaving.",
        "consent_by": "patient",
        "contact": "06 1111 2222",
    }
    values.update(overrides)
    return services.QuestionInput(**values)


def recorded(net: Net, **overrides) -> Question:
    return services.question_record(
        user=net.ucz,
        membership=net.m(net.ucz, Role.UCZ_OFFICER),
        data=question_input(net, **overrides),
    )


def handed_over(net: Net) -> Question:
    q = recorded(net)
    return services.question_hand_over(
        question=q, user=net.ucz, membership=net.m(net.ucz, Role.UCZ_OFFICER), insurer_id=net.zk.pk
    )


def in_progress(net: Net, *, attempts: int = 0) -> Question:
    q = handed_over(net)
    zb_m = net.m(net.zb, Role.ZORGBEMIDDELING)
    q = services.question_take_up(question=q, user=net.zb, membership=zb_m)
    for i in range(attempts):
        services.attempt_add(
            question=q,
            user=net.zb,
            membership=zb_m,
            provider_id=(net.provider, net.provider2)[i % 2].pk,
            tried_on=timezone.localdate() - timedelta(days=3 + i),
            what=f"Aangemeld voor behandeling ({i + 1}).",
            result="Afgewezen: geen plek.",
        )
    q.refresh_from_db()
    return q


def table_input() -> services.TableRegistrationInput:
    return services.TableRegistrationInput(
        stuck_description="Ggz en verslavingszorg verwijzen naar elkaar.",
        best_solution="Klinische dubbele-diagnosebehandeling.",
        timeline="2024 opname; 2025 crisis.",
        criteria=[1, 3],
    )
