"""Issue 11 §1: a refused case-page form comes back with the typed input, the error at the field
and its section open (redirect-after-post keeps the input in the session for one page view)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_refused_case_form_keeps_input_and_shows_error_at_field(world, case, verified_client):
    client = verified_client(world.coordinator)
    url = reverse("cases:action", args=[case.reference, "tijdlijn"])
    response = client.post(
        url, {"date": "", "organisation_name": "GGZ Oost", "description": "Opname twee weken"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Opname twee weken</textarea>" in page  # the typed text is still there
    assert 'value="GGZ Oost"' in page
    assert '<details class="noprint" open><summary>Gebeurtenis toevoegen' in page
    section = page[page.index("Gebeurtenis toevoegen") :]
    assert "errorlist" in section and "Dit veld is verplicht." in section  # at the field
    # one page view only: reloading shows the empty form again
    again = client.get(response["Location"]).content.decode()
    assert "Opname twee weken</textarea>" not in again


def test_service_refusal_shows_the_message_at_the_field(world, case, verified_client):
    client = verified_client(world.coordinator)
    url = reverse("cases:action", args=[case.reference, "tijdlijn"])
    response = client.post(
        url,
        {"date": "2001-01-01", "organisation_name": "GGZ", "description": "<script>x</script>"},
    )
    page = client.get(response["Location"]).content.decode()
    assert '<details class="noprint" open><summary>Gebeurtenis toevoegen' in page
    assert "&lt;script&gt;x&lt;/script&gt;</textarea>" in page


def test_a_comparison_in_ordinary_text_is_accepted_and_escaped_on_output(
    world, case, verified_client
):
    client = verified_client(world.coordinator)
    url = reverse("cases:action", args=[case.reference, "tijdlijn"])
    response = client.post(
        url,
        {"date": "2026-11-01", "organisation_name": "GGZ", "description": "binnen < twee weken"},
    )
    page = client.get(response["Location"]).content.decode()
    assert "Gebeurtenis toegevoegd" in page
    assert "binnen &lt; twee weken" in page
    assert case.timeline_entries.get().description == "binnen < twee weken"


def test_text_over_the_limit_is_reported_at_the_field_not_cut(world, case, verified_client):
    client = verified_client(world.coordinator)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "maxlength=" not in page  # the browser would cut pasted text silently
    too_long = "x" * 201
    response = client.post(
        reverse("cases:action", args=[case.reference, "tijdlijn"]),
        {"date": "2026-11-01", "organisation_name": too_long, "description": "Opname"},
    )
    page = client.get(response["Location"]).content.decode()
    section = page[page.index("Gebeurtenis toevoegen") :]
    assert "201" in section and "200" in section  # how long it is, and the limit, at the field
    assert f'value="{too_long}"' in section


def test_case_page_has_no_duplicate_ids(world, partners, verified_client):
    import re
    from collections import Counter

    from vangnet.testing import followup as fu

    case = fu.plan_case(world)
    fu.add_goal(world, case, world.coordinator_org)
    page = verified_client(world.coordinator).get(f"/casussen/{case.reference}/").content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'aria-describedby="([^"]+)"', page):
        assert all(ids[t] for t in target.split()), target
