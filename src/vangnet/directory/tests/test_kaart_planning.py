"""A plan goal gets an offer from the sociale kaart; a search without result records a shortage."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.directory import planning
from vangnet.directory.models import ShortageRecord
from vangnet.plans.models import PlanGoal, PlanRevision
from vangnet.testing import followup

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world, kaart):
    case = followup.plan_case(world)
    return followup.add_goal(world, case, world.coordinator_org)


def test_coordinator_attaches_an_offer_and_the_plan_is_revised(world, kaart, goal):
    before = goal.plan.version
    planning.goal_offer_attach(actor=world.coordinator, goal=goal, offer=kaart.offer)
    goal.refresh_from_db()
    assert goal.offer == kaart.offer
    revision = PlanRevision.objects.filter(plan=goal.plan).first()
    assert revision.version == before + 1
    assert revision.changes[0]["new"].startswith(
        "Dubbele diagnose ambulant — Arkin, Hoofdlocatie (Amsterdam)"
    )
    # Detaching is a revision too; attaching the same offer twice is not.
    planning.goal_offer_attach(actor=world.coordinator, goal=goal, offer=kaart.offer)
    assert (
        PlanRevision.objects.filter(plan=goal.plan).count()
        == 1 + PlanRevision.objects.filter(plan=goal.plan, version__lte=before).count()
    )
    planning.goal_offer_attach(actor=world.coordinator, goal=goal, offer=None)
    goal.refresh_from_db()
    assert goal.offer is None


@pytest.mark.parametrize("who", ["other_table_coordinator", "referrer", "table_member"])
def test_only_the_tables_coordinator_attaches_and_refusals_are_logged(world, kaart, goal, who):
    user = getattr(world, who)
    with pytest.raises(NotAllowed):
        planning.goal_offer_attach(actor=user, goal=goal, offer=kaart.offer)
    with pytest.raises(NotAllowed):
        planning.shortage_record(actor=user, case=goal.plan.case, code="sheltered_housing")
    assert PlanGoal.objects.get(pk=goal.pk).offer is None
    assert not ShortageRecord.objects.exists()
    assert AccessLogEntry.objects.filter(user=user, outcome=Outcome.DENIED).count() == 2


def test_shortage_is_recorded_with_the_search_and_prefills_the_close_form(
    world, kaart, goal, verified_client
):
    case = goal.plan.case
    record = planning.shortage_record(
        actor=world.coordinator,
        case=case,
        code="sheltered_housing",
        search={"kind": "sheltered_housing", "origin": "GM0363", "max_km": "25"},
    )
    assert record.search["kind"] == "sheltered_housing"
    assert Case.objects.get(pk=case.pk).shortages == ["sheltered_housing"]
    planning.shortage_record(actor=world.coordinator, case=case, code="sheltered_housing")
    assert Case.objects.get(pk=case.pk).shortages == ["sheltered_housing"]  # a set
    with pytest.raises(DomainError, match="tekorten van de monitor"):
        planning.shortage_record(actor=world.coordinator, case=case, code="wachtlijst")
    with pytest.raises(DomainError, match="toelichting is verplicht"):
        planning.shortage_record(actor=world.coordinator, case=case, code="other")
    page = verified_client(world.coordinator).get(reverse("cases:detail", args=[case.reference]))
    import re

    boxes = re.findall(r'<input type="checkbox" name="shortages"[^>]*>', page.content.decode())
    checked = [b for b in boxes if "checked" in b]
    assert len(checked) == 1 and 'value="sheltered_housing"' in checked[0]


def test_pages_attach_and_record(world, kaart, goal, verified_client):
    client = verified_client(world.coordinator)
    detail = client.get(reverse("cases:detail", args=[goal.plan.case.reference])).content.decode()
    assert f"?doel={goal.pk}" in detail
    search = client.get(reverse("directory:search"), {"doel": goal.pk, "q": "psychose"})
    body = search.content.decode()
    assert "Koppelen aan het doel" in body and goal.plan.case.reference in body
    response = client.post(
        reverse("directory:goal_attach", args=[goal.pk]), {"offer": kaart.offer.pk}
    )
    assert response.status_code == 302
    assert PlanGoal.objects.get(pk=goal.pk).offer == kaart.offer
    detail = client.get(reverse("cases:detail", args=[goal.plan.case.reference])).content.decode()
    assert "Aanbod: " in detail and "Dubbele diagnose ambulant" in detail
    response = client.post(
        reverse("directory:goal_shortage", args=[goal.pk]),
        {"code": "secure_forensic", "kind": "sggz", "q": "forensisch"},
    )
    assert response.status_code == 302
    assert ShortageRecord.objects.get().search == {"q": "forensisch", "kind": "sggz"}
    # Another table's coordinator may not even open the search for this goal.
    other = verified_client(world.other_table_coordinator)
    assert other.get(reverse("directory:search"), {"doel": goal.pk}).status_code == 403
