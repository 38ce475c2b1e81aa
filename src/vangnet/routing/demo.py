"""Demo data for the route UCZ → zorgbemiddeling → table (`python -m vangnet demo`): a UCZ
officer and a zorgbemiddelaar of Zilveren Kruis; one question registered at table 3 with what
zorgbemiddeling tried, one solved by zorgbemiddeling, one waiting to be taken up; and a public
signal from a relative at table 3. Idempotent: the questions are made once."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role
from vangnet.directory.models import Organisation, OrganisationType, insurer_named

from . import services
from .models import Question, Signal

UCZ_ORGANISATION = "Unit Complexe Zorgvragen (VWS)"
# username, full name, role, organisation name (printed by the demo command)
USERS = [
    ("ucz", "Uma UCZ", Role.UCZ_OFFICER, UCZ_ORGANISATION),
    ("bemiddelaar", "Zeno Zorgbemiddelaar", Role.ZORGBEMIDDELING, "Zilveren Kruis"),
]


def _org(name: str, kind: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"organisation_type": kind})
    return org


def load_demo() -> None:
    ucz_org = _org(UCZ_ORGANISATION, OrganisationType.UCZ)
    insurer = insurer_named("Zilveren Kruis")
    ucz = demo_user("ucz", "Uma UCZ")
    zb = demo_user("bemiddelaar", "Zeno Zorgbemiddelaar")
    ucz_m, _ = Membership.objects.get_or_create(
        user=ucz, organisation=ucz_org, role=Role.UCZ_OFFICER
    )
    zb_m, _ = Membership.objects.get_or_create(
        user=zb, organisation=insurer, role=Role.ZORGBEMIDDELING
    )
    if Question.objects.exists():
        return
    arkin = _org("Arkin", OrganisationType.GGZ_INSTITUTION)
    jellinek = _org("Jellinek verslavingszorg", OrganisationType.ADDICTION_CARE)
    nhn = _org("GGZ Noord-Holland-Noord", OrganisationType.GGZ_INSTITUTION)
    today = timezone.localdate()

    def record(name: str, born: date, text: str, kind: str = "relative") -> Question:
        q = services.question_record(
            user=ucz,
            membership=ucz_m,
            data=services.QuestionInput(
                asker_kind=kind,
                patient_name=name,
                patient_birth_date=born,
                patient_municipality_code="GM0363",
                insurer_id=insurer.pk,
                question=text,
                consent_by="patient",
                contact="020 123 4567 (moeder)",
            ),
        )
        return services.question_hand_over(
            question=q, user=ucz, membership=ucz_m, insurer_id=insurer.pk
        )

    routed = record(
        "Demo Patiënt Route",
        date(1992, 3, 14),
        "Moeder belt: zoon met psychose en cocaïnegebruik wordt overal geweigerd; geen behandelaar meer sinds zijn ontslag uit de kliniek.",
    )
    services.question_take_up(question=routed, user=zb, membership=zb_m)
    for provider, days, what, result in (
        (
            arkin,
            20,
            "Aangemeld voor klinische dubbele-diagnosebehandeling.",
            "Afgewezen: verslaving eerst behandelen.",
        ),
        (
            jellinek,
            12,
            "Gevraagd om detox met psychiatrische zorg.",
            "Afgewezen: psychose te ernstig voor de afdeling.",
        ),
    ):
        services.attempt_add(
            question=routed,
            user=zb,
            membership=zb_m,
            provider_id=provider.pk,
            tried_on=today - timedelta(days=days),
            what=what,
            result=result,
        )
    services.question_register(
        question=routed,
        user=zb,
        membership=zb_m,
        data=services.TableRegistrationInput(
            stuck_description="Psychose en verslaving; de ggz-instelling en de verslavingszorg verwijzen naar elkaar.",
            best_solution="Eén klinische plek met dubbele-diagnose-expertise, daarna ambulante begeleiding.",
            timeline="2024: ontslag uit de kliniek; 2025: twee crisisopnames; sinds dan geen behandelaar.",
            criteria=[1, 3, 5],
        ),
    )

    solved = record(
        "Demo Patiënt Opgelost",
        date(1978, 11, 2),
        "Professional: cliënt met depressie en schulden staat al maanden op een wachtlijst voor behandeling.",
        kind="professional",
    )
    services.question_take_up(question=solved, user=zb, membership=zb_m)
    services.attempt_add(
        question=solved,
        user=zb,
        membership=zb_m,
        provider_id=nhn.pk,
        tried_on=today - timedelta(days=5),
        what="Gevraagd naar capaciteit voor gespecialiseerde ggz.",
        result="Intake binnen twee weken mogelijk.",
    )
    services.question_solve(
        question=solved,
        user=zb,
        membership=zb_m,
        provider_id=nhn.pk,
        outcome="Intake bij GGZ Noord-Holland-Noord gepland; schuldhulp via de gemeente.",
    )

    record(
        "Demo Patiënt Wacht",
        date(2001, 6, 30),
        "Burger: zus met eetstoornis en autisme vindt geen behandelaar die beide kan.",
    )
    if not Signal.objects.exists():
        services.signal_submit(
            data=services.SignalInput(
                table_number=3,
                relation="relative",
                message="Mijn broer krijgt na een opname geen vervolgzorg; iedereen verwijst naar een ander.",
                contact="06 1234 5678",
            )
        )
