"""Issue 11 §1: a registration reports every problem at once — the service's own checks (markup,
the other table's reason, each party line) together, not one per submit — and consent is marked
required (visibly and for assistive technology)."""

from __future__ import annotations

import pytest

from vangnet.cases import services
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, DomainErrors
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

FORM = factories.REGISTRATION_PAGE_FORM


def test_the_page_shows_every_service_error_of_one_submit(world, verified_client):
    client = verified_client(world.referrer)
    before = Case.objects.count()
    response = client.post(
        "/casussen/aanmelden/",
        {
            **FORM,
            "organisation": world.referrer_org.pk,
            "stuck_description": "Zie <script>alert(1)</script>",
            "best_solution": "<b>Kliniek</b>",
            "table": "1",  # another table than Amsterdam's, without a reason
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    for field in ("id_stuck_description", "id_best_solution", "id_table_choice_reason"):
        assert f'href="#{field}"' in summary, field
    assert "Niet opgeslagen: controleer 3 onderdelen" in html
    assert Case.objects.count() == before


def test_the_service_raises_all_problems_together(world):
    data = factories.registration(
        consent_by="", urgency="nu", patient_name="<i>x</i>", party_actions=[]
    )
    org = world.referrer.memberships.get().organisation
    with pytest.raises(DomainErrors) as info:
        services.case_register(referrer=world.referrer, organisation=org, data=data)
    fields = {e.field for e in info.value.errors}
    assert fields == {"consent_by", "urgency", "patient_name", "party_actions"}
    assert "Zonder toestemming" in str(info.value)


def test_one_problem_is_still_one_plain_domain_error(world):
    org = world.referrer.memberships.get().organisation
    with pytest.raises(DomainError) as info:
        services.case_register(
            referrer=world.referrer, organisation=org, data=factories.registration(urgency="nu")
        )
    assert not isinstance(info.value, DomainErrors)
    assert info.value.field == "urgency"


def test_consent_is_marked_required(world, verified_client):
    page = verified_client(world.referrer).get("/casussen/aanmelden/").content.decode()
    select = page[page.index('name="consent_by"') - 200 : page.index('name="consent_by"') + 200]
    assert 'aria-required="true"' in select and "required" in select
    assert "Verplicht: zonder toestemming" in page


def test_the_api_answers_every_problem_in_one_problem_json(world):
    from vangnet.cases.tests.test_api import CASES, REGISTRATION, assert_problem, token_api

    api = token_api(world.referrer)
    body = {
        **REGISTRATION,
        "stuck_description": "<script>x</script>",
        "best_solution": "<b>y</b>",
    }
    response = api.post(CASES, body)
    problem = assert_problem(response, 400)
    assert {e["field"] for e in problem["errors"]} == {"stuck_description", "best_solution"}
    assert Case.objects.count() == 0
