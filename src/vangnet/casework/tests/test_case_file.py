"""Issue 11 §2: the case file — sections with their own URLs for the roles that may open them
(each page a logged read, refusals logged), forms only where the state allows them, the overview
at the top, and the case PDF as the reader may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.casework.casefile import SECTIONS
from vangnet.common.dates import dutch_date
from vangnet.followup import services as followup_services
from vangnet.followup.models import CheckIn
from vangnet.meetings.models import Task
from vangnet.meetings.tests.test_access import pdf_text
from vangnet.testing import followup as fu
from vangnet.testing.access import last_log_id, log_rows
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

ALL = [s.slug for s in SECTIONS]
NOT_FOR_MEMBERS = {"triage", "afsluiting"}


def _url(case, slug: str) -> str:
    return reverse("cases:section", args=[case.reference, slug])


def _reader(world, role: str, case, member_org):  # type: ignore[no-untyped-def]
    if role == "table_member":
        fu.invite_with_consent(world, case, member_org)
    return {
        "coordinator": world.coordinator,
        "screener": world.screener,
        "referrer": world.referrer,
        "table_member": world.table_member,
        "medical_adviser": world.medical_adviser,
        "other_table": world.other_table_coordinator,
    }[role]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("coordinator", set(ALL)),
        ("screener", set(ALL)),
        ("referrer", set(ALL)),
        ("table_member", set(ALL) - NOT_FOR_MEMBERS),
        ("medical_adviser", set()),
        ("other_table", set()),
    ],
)
def test_every_section_url_per_role_with_one_log_row_and_links_only_to_what_opens(
    world, case, member_org, verified_client, role, allowed
):
    user = _reader(world, role, case, member_org)
    client = verified_client(user)
    opened = set()
    for slug in ALL:
        mark = last_log_id()
        response = client.get(_url(case, slug))
        rows = [(r.action, r.outcome, r.case_reference, r.detail) for r in log_rows(mark)]
        if slug in allowed:
            assert response.status_code == 200, slug
            assert rows == [("read", "allowed", case.reference, f"dossier {slug}")]
            opened.add(slug)
            page = response.content.decode()
            menu = page[page.index('data-testid="section-menu"') :]
            menu = menu[: menu.index("</nav>")]
            for other in ALL:
                assert (_url(case, other) in menu) == (other in allowed), (slug, other)
            assert case.patient_name not in response.wsgi_request.path
        else:
            assert response.status_code == 403, slug
            assert [r[:3] for r in rows] == [("read", "denied", case.reference)]
    assert opened == allowed


def test_an_unknown_section_is_a_404(world, case, verified_client):
    response = verified_client(world.coordinator).get(_url(case, "onbekend"))
    assert response.status_code == 404


def test_table_member_full_file_hides_triage_and_closure(world, case, member_org, verified_client):
    fu.invite_with_consent(world, case, member_org)
    page = verified_client(world.table_member).get(f"/casussen/{case.reference}/").content
    html = page.decode()
    assert 'data-testid="overview"' in html and 'data-testid="preparation"' in html
    assert 'data-testid="decision"' not in html  # the table's triage decision
    coordinator = verified_client(world.coordinator).get(f"/casussen/{case.reference}/")
    assert 'data-testid="decision"' in coordinator.content.decode()


def test_preparation_offers_no_closure_form_but_an_end_for_a_withdrawal(
    world, case, verified_client
):
    client = verified_client(world.coordinator)
    page = client.get(_url(case, "afsluiting")).content.decode()
    assert 'data-testid="close-form"' not in page
    assert 'data-testid="end-form"' in page
    # Ending during preparation is a withdrawal with a reason, and the page returns to the section.
    response = client.post(
        reverse("cases:action", args=[case.reference, "beeindigen"]),
        {"reason": "Patiënt trekt zich terug."},
        HTTP_REFERER="http://testserver" + _url(case, "afsluiting"),
    )
    assert response["Location"] == _url(case, "afsluiting")
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("closed", "withdrawn")
    page = client.get(_url(case, "afsluiting")).content.decode()
    assert 'data-testid="end-form"' not in page and "Heropenen" in page


def test_closure_form_opens_once_there_is_a_plan(world, verified_client):
    case = fu.plan_case(world)
    page = verified_client(world.coordinator).get(_url(case, "afsluiting")).content.decode()
    assert 'data-testid="close-form"' in page and 'data-testid="end-form"' not in page


def test_no_closure_or_end_form_before_admission(world, verified_client):
    case = fu.registered_case(world.referrer)
    page = verified_client(world.coordinator).get(_url(case, "afsluiting")).content.decode()
    assert 'data-testid="close-form"' not in page and 'data-testid="end-form"' not in page
    assert 'data-testid="section-empty"' in page


def _options(page: str) -> list[str]:
    form = page[page.index('data-testid="escalate-form"') :]
    form = form[: form.index("</form>")]
    select = form[form.index('name="to_level"') : form.index("</select>")]
    return [part.split('"')[0] for part in select.split('value="')[1:]]


def test_no_second_suspension_while_one_runs_and_escalation_offers_only_next_levels(
    world, case, verified_client
):
    client = verified_client(world.coordinator)
    page = client.get(_url(case, "follow-up")).content.decode()
    assert 'data-testid="suspend-form"' in page
    assert _options(page) == ["1"]  # up one rung only; nothing below level 0
    followup_services.term_suspend(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        reason="Elders opgenomen.",
        starts_on=timezone.localdate(),
    )
    for level in (1, 2):
        followup_services.escalate(
            case=case,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            to_level=level,
            reason="Tempo stokt.",
        )
    page = client.get(_url(case, "follow-up")).content.decode()
    assert 'data-testid="suspend-form"' not in page
    assert "Termijn hervatten" in page
    assert _options(page) == ["0", "1", "3"]  # down to any rung, up one


def test_a_refused_post_returns_to_the_section_with_the_input_kept(world, case, verified_client):
    client = verified_client(world.coordinator)
    response = client.post(
        reverse("cases:action", args=[case.reference, "tijdlijn"]),
        {"date": "", "organisation_name": "GGZ Oost", "description": "Opname twee weken"},
        HTTP_REFERER="http://testserver" + _url(case, "voorbereiding"),
    )
    assert response["Location"] == _url(case, "voorbereiding")
    page = client.get(response["Location"]).content.decode()
    assert "Opname twee weken</textarea>" in page
    # A foreign or unknown referer never steers the redirect.
    response = client.post(
        reverse("cases:action", args=[case.reference, "vraag"]),
        {"text": "Wie neemt de regie?"},
        HTTP_REFERER="https://evil.example/casussen/" + case.reference + "/dossier/plan/",
    )
    assert response["Location"] == f"/casussen/{case.reference}/"


def test_overview_shows_state_term_checkin_actions_lead_and_next_step(
    world, partners, verified_client
):
    case, _goals = fu.follow_up_case(world, partners)
    first = CheckIn.objects.filter(phase__case=case).order_by("due_on").first()
    assert first is not None
    late = timezone.localdate() - timedelta(days=3)
    CheckIn.objects.filter(pk=first.pk).update(due_on=late)
    Task.objects.create(
        case=case,
        description="Woonplek navragen",
        organisation=partners[1].organisation,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    page = verified_client(world.coordinator).get(_url(case, "overzicht")).content.decode()
    overview = page[page.index('data-testid="overview"') :]
    overview = overview[: overview.index("</section>")]
    assert "Follow-up" in overview
    assert "dag" in overview  # time in state
    assert "passend aanbod uiterlijk" in overview and "nog " in overview
    assert 'data-testid="checkin-overdue"' in overview and "te laat" in overview
    assert "Woonplek navragen" in overview and "1 te laat" in overview
    assert "Dr. A. Regie" in overview
    steps = overview[overview.index('data-testid="next-steps"') :]
    # Written like every other date (issue 11 §5): "6 jan. 2027", not "6 Jan 2027".
    assert f"De check-in van {dutch_date(late)} is te laat" in steps
    assert "actie(s) uit de bespreking zijn over de datum" in steps


def test_overview_next_step_before_triage_and_none_for_the_referrer(world, verified_client):
    case = fu.registered_case(world.referrer)
    page = verified_client(world.coordinator).get(f"/casussen/{case.reference}/").content.decode()
    assert "Trieer de aanmelding aan de hand van de zeven criteria" in page
    assert "begint bij toelating" in page
    referrer = verified_client(world.referrer).get(_url(case, "overzicht")).content.decode()
    assert 'data-testid="overview"' in referrer and 'data-testid="next-steps"' not in referrer


def _print_html(response) -> str:  # type: ignore[no-untyped-def]
    """The HTML the PDF was made from (the test client records the template's context)."""
    context = response.context[0].flatten()
    return render_to_string("casework/case_print.html", context, request=response.wsgi_request)


def test_case_pdf_by_role_with_an_export_row(world, case, member_org, verified_client):
    fu.invite_with_consent(world, case, member_org)
    for user, sees_triage in ((world.coordinator, True), (world.table_member, False)):
        mark = last_log_id()
        response = verified_client(user).get(reverse("cases:pdf", args=[case.reference]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert [(r.action, r.outcome, r.case_reference, r.detail) for r in log_rows(mark)] == [
            ("export", "allowed", case.reference, "dossier als pdf")
        ]
        html = _print_html(response)
        assert case.reference in html and "Aanmelding" in html and "Overzicht" in html
        assert ("Besluit van de tafel" in html) == sees_triage
        assert ("Triagerondes" in html) == sees_triage
        text = pdf_text(response.content)
        if text is not None:
            assert case.reference in text
            assert ("Besluit van de tafel" in text) == sees_triage


def test_case_pdf_is_refused_and_logged_for_a_reader_without_access(world, case, verified_client):
    for user in (world.medical_adviser, world.other_table_coordinator):
        mark = last_log_id()
        response = verified_client(user).get(reverse("cases:pdf", args=[case.reference]))
        assert response.status_code == 403
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("export", "denied")]


def test_referrer_section_pages_hide_internal_triage_rounds(world, verified_client):
    case = fu.admitted_case(world)
    referrer = verified_client(world.referrer).get(_url(case, "triage")).content.decode()
    assert "Besluit van de tafel" in referrer and "Triagerondes" not in referrer
    coordinator = verified_client(world.coordinator).get(_url(case, "triage")).content.decode()
    assert "Triagerondes" in coordinator


def test_a_refused_escalation_comes_back_with_only_the_next_levels(world, case, verified_client):
    client = verified_client(world.coordinator)
    response = client.post(
        reverse("cases:action", args=[case.reference, "escaleren"]),
        {"to_level": "3", "reason": "Te traag."},
        HTTP_REFERER="http://testserver" + _url(case, "follow-up"),
    )
    page = client.get(response["Location"]).content.decode()
    assert "Escaleer één niveau tegelijk" in page
    assert _options(page) == ["1"]
    assert "Te traag.</textarea>" in page


def test_overview_after_the_term_passed_advises_the_next_rung_first(world, case, verified_client):
    term = case.table.offer_term_days
    Case.objects.filter(pk=case.pk).update(
        admitted_on=timezone.localdate() - timedelta(days=term + 5)
    )
    page = verified_client(world.coordinator).get(_url(case, "overzicht")).content.decode()
    overview = page[page.index('data-testid="overview"') :]
    assert "verstreken (-5 dagen)" in overview
    steps = overview[overview.index('data-testid="next-steps"') :]
    steps = steps[: steps.index("</ul>")]
    first = steps[steps.index("<li>") + 4 : steps.index("</li>")]
    assert first.startswith("De termijn is verstreken (5 dagen): escaleer naar niveau 1")
    assert "Voeg de betrokken partijen toe" in steps and "Agendeer de casus" in steps
