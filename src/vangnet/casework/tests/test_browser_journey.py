"""The whole journey of issue 4 in headless Chromium: admit → prepare → meeting with minutes →
plan accepted by two organisations → two monthly check-ins → escalation to level 2 → closure
with outcome "new suitable offer"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.cases.models import Case
from vangnet.conftest import CHROMIUM_ARGS  # noqa: F401  (documents the browser flags in use)
from vangnet.meetings.models import Meeting
from vangnet.plans.models import PlanGoal
from vangnet.testing import factories
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    reference_data,
    restore_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def _page_for(browser, live_server, user):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server, user)
    return page


def _open(page, summary: str) -> None:  # type: ignore[no-untyped-def]
    """Open a case-page form: it loads when opened (HTMX, issue 12 §3); wait until htmx has
    swapped it in and set it up, or its own HTMX fields (the organisation search) do not
    answer yet."""
    page.locator(f"summary:has-text('{summary}')").click()
    page.locator(f"details:has(summary:has-text('{summary}')) form").wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def _post(page, action: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"form[action$='/actie/{action}/'] button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _ok(page) -> None:  # type: ignore[no-untyped-def]
    text = page.locator(".messages").inner_text()
    assert "Niet opgeslagen" not in text, text


def test_admission_to_closure_journey(browser, live_server, world):
    housing = factories.OrganisationFactory(name="Woonzorg Noord")
    clinic = factories.OrganisationFactory(name="Kliniek Zuid")
    housing_member = factories.member(Role.TABLE_MEMBER, organisation=housing, table=3)
    clinic_member = factories.member(Role.TABLE_MEMBER, organisation=clinic, table=3)

    # Admit: the coordinator triages in the browser, a second screener confirms.
    case = factories.register_case(world.referrer)
    url = f"{live_server.url}/casussen/{case.reference}/"
    triage = _page_for(browser, live_server, world.coordinator)
    triage.goto(url)
    triage.click("text=Triage uitvoeren")
    for n in range(1, 8):
        triage.check(f"input[name=criterion_{n}][value=met]")
    triage.check("input[name=decision][value=admit]")
    triage.click("button:has-text('Besluit voorstellen')")
    triage.wait_for_url(re.compile(rf"/casussen/{case.reference}/$"))
    triage.context.close()
    screener = _page_for(browser, live_server, world.screener)
    screener.goto(url)
    screener.check("input[name=verdict][value=confirm]")
    screener.click("button:has-text('Oordeel vastleggen')")
    screener.locator(".messages >> text=definitief").wait_for()
    screener.context.close()

    coord = _page_for(browser, live_server, world.coordinator)
    coord.goto(url)
    assert "Toegelaten" in coord.locator("[data-testid=state]").inner_text()

    # Prepare: timeline, two parties with consent and invitation, a question.
    _open(coord, "Gebeurtenis toevoegen")
    form = coord.locator("form[action$='/actie/tijdlijn/']")
    form.locator("input[name=date]").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    form.locator("input[name=organisation_name]").fill("Kliniek Zuid")
    form.locator("textarea[name=description]").fill("Opname afgebroken na twee weken.")
    _post(coord, "tijdlijn")
    _ok(coord)
    for org, role in ((housing, "Beschermd wonen"), (clinic, "Klinische behandeling")):
        _open(coord, "Partij toevoegen")
        form = coord.locator("form[action$='/actie/partij/']")
        # Search the directory (HTMX) and pick the suggestion, as a coordinator would.
        field = form.locator("input[name=organisation]")
        field.fill(org.name.split()[0][:5].lower())
        suggestion = form.locator(f"datalist option[value^='{org.name} (']")
        suggestion.wait_for(state="attached")
        field.fill(suggestion.get_attribute("value"))
        form.locator("input[name=role]").fill(role)
        form.locator("input[name=has_mandate]").check()
        _post(coord, "partij")
        _ok(coord)
        _open(coord, "Toestemming vastleggen")
        form = coord.locator("form[action$='/actie/toestemming/']")
        # Now a party of the case: a quick choice before anything is typed.
        quick = form.locator(f"datalist option[value^='{org.name} (']")
        form.locator("input[name=organisation]").fill(quick.get_attribute("value"))
        form.locator("select[name=given_by]").select_option("patient")
        form.locator("input[name=valid_from]").fill(timezone.localdate().isoformat())
        _post(coord, "toestemming")
        _ok(coord)
    for _ in range(2):
        coord.locator("[data-testid=parties] button:has-text('Uitnodigen')").first.click()
        coord.wait_for_load_state("load")
        _ok(coord)
    _open(coord, "Vraag toevoegen")
    coord.locator("form[action$='/actie/vraag/'] textarea[name=text]").fill(
        "Wie biedt binnen vier weken een plek?"
    )
    _post(coord, "vraag")
    _ok(coord)

    # Meeting: plan an ad-hoc meeting, share the preparation, then (time passes) record minutes.
    coord.goto(f"{live_server.url}/besprekingen/")
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    mf = coord.locator("[data-testid=meeting-form]")
    mf.locator("select[name=kind]").select_option("ad_hoc")
    mf.locator("input[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    mf.locator("input[name=ends_at]").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    mf.locator("input[name=location]").fill("Arkin, zaal 2")
    mf.locator("select[name=chair_type]").select_option("independent")
    mf.get_by_label(re.compile(re.escape(case.reference))).check()  # chosen from the list
    mf.locator("button[type=submit]").click()
    coord.wait_for_url(re.compile(r"/besprekingen/\d+/$"))
    coord.goto(url)
    coord.locator("button:has-text('Voorbereiding delen met genodigden')").click()
    coord.wait_for_load_state("load")
    _ok(coord)
    meeting = Meeting.objects.get(items__case=case)
    past = timezone.now() - timedelta(minutes=5)  # the meeting has started
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=past, ends_at=past + timedelta(hours=1))
    coord.goto(f"{live_server.url}/besprekingen/{meeting.pk}/")
    minutes = coord.locator(f"[data-testid=minutes-{case.reference}]")
    minutes.locator("textarea[name$=discussed]").fill("Opties voor wonen en behandeling besproken.")
    minutes.locator("textarea[name$=decisions]").fill(
        "Kliniek Zuid behandelt; Woonzorg Noord biedt een plek."
    )
    minutes.locator("button[type=submit]").click()
    coord.wait_for_load_state("load")
    assert "Kliniek Zuid behandelt" in coord.content()
    pdf = coord.request.get(f"{live_server.url}/besprekingen/{meeting.pk}/pdf/")
    assert (
        pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    )

    # One integral plan: regie and two goals for two organisations.
    coord.goto(url)
    assert "Integraal plan" in coord.locator("[data-testid=state]").inner_text()
    _open(coord, "Regie, overdracht en vangnet bewerken")
    pf = coord.locator("[data-testid=plan-form]")
    pf.locator("input[name=regiebehandelaar]").fill("Dr. Regie (Kliniek Zuid)")
    pf.locator("input[name=case_director]").fill(world.coordinator.username)
    pf.locator("textarea[name=if_placement_fails]").fill(
        "Crisisbed en binnen een week opnieuw bespreken."
    )
    pf.locator("button[type=submit]").click()
    coord.wait_for_load_state("load")
    _ok(coord)
    for domain, text, org, financing in (
        ("treatment", "Klinische behandeling", clinic, "zvw"),
        ("housing", "Woonplek met begeleiding", housing, "wmo"),
    ):
        _open(coord, "Doel toevoegen")
        gf = coord.locator("[data-testid=goal-form]")
        gf.locator("select[name=domain]").select_option(domain)
        gf.locator("textarea[name=description]").fill(text)
        gf.locator("input[name=organisation]").fill(org.name)  # an exact name also works
        gf.locator("select[name=financing]").select_option(financing)
        gf.locator("button[type=submit]").click()
        coord.wait_for_load_state("load")
        _ok(coord)

    # Each organisation accepts its own goal.
    for member in (housing_member, clinic_member):
        p = _page_for(browser, live_server, member)
        p.goto(url)
        goal = PlanGoal.objects.get(
            plan__case=case, organisation=member.memberships.get().organisation
        )
        form = p.locator(f"[data-testid=respond-{goal.pk}]")
        form.locator("input[value=accept]").check()
        form.locator("button[type=submit]").click()
        p.wait_for_load_state("load")
        assert "Geaccepteerd" in p.locator(f"[data-testid=goal-status-{goal.pk}]").inner_text()
        p.context.close()

    # Adopt the plan; follow-up starts with monthly check-ins; record two.
    coord.goto(url)
    coord.locator("[data-testid=adopt-form] button[type=submit]").click()
    coord.wait_for_load_state("load")
    _ok(coord)
    for month in range(2):
        cf = coord.locator("[data-testid=checkin-form]")
        for select in cf.locator("select").all():
            select.select_option("on_track" if month == 0 else "delayed")
        cf.locator("textarea[name=summary]").fill(f"Check-in maand {month + 1}.")
        cf.locator("button[type=submit]").click()
        coord.wait_for_load_state("load")
        _ok(coord)
    assert coord.locator("[data-testid=follow-up]").inner_text().count("gedaan") == 2

    # Escalation to level 2, one step at a time.
    for level in (1, 2):
        ef = coord.locator("[data-testid=escalate-form]")
        ef.locator("select[name=to_level]").select_option(str(level))
        ef.locator("textarea[name=reason]").fill("Tempo stokt: woonplek blijft uit.")
        ef.locator("button[type=submit]").click()
        coord.wait_for_load_state("load")
        _ok(coord)
    assert coord.locator("[data-testid=escalation-level]").inner_text() == "2"

    # Closure with outcome "new suitable offer", accepted by the patient.
    close = coord.locator("[data-testid=close-form]")
    close.locator("input[value=new_offer]").check()
    close.locator("select[name=offer_accepted]").select_option("yes")
    close.locator("input[value=supraregional_capacity]").check()
    close.locator("input[value=sheltered_housing]").check()
    close.locator("button[type=submit]").click()
    coord.wait_for_load_state("load")
    _ok(coord)
    assert coord.locator("[data-testid=outcome-code]").get_attribute("data-code") == "new_offer"
    case.refresh_from_db()
    assert (
        case.state == "closed"
        and case.offer_accepted is True
        and case.shortages == ["sheltered_housing"]
    )
    assert Case.objects.get(pk=case.pk).escalation_level == 2
