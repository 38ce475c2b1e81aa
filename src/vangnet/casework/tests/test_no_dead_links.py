"""Issue 11 §1: no page links to something its reader may not open."""

from __future__ import annotations

import re

import pytest

from vangnet.accounts.models import Role
from vangnet.directory.models import OrganisationType
from vangnet.plans import services as plan_services
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="(/[^"#]*)"', html)


def test_advisers_notification_opens_the_financing_page_not_a_403(world, verified_client):
    insurer = factories.OrganisationFactory(
        name="Zorgverzekeraar Noord", organisation_type=OrganisationType.INSURER
    )
    adviser = factories.member(Role.MEDICAL_ADVISER, organisation=insurer)
    case = fu.plan_case(world)
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=insurer
    )
    client = verified_client(adviser)
    page = client.get("/account/meldingen/").content.decode()
    links = [h for h in _hrefs(page) if case.reference in h]
    assert links, page
    for href in links:
        response = client.get(href, follow=True)
        assert response.status_code == 200, href
        assert response.redirect_chain[-1][0].endswith(
            f"/casussen/{case.reference}/financiering/{decision.pk}/"
        )


def test_referrers_case_page_does_not_link_to_the_meeting(world, verified_client):
    case = fu.admitted_case(world)
    item = fu.started_item(case, world.coordinator)
    meeting_url = f"/besprekingen/{item.meeting.pk}/"
    referrer = verified_client(world.referrer)
    assert referrer.get(meeting_url).status_code == 403
    page = referrer.get(f"/casussen/{case.reference}/").content.decode()
    assert meeting_url not in page
    assert "Bespreking" in page  # the referrer still sees that a meeting is planned
    coordinator_page = verified_client(world.coordinator).get(f"/casussen/{case.reference}/")
    assert meeting_url in coordinator_page.content.decode()


def test_public_table_page_offers_the_registration_form_only_to_referrers(
    world, client, verified_client
):
    url = "/tafels/3/"
    assert "/casussen/aanmelden/" not in client.get(url).content.decode()
    assert (
        "/casussen/aanmelden/" not in verified_client(world.coordinator).get(url).content.decode()
    )
    assert "/casussen/aanmelden/" in verified_client(world.referrer).get(url).content.decode()
