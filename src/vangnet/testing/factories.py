"""factory_boy factories shared by the test suites (with traits for case states)."""

from __future__ import annotations

from datetime import date

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.accounts.models import Membership, Role, User
from vangnet.cases import services
from vangnet.cases.models import Case, CriterionAssessment, ReferrerType
from vangnet.directory.models import Organisation, OrganisationType, insurer_named
from vangnet.regions.models import Table

PASSWORD = "een-lang-testwachtwoord"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    organisation_type = OrganisationType.GGZ_INSTITUTION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Persoon {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


def member(
    role: str,
    *,
    organisation: Organisation | None = None,
    table: int | None = None,
    user: User | None = None,
) -> User:
    user = user or UserFactory()
    Membership.objects.create(
        user=user,
        organisation=organisation or OrganisationFactory(),
        role=role,
        table=Table.objects.get(number=table) if table else None,
    )
    return user


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def registration(**overrides: object) -> services.RegistrationInput:
    values: dict[str, object] = {
        "referrer_type": ReferrerType.OTHER_GGZ_INSTITUTION,
        "patient_name": "Jan de Vries",
        "patient_birth_date": date(1980, 5, 17),
        "patient_municipality_code": "GM0363",  # Amsterdam → table 3
        "insurer_id": insurer_named("Zilveren Kruis").pk,
        "consent_by": "patient",
        "stuck_description": "Psychose en verslaving; geen aanbieder neemt beide op.",
        "best_solution": "Klinische dubbele-diagnosebehandeling.",
        "timeline": "2024 opname; 2025 crisis.",
        "criteria": [1, 3],
        "party_actions": [services.PartyActionInput("GGZ X", "Ambulante behandeling.")],
    }
    values.update(overrides)
    return services.RegistrationInput(**values)  # type: ignore[arg-type]


# The registration page's fields as a referrer posts them (the organisation is per user). Four
# page tests posted their own copy of this form.
REGISTRATION_PAGE_FORM: dict[str, str] = {
    "referrer_type": "gp",
    "patient_name": "Piet Bakker",
    "patient_birth_date": "1975-02-03",
    "patient_municipality": "GM0363",
    "insurer": "VGZ",
    "consent_by": "patient",
    "stuck_description": "Vastgelopen.",
    "best_solution": "Beschermd wonen.",
    "timeline": "Sinds 2023.",
    "urgency": "regular",
    "party_0_organisation": "Huisarts",
    "party_0_action": "Verwezen.",
}


def register_case(referrer: User, **overrides: object) -> Case:
    org = referrer.memberships.get(role=Role.REFERRER).organisation
    return services.case_register(
        referrer=referrer, organisation=org, data=registration(**overrides)
    ).case


def all_criteria(verdict: str = CriterionAssessment.Verdict.MET) -> list[services.CriterionInput]:
    return [services.CriterionInput(n, verdict) for n in range(1, 8)]
