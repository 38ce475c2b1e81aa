"""Issue 11 §2: the adviser's decision records amount, duration and the goals it covers, through
the page with the input kept on an error; the adviser has a list of their own decisions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from vangnet.accounts.models import Role
from vangnet.audit.models import AccessLogEntry, Action, Outcome
from vangnet.directory.models import OrganisationType
from vangnet.plans import services as plan_services
from vangnet.plans import views
from vangnet.plans.models import FinancingDecision
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

CHECKS = {f"criterion_{n}": "met" for n in range(1, 8)}


@pytest.fixture
def insurer(db):
    org = factories.OrganisationFactory(
        name="Zilveren Kruis", organisation_type=OrganisationType.INSURER
    )
    return org, factories.member(Role.MEDICAL_ADVISER, organisation=org)


def _request(world, org):
    case = fu.plan_case(world)
    goals = [
        fu.add_goal(world, case, world.coordinator_org, domain)
        for domain in ("treatment", "housing")
    ]
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=org
    )
    return case, goals, decision


def _decide(adviser, decision, goal, amount=Decimal("1000")):
    plan_services.financing_decide(
        decision=decision,
        actor=adviser,
        membership=ms(adviser, Role.MEDICAL_ADVISER),
        criteria_checks={n: "met" for n in range(1, 8)},
        approved=True,
        reason="Voldoet.",
        amount=amount,
        duration_months=6,
        goal_ids=[goal.pk],
    )


def test_approval_through_the_page_records_amount_duration_and_goals(
    world, insurer, verified_client
):
    org, adviser = insurer
    case, (treatment, housing), decision = _request(world, org)
    url = reverse("cases:financing", args=[case.reference, decision.pk])
    client = verified_client(adviser)
    html = client.get(url).content.decode()
    assert 'name="amount"' in html and 'name="duration_months"' in html
    assert f'name="goals" value="{treatment.pk}"' in html

    form = CHECKS | {"decision": "approved", "reason": "Dure zorg nodig.", "goals": [housing.pk]}
    # No amount: a Dutch error at the field, and what was typed and chosen is still there.
    response = client.post(url, form | {"duration_months": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vul het bedrag in dat u toekent." in html
    assert "Dure zorg nodig." in html and 'value="12"' in html
    assert re.search(rf'value="{housing.pk}"[^>]*checked', html)
    assert 'name="criterion_1" value="met" required checked' in html
    decision.refresh_from_db()
    assert decision.decision == FinancingDecision.Decision.REQUESTED

    response = client.post(url, form | {"amount": "12500,50", "duration_months": "12"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.decision == FinancingDecision.Decision.APPROVED
    assert (decision.amount, decision.duration_months) == (Decimal("12500.50"), 12)
    assert list(decision.goals.all()) == [housing]
    html = client.get(url).content.decode()
    shown = re.search(r'data-testid="financing-decision">.*?</div>', html, re.S).group(0)
    assert "12 maanden" in shown and housing.description in shown
    assert treatment.description not in shown


def test_a_goal_of_another_case_is_refused(world, insurer, verified_client):
    org, adviser = insurer
    case, (treatment, _), decision = _request(world, org)
    _, (foreign, _), _ = _request(world, org)
    url = reverse("cases:financing", args=[case.reference, decision.pk])
    form = CHECKS | {
        "decision": "approved",
        "reason": "x",
        "amount": "100",
        "duration_months": "3",
        "goals": [treatment.pk, foreign.pk],
    }
    response = verified_client(adviser).post(url, form)
    assert response.status_code == 400
    decision.refresh_from_db()
    assert decision.decision == FinancingDecision.Decision.REQUESTED


def test_the_adviser_lists_their_own_decisions(world, insurer, verified_client, monkeypatch):
    monkeypatch.setattr(views, "DECISIONS_PER_PAGE", 2)
    org, adviser = insurer
    colleague = factories.member(Role.MEDICAL_ADVISER, organisation=org)
    mine = []
    for amount in ("100", "300", "200"):
        case, goals, decision = _request(world, org)
        _decide(adviser, decision, goals[0], Decimal(amount))
        mine.append(case.reference)
    other_case, other_goals, other_decision = _request(world, org)
    _decide(colleague, other_decision, other_goals[0])
    open_case, _, _ = _request(world, org)

    client = verified_client(adviser)
    seen: list[str] = []
    url = "/financiering/mijn-besluiten/?sorteer=-bedrag"
    first = ""
    while url:
        html = client.get(url).content.decode()
        first = first or html
        table = re.search(r'data-testid="decisions">.*?</table>', html, re.S).group(0)
        seen += re.findall(r">(VN-\d{4}-\d{5})<", table)
        nxt = re.search(r'<a href="(\?sorteer=[^"]+)">volgende</a>', html)
        url = "/financiering/mijn-besluiten/" + nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert seen == [mine[1], mine[2], mine[0]]  # by amount, high to low, across pages
    assert other_case.reference not in seen
    requests = re.search(r'data-testid="open-requests">.*?</table>', first, re.S).group(0)
    assert open_case.reference in requests
    assert AccessLogEntry.objects.filter(
        user=adviser, action=Action.LIST, detail="financieringsbesluiten"
    ).exists()


def test_the_list_is_only_for_medical_advisers(world, verified_client):
    response = verified_client(world.coordinator).get("/financiering/mijn-besluiten/")
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(
        user=world.coordinator, outcome=Outcome.DENIED, detail="financieringsbesluiten"
    ).exists()
