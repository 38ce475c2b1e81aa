"""Issue 11 §2: the parties named at registration ("wat partijen al deden") are carried into
Betrokken partijen: the coordinator adds each with one click, what it already did prefilled."""

import pytest

from vangnet.cases.models import CaseParty
from vangnet.cases.organisation_field import organisation_label
from vangnet.testing import factories
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def test_party_named_at_registration_is_offered_and_added_with_what_it_did(world, verified_client):
    org = factories.OrganisationFactory(name="GGZ X")
    case = fu.admitted_case(world)  # registered with "GGZ X: Ambulante behandeling."
    client = verified_client(world.coordinator)
    page = client.get(f"/casussen/{case.reference}/").content.decode()
    parties = page[page.index('data-testid="parties"') :]
    assert 'data-testid="named-party"' in parties and "GGZ X" in parties
    response = client.post(
        f"/casussen/{case.reference}/actie/partij/",
        {
            "organisation": organisation_label(org),
            "role": "Genoemd bij de aanmelding",
            "already_did": "Ambulante behandeling.",
        },
    )
    assert response.status_code == 302
    party = CaseParty.objects.get(case=case, organisation=org)
    assert party.already_did == "Ambulante behandeling."
    page = client.get(f"/casussen/{case.reference}/").content.decode()
    assert 'data-testid="named-party"' not in page  # carried over once
