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
from vangnet.testing.pages import walk

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


def _decided(html: str) -> list[str]:
    table = re.search(r'data-testid="decisions">.*?</table>', html, re.S)
    assert table is not None
    return re.findall(r">(VN-\d{4}-\d{5})<", table.group(0))


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
    seen, _ = walk(client, "/financiering/mijn-besluiten/?sorteer=-bedrag", _decided)
    first = client.get("/financiering/mijn-besluiten/?sorteer=-bedrag").content.decode()
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


def _decision_pks(html: str) -> list[str]:
    table = re.search(r'data-testid="decisions">.*?</table>', html, re.S)
    assert table is not None
    return re.findall(r'/financiering/(\d+)/"', table.group(0))


def _many(world, org, adviser, count: int) -> list[FinancingDecision]:
    """Decisions with ties in every sort key: one case, one moment, three amounts (one none)."""
    from django.utils import timezone

    case = fu.plan_case(world)
    moment = timezone.now().replace(microsecond=0)
    kinds = [FinancingDecision.Decision.APPROVED, FinancingDecision.Decision.DECLINED]
    return FinancingDecision.objects.bulk_create(
        [
            FinancingDecision(
                case=case,
                insurer=org,
                requested_by=world.coordinator,
                adviser=adviser,
                decision=kinds[i % 2],
                decided_at=moment if i % 4 else None,
                amount=(Decimal("100"), Decimal("200"), None)[i % 3],
            )
            for i in range(count)
        ]
    )


@pytest.mark.parametrize("sort", list(views.DECISION_SORTS))
def test_every_sort_walks_each_decision_once_with_ties(
    world, insurer, verified_client, monkeypatch, sort
):
    monkeypatch.setattr(views, "DECISIONS_PER_PAGE", 3)
    org, adviser = insurer
    made = _many(world, org, adviser, 11)
    url = f"/financiering/mijn-besluiten/?sorteer={sort}"
    seen, _ = walk(verified_client(adviser), url, _decision_pks)
    assert sorted(map(int, seen)) == sorted(d.pk for d in made)
    if sort == "-bedrag":
        amounts = {d.pk: d.amount if d.amount is not None else -1 for d in made}
        order = [amounts[int(pk)] for pk in seen]
        assert order == sorted(order, reverse=True)


def test_open_requests_page_on_their_own(world, insurer, verified_client, monkeypatch):
    monkeypatch.setattr(views, "OPEN_REQUESTS_PER_PAGE", 2)
    org, adviser = insurer
    case = fu.plan_case(world)
    made = FinancingDecision.objects.bulk_create(
        [FinancingDecision(case=case, insurer=org, requested_by=world.coordinator) for _ in "12345"]
    )
    client = verified_client(adviser)
    seen: list[str] = []
    url: str | None = "/financiering/mijn-besluiten/"
    while url:
        html = client.get(url).content.decode()
        table = re.search(r'data-testid="open-requests">.*?</table>', html, re.S)
        assert table is not None
        seen += re.findall(r'/financiering/(\d+)/"', table.group(0))
        more = re.search(r'<a href="([^"]+)" data-testid="more-open">', html)
        url = (
            "/financiering/mijn-besluiten/" + more.group(1).replace("&amp;", "&") if more else None
        )
    assert sorted(map(int, seen)) == sorted(d.pk for d in made)


def test_page_queries_do_not_grow_with_decisions(world, insurer, verified_client, monkeypatch):
    monkeypatch.setattr(views, "DECISIONS_PER_PAGE", 5)
    org, adviser = insurer
    client = verified_client(adviser)
    _many(world, org, adviser, 3)
    _, few = walk(client, "/financiering/mijn-besluiten/?sorteer=besluit", _decision_pks)
    _many(world, org, adviser, 30)
    _, many = walk(client, "/financiering/mijn-besluiten/?sorteer=besluit", _decision_pks)
    assert len(many) == 7 and max(many) <= max(few)
