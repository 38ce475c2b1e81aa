"""Fixtures for the client journey and the reports: a region (VR13) with a process owner, a
provider that puts a client forward, the sociale kaart around it, and a candidate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.directory import services as kaart
from vangnet.directory.models import Location, Organisation
from vangnet.directory.validation import LocationInput, OfferInput
from vangnet.regions.models import Municipality
from vangnet.testing import factories
from vangnet.transfers.models import Candidate, PutForwardBy
from vangnet.waitlists.models import DiagnosisGroup, ProcessOwnerRegion, RegionKind

BIRTH = date(1988, 4, 9)


@dataclass
class Journey:
    provider: Organisation
    desk_org: Organisation
    location: Location
    clinician: User
    colleague: User
    process_owner: User
    other_owner: User
    outsider: User
    analyst: User
    administrator: User
    candidate: Candidate


def _offer(actor, location, **values) -> None:
    base: dict[str, object] = {
        "financing": "free",
        "access": "self",
        "description": "",
        "diagnosis_groups": [],
        "age_min": None,
        "age_max": None,
        "stated_wait_weeks": None,
    }
    base.update(values)
    kaart.offer_save(actor=actor, location=location, data=OfferInput(**base))  # type: ignore[arg-type]


def make_candidate(j_provider, clinician, location, **overrides) -> Candidate:
    n = Candidate.objects.count() + 1
    values: dict[str, object] = {
        "reference": f"TK-T-{n:04d}",
        "region_kind": RegionKind.SAFETY_REGION,
        "region_code": "VR13",
        "municipality": Municipality.objects.get(code="GM0363"),
        "diagnosis_group": DiagnosisGroup.objects.get(code="eetstoornis"),
        "waiting_for": "Behandeling met gesprekken, in de buurt",
        "waiting_since": timezone.localdate() - timedelta(weeks=10),
        "birth_date": BIRTH,
        "current_provider": j_provider,
        "current_location": location,
        "consent_given_on": timezone.localdate(),
        "consent_recorded_by": clinician,
        "put_forward_as": PutForwardBy.PROVIDER,
        "put_forward_by": clinician,
        "put_forward_organisation": j_provider,
        "contact_name": "Carla Contact",
        "contact_phone": "020-1234567",
    }
    values.update(overrides)
    return Candidate.objects.create(**values)


@pytest.fixture
def journey(db: None) -> Journey:
    provider = factories.OrganisationFactory(name="GGZ Wachtplek")
    desk_org = factories.OrganisationFactory(
        name="Arkin Transferpunt", email="transfer@example.org"
    )
    editor = factories.member(Role.DIRECTORY_EDITOR, organisation=provider)
    actor = actor_for(editor)
    location = kaart.location_save(
        actor=actor,
        organisation=provider,
        data=LocationInput(
            name="Wachtplek Oost",
            address="Klaprozenweg 1",
            postcode="1033 NN",
            municipality="GM0363",
            phone="020-5550000",
        ),
    )
    _offer(
        actor,
        location,
        kind="crisis",
        name="Crisisdienst Wachtplek",
        access="referral",
        financing="zvw",
    )
    _offer(
        actor,
        location,
        kind="self_help",
        name="Herstelgroep Oost",
        description="Samen werken aan herstel.",
    )
    _offer(actor, location, kind="client_support", name="Cliëntondersteuning Oost")
    # Names the client's diagnosis group: never on the client's page or letter.
    _offer(actor, location, kind="peer_support", name="Lotgenoten bij eetstoornissen")
    clinician = factories.member(Role.CLINICIAN, organisation=provider)
    colleague = factories.member(Role.DATA_OFFICER, organisation=provider)
    owner = factories.member(Role.PROCESS_OWNER, organisation=desk_org)
    ProcessOwnerRegion.objects.create(
        membership=Membership.objects.get(user=owner, role=Role.PROCESS_OWNER),
        region_kind=RegionKind.SAFETY_REGION,
        region_code="VR13",
    )
    other_owner = factories.member(Role.PROCESS_OWNER)
    ProcessOwnerRegion.objects.create(
        membership=Membership.objects.get(user=other_owner, role=Role.PROCESS_OWNER),
        region_kind=RegionKind.SAFETY_REGION,
        region_code="VR12",
    )
    return Journey(
        provider=provider,
        desk_org=desk_org,
        location=location,
        clinician=clinician,
        colleague=colleague,
        process_owner=owner,
        other_owner=other_owner,
        outsider=factories.member(Role.CLINICIAN),
        analyst=factories.member(Role.MONITOR_ANALYST),
        administrator=factories.member(Role.ADMINISTRATOR),
        candidate=make_candidate(provider, clinician, location),
    )
