"""Issue 12 §3: the case page's forms behind a <details> load when opened (HTMX) instead of being
built on every view of the page; fetching one needs the action's permission and is logged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.audit.models import AccessLogEntry
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    reference_data,
    restore_reference_data,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_the_page_links_to_the_form_and_htmx_fetches_it(world, case, verified_client):
    client = verified_client(world.coordinator)
    page = client.get(f"/casussen/{case.reference}/").content.decode()
    url = f"/casussen/{case.reference}/formulier/tijdlijn/"
    assert 'name="organisation_name"' not in page  # not built on the page
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page  # loaded when opened
    fragment = client.get(url, **HX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.startswith("<form") and 'action="/casussen/' in html
    assert 'name="organisation_name"' in html and "csrfmiddlewaretoken" in html
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (row.case_reference, row.outcome, row.detail) == (
        case.reference,
        "allowed",
        "formulier tijdlijn",
    )
    # Without script the link opens the form on a page of its own.
    whole = client.get(url).content.decode()
    assert "<html" in whole and 'name="organisation_name"' in whole


@pytest.mark.django_db
def test_a_form_needs_the_actions_permission_and_a_refusal_is_logged(world, case, verified_client):
    url = f"/casussen/{case.reference}/formulier/tijdlijn/"
    assert verified_client(world.other_table_coordinator).get(url, **HX).status_code == 403
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (row.case_reference, row.outcome) == (case.reference, "denied")
    # The referrer may read the case but not add to its timeline.
    assert verified_client(world.referrer).get(url, **HX).status_code == 403
    assert (
        verified_client(world.coordinator)
        .get(f"/casussen/{case.reference}/formulier/onbekend/", **HX)
        .status_code
        == 404
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "restore_reference_data")
def test_open_a_form_fill_it_in_and_submit(page, live_server, world):
    from vangnet.testing import followup as fu

    case = fu.admitted_case(world)
    browser_login(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/casussen/{case.reference}/")
    form = page.locator("form[action$='/actie/tijdlijn/']")
    assert form.count() == 0  # nothing loaded before the coordinator opens it
    page.locator("summary:has-text('Gebeurtenis toevoegen')").click()
    form.locator("input[name=date]").fill((timezone.localdate() - timedelta(days=7)).isoformat())
    form.locator("input[name=organisation_name]").fill("Kliniek Zuid")
    form.locator("textarea[name=description]").fill("Intake zonder vervolg.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/casussen/{case.reference}/$"))
    assert "Gebeurtenis toegevoegd" in page.content()
    assert "Intake zonder vervolg." in page.locator("[data-testid=preparation]").inner_text()
    assert case.timeline_entries.get().organisation_name == "Kliniek Zuid"
