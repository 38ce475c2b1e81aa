"""The insurer's medical adviser sees only the financing part of a case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vangnet.accounts.models import Role
from vangnet.directory.models import OrganisationType
from vangnet.plans import services as plan_services
from vangnet.plans.models import FinancingDecision
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.access import detail_url, get_once, last_log_id, log_rows
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- the insurer's medical adviser -----------------------------------------------------------


@pytest.fixture
def insurers(db):
    a = factories.OrganisationFactory(
        name="Zilveren Kruis", organisation_type=OrganisationType.INSURER
    )
    b = factories.OrganisationFactory(name="CZ", organisation_type=OrganisationType.INSURER)
    return (
        (a, factories.member(Role.MEDICAL_ADVISER, organisation=a)),
        (b, factories.member(Role.MEDICAL_ADVISER, organisation=b)),
    )


def financing_url(case, decision) -> str:
    return reverse("cases:financing", args=[case.reference, decision.pk])


def test_medical_adviser_sees_only_the_financing_page_of_a_request_to_their_insurer(
    world, insurers, verified_client
):
    (ins_a, adviser_a), (ins_b, adviser_b) = insurers
    case = fu.plan_case(world)
    fu.add_goal(world, case, world.coordinator_org)
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=ins_a
    )
    client_a = verified_client(adviser_a)
    code, rows = get_once(client_a, financing_url(case, decision))
    assert code == 200 and [(r.action, r.outcome, r.role) for r in rows] == [
        ("read", "allowed", Role.MEDICAL_ADVISER)
    ]
    page = client_a.get(financing_url(case, decision)).content.decode()
    assert case.reference in page and "Toets de zeven criteria" in page
    assert case.patient_name not in page and case.stuck_description not in page

    # The adviser never sees the full case, nor another insurer's request on it.
    code, rows = get_once(client_a, detail_url(case))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]
    code, rows = get_once(verified_client(adviser_b), financing_url(case, decision))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]
    code, _ = get_once(verified_client(world.medical_adviser), financing_url(case, decision))
    assert code == 403
    other = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=ins_b
    )
    code, rows = get_once(client_a, financing_url(case, other))
    assert code == 403 and len(rows) == 1
    assert verified_client(adviser_b).get(financing_url(case, other)).status_code == 200

    # The decision is recorded through the page, with one access-log row.
    mark = last_log_id()
    form = {f"criterion_{n}": "met" for n in range(1, 8)} | {
        "decision": "declined",
        "reason": "Reguliere zorg volstaat.",
    }
    response = client_a.post(financing_url(case, decision), form)
    assert response.status_code == 302
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "allowed")]
    decision.refresh_from_db()
    assert (decision.decision, decision.adviser) == (FinancingDecision.Decision.DECLINED, adviser_a)


def test_adviser_opening_another_insurers_request_is_logged_as_denied(
    world, insurers, verified_client
):
    (ins_a, adviser_a), (ins_b, _) = insurers
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    plan_services.financing_request(case=case, actor=world.coordinator, membership=m, insurer=ins_a)
    other = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=ins_b
    )
    code, rows = get_once(verified_client(adviser_a), financing_url(case, other))
    assert code == 403
    assert [(r.action, r.outcome) for r in rows] == [("read", "denied")]
