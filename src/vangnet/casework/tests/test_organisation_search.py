"""Issue 12 §3: the case page does not carry the country's organisations. Organisation fields are
search fields (HTMX suggestions from the directory, the case's parties as quick choices); the
page does not grow with the directory; the search answers only signed-in case workers; without
JavaScript an exact name or AGB code is enough, and anything else is a Dutch form error."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vangnet.cases.models import CaseParty
from vangnet.cases.organisation_field import organisation_label
from vangnet.directory.models import Organisation
from vangnet.plans.models import PlanGoal
from vangnet.testing import factories
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db
SEARCH = "/casussen/organisaties/zoeken/"


def _page(client: Client, case) -> str:
    response = client.get(f"/casussen/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _directory(n: int, start: int = 0) -> None:
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Zorgaanbieder {i:04d}", agb_code=f"{20000000 + i}")
            for i in range(start, start + n)
        ]
    )


def test_case_page_does_not_grow_with_the_directory(world, verified_client):
    case = fu.plan_case(world)  # parties, consent, goal and plan forms are all on the page
    fu.invite_with_consent(world, case, factories.OrganisationFactory(name="Woonzorg Noord"))
    client = verified_client(world.coordinator)
    _directory(5)
    small = _page(client, case)
    _directory(195, start=5)
    large = _page(client, case)
    assert "Zorgaanbieder 0001" not in large
    assert large.count("<option") == small.count("<option")
    assert abs(len(large) - len(small)) < 200  # csrf tokens and times differ, nothing else
    # The party is a quick choice in every organisation field of the forms the page loads
    # when opened (issue 12 §3).
    forms = "".join(
        client.get(
            f"/casussen/{case.reference}/formulier/{name}/", HTTP_HX_REQUEST="true"
        ).content.decode()
        for name in ("partij", "toestemming", "doel", "plan")
    )
    assert forms.count('value="Woonzorg Noord (nr.') >= 3


def test_search_finds_by_name_agb_and_municipality(world, verified_client):
    from vangnet.regions.models import Municipality

    town = Municipality.objects.order_by("code").first()
    assert town is not None
    org = factories.OrganisationFactory(name="Lentis Groningen", agb_code="06123456")
    other = factories.OrganisationFactory(name="De Kleine Aanbieder", municipality=town)
    client = verified_client(world.coordinator)
    for text in ("lentis", "061234", "LENTIS GRON"):
        html = client.get(SEARCH, {"q": text}).content.decode()
        assert f'value="{organisation_label(org)}"' in html, text
    html = client.get(SEARCH, {"q": town.name[:6]}).content.decode()
    assert f'value="{organisation_label(other)}"' in html
    html = client.get(SEARCH, {"q": "bestaat-echt-niet"}, HTTP_HX_TRIGGER="party_organisation")
    assert "<option" not in html.content.decode()
    assert "Geen organisatie gevonden" in html.content.decode()


def test_search_says_when_there_are_more_than_it_shows(world, verified_client):
    _directory(45)
    client = verified_client(world.coordinator)
    html = client.get(
        SEARCH, {"organisation": "zorgaanbieder"}, HTTP_HX_TRIGGER="party_organisation"
    ).content.decode()
    assert html.count("<option") == 20
    assert 'id="party_organisation_status"' in html and "20 van 45" in html


def test_search_requires_a_signed_in_case_worker(world, verified_client):
    response = Client().get(SEARCH, {"q": "arkin"})
    assert response.status_code == 302 and "<option" not in response.content.decode()
    assert verified_client(world.monitor_analyst).get(SEARCH, {"q": "arkin"}).status_code == 403
    assert verified_client(world.table_member).get(SEARCH, {"q": "arkin"}).status_code == 200
    assert verified_client(world.referrer).get(SEARCH, {"q": "arkin"}).status_code == 200


def _add_party(client: Client, case, organisation: str):
    return client.post(
        f"/casussen/{case.reference}/actie/partij/",
        {"organisation": organisation, "role": "Behandelaar"},
        follow=True,
    )


def test_without_javascript_an_exact_name_or_agb_code_is_enough(world, verified_client):
    case = fu.admitted_case(world)
    by_name = factories.OrganisationFactory(name="Kliniek Zuid")
    by_agb = factories.OrganisationFactory(name="Verslavingszorg Oost", agb_code="06999999")
    client = verified_client(world.coordinator)
    _add_party(client, case, "kliniek zuid")
    _add_party(client, case, "06999999")
    # A suggestion whose name was edited is not read as the organisation of its number.
    page = _add_party(client, case, f"Iets anders (nr. {by_name.pk})").content.decode()
    assert "Geen organisatie gevonden" in page
    assert set(CaseParty.objects.filter(case=case).values_list("organisation", flat=True)) == {
        by_name.pk,
        by_agb.pk,
    }


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Kliniek", "Geen organisatie gevonden met naam of AGB-code"),
        ("12345678", "Geen organisatie gevonden"),
        ("Dubbel", "meerdere organisaties met de naam"),
        ("", "Kies een organisatie"),
    ],
)
def test_an_unknown_or_ambiguous_organisation_is_a_dutch_error(
    world, verified_client, typed, message
):
    case = fu.admitted_case(world)
    factories.OrganisationFactory(name="Kliniek Zuid")
    factories.OrganisationFactory(name="Dubbel")
    factories.OrganisationFactory(name="dubbel")
    page = _add_party(verified_client(world.coordinator), case, typed).content.decode()
    assert message in page
    assert not CaseParty.objects.filter(case=case).exists()
    # The form comes back open, with what was typed.
    form = re.search(r'<form method="post" action="[^"]*/actie/partij/">.*?</form>', page, re.S)
    assert (form and f'value="{typed}"' in form.group(0)) or not typed


def test_goal_edit_form_shows_the_chosen_organisation(world, verified_client):
    case = fu.plan_case(world)
    org = factories.OrganisationFactory(name="Woonzorg Noord", agb_code="06111111")
    fu.invite_with_consent(world, case, org)
    goal = fu.add_goal(world, case, org)
    page = _page(verified_client(world.coordinator), case)
    edit = page[page.index(f'data-testid="goal-edit-{goal.pk}"') :]
    assert 'value="Woonzorg Noord (AGB 06111111)"' in edit[: edit.index("</form>")]
    assert PlanGoal.objects.get(pk=goal.pk).organisation == org
