"""Shared set-up for the continuity tests: a GP practice with and without Vangnet users, consent
for it, and valid input for every form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.cases import services as case_services
from vangnet.cases.models import Case
from vangnet.continuity import services
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.testing import factories
from vangnet.testing.followup import ms


def practice(
    name: str = "Huisartsenpraktijk De Linde", *, with_gp: bool = True
) -> tuple[Organisation, Any]:
    org = factories.OrganisationFactory(name=name, organisation_type=OrganisationType.GP_PRACTICE)
    gp = factories.member(Role.GENERAL_PRACTITIONER, organisation=org) if with_gp else None
    return org, gp


def consent_for(world: Any, case: Case, org: Organisation):
    return case_services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        organisation=org,
        given_by="patient",
        valid_from=timezone.localdate(),
    )


def set_gp(world: Any, case: Case, org: Organisation) -> None:
    services.gp_set(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), practice=org
    )


def card_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        early_signs="Slaapt slecht, trekt zich terug, belt niet meer terug.",
        what_helps="Rust, een vaste wandeling, de ervaringsdeskundige bellen.",
        client_words="Als ik niet meer opneem, kom dan langs.",
        contacts=[
            services.CardContact("Crisisdienst Arkin", "020 523 54 00", "dag en nacht"),
            services.CardContact("Zus (naaste)", "06 12345678", "na 18 uur"),
        ],
        review_on=timezone.localdate() + timedelta(days=90),
        share_with_gp=False,
    )
    values.update(overrides)
    return values


def save_card(world: Any, case: Case, **overrides: Any):
    return services.crisis_card_save(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        **card_values(**overrides),
    )


def overview(world: Any, case: Case, **overrides: Any):
    values: dict[str, Any] = dict(
        somatic_screening_by="Huisarts (jaarlijks), POH-ggz",
        pharmaceutical_care_by="Psychiater Arkin met de eigen apotheek",
        review_on=timezone.localdate() + timedelta(days=60),
    )
    values.update(overrides)
    return services.medication_overview_save(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), **values
    )


def line_values(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    values: dict[str, Any] = dict(
        medicine="Quetiapine",
        dose_amount="300",
        dose_unit="mg",
        frequency="1x per dag, voor de nacht",
        prescriber="Dr. P. Voorschrijver, Arkin",
        since=today - timedelta(days=200),
        checked_on=today - timedelta(days=3),
    )
    values.update(overrides)
    return values


def add_line(world: Any, case: Case, **overrides: Any):
    return services.medication_add(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        **line_values(**overrides),
    )
