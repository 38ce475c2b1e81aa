"""Fixtures for the sociale kaart: two organisations with an editor each, and their entries."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from vangnet.accounts.models import Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.directory import services
from vangnet.directory.models import Location, Offer, Organisation
from vangnet.directory.validation import LocationInput, OfferInput
from vangnet.testing import factories


@dataclass
class Kaart:
    org: Organisation
    other_org: Organisation
    editor: User
    other_editor: User
    coordinator: User
    location: Location
    offer: Offer


def location_input(**overrides: object) -> LocationInput:
    values: dict[str, object] = {
        "name": "Hoofdlocatie",
        "address": "Klaprozenweg 111",
        "postcode": "1033 NN",
        "municipality": "GM0363",
        "phone": "020-5905555",
        "email": "info@example.org",
        "website": "https://www.example.org",
        "opening_hours": "ma-vr 9-17",
        "accessibility": "Rolstoeltoegankelijk",
    }
    values.update(overrides)
    return LocationInput(**values)  # type: ignore[arg-type]


def offer_input(**overrides: object) -> OfferInput:
    values: dict[str, object] = {
        "kind": "sggz",
        "name": "Dubbele diagnose ambulant",
        "financing": "zvw",
        "access": "referral",
        "description": "Behandeling van psychose en verslaving.",
        "diagnosis_groups": ["psychotisch"],
        "age_min": 18,
        "age_max": 65,
        "stated_wait_weeks": 6,
    }
    values.update(overrides)
    return OfferInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def kaart(db: None) -> Kaart:
    org = factories.OrganisationFactory(name="Arkin")
    other = factories.OrganisationFactory(name="Brijder")
    editor = factories.member(Role.DIRECTORY_EDITOR, organisation=org)
    other_editor = factories.member(Role.DIRECTORY_EDITOR, organisation=other)
    coordinator = factories.member(Role.COORDINATOR, table=3)
    actor = actor_for(editor)
    location = services.location_save(actor=actor, organisation=org, data=location_input())
    offer = services.offer_save(actor=actor, location=location, data=offer_input())
    return Kaart(org, other, editor, other_editor, coordinator, location, offer)
