"""The continuity part of the plan section in the case file, the page actions, the GP letter as
PDF and the GP's letters: role × page, every read and refusal logged (issue 16 §2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.continuity import services
from vangnet.continuity.models import CrisisCard, GpLetter, MedicationLine
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.access import get_once, last_log_id, log_rows
from vangnet.testing.followup import ms

from .helpers import add_line, consent_for, overview, practice, save_card, set_gp
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db


def plan_url(case) -> str:
    return reverse("cases:section", args=[case.reference, "plan"])


def action(client, case, name, data):
    return client.post(
        reverse("cases:action", args=[case.reference, name]),
        data,
        HTTP_REFERER=plan_url(case),
        follow=True,
    )


@pytest.fixture
def filled(world, partners):
    """A case in follow-up with a card, a medication overview and a GP practice with consent."""
    case, _ = fu.follow_up_case(world, partners)
    org, gp = practice()
    set_gp(world, case, org)
    consent_for(world, case, org)
    save_card(world, case, share_with_gp=True)
    overview(world, case)
    add_line(world, case)
    return case, org, gp


def test_plan_section_shows_continuity_to_those_who_read_the_plan(
    world, partners, filled, verified_client
):
    case, _org, gp = filled
    member = partners[0].user  # invited with consent
    readers = {world.coordinator: True, world.referrer: True, member: True, world.screener: True}
    for user, sees in readers.items():
        code, rows = get_once(verified_client(user), plan_url(case))
        assert code == 200
        assert [(r.action, r.outcome, r.detail) for r in rows] == [
            ("read", "allowed", "dossier plan")
        ]
        page = verified_client(user).get(plan_url(case)).content.decode()
        assert ("Slaapt slecht" in page) == sees and "Quetiapine" in page
    # those who may not read the case: refused, logged
    outsider = factories.member(Role.TABLE_MEMBER, table=3)
    for user in (world.other_table_coordinator, world.medical_adviser, gp, outsider):
        code, rows = get_once(verified_client(user), plan_url(case))
        assert code == 403 and [r.outcome for r in rows] == ["denied"]


def test_a_table_member_whose_consent_was_withdrawn_no_longer_sees_it(
    world, partners, filled, verified_client
):
    from vangnet.cases import services as case_services

    case, _, _ = filled
    p = partners[0]
    consent = case.consents.get(organisation=p.organisation)
    case_services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    code, rows = get_once(verified_client(p.user), plan_url(case))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]


def test_only_the_coordinator_may_post_continuity_forms(world, partners, filled, verified_client):
    case, _, _ = filled
    data = {
        "medicine": "Lithium",
        "dose_amount": "400",
        "dose_unit": "mg",
        "frequency": "2x per dag",
        "prescriber": "Dr. P",
        "since": "2026-01-05",
        "checked_on": "2026-02-01",
    }
    for user in (world.referrer, partners[0].user, world.screener):
        mark = last_log_id()
        response = verified_client(user).post(
            reverse("cases:action", args=[case.reference, "medicijn"]), data
        )
        assert response.status_code == 403
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "denied")]
    assert not MedicationLine.objects.filter(medicine="Lithium").exists()


def test_coordinator_fills_in_continuity_on_the_page_with_dutch_errors(
    world, partners, verified_client
):
    case, _ = fu.follow_up_case(world, partners)
    client = verified_client(world.coordinator)
    page = client.get(plan_url(case)).content.decode()
    assert 'data-testid="crisis-card-form"' in page and 'data-testid="medication-form"' in page
    review = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = action(
        client,
        case,
        "crisiskaart",
        {
            "early_signs": "Slaapt slecht",
            "what_helps": "Wandelen",
            "client_words": "",
            "contact_1_who": "Crisisdienst",
            "contact_1_phone": "0205235400",
            "contact_1_hours": "dag en nacht",
            "review_on": review,
            "share_with_gp": "on",
        },
    )
    assert "Leg eerst de huisartsenpraktijk" in response.content.decode()
    assert not CrisisCard.objects.exists()
    response = action(
        client,
        case,
        "crisiskaart",
        {
            "early_signs": "Slaapt slecht",
            "what_helps": "Wandelen",
            "client_words": "",
            "contact_1_who": "Crisisdienst",
            "contact_1_phone": "0205235400",
            "contact_1_hours": "dag en nacht",
            "review_on": review,
        },
    )
    assert "Crisiskaart vastgelegd (versie 1)" in response.content.decode()
    action(
        client,
        case,
        "medicatieoverzicht",
        {
            "somatic_screening_by": "Huisarts",
            "pharmaceutical_care_by": "Psychiater",
            "review_on": review,
        },
    )
    response = action(
        client,
        case,
        "medicijn",
        {
            "medicine": "Lithium",
            "dose_amount": "40000",
            "dose_unit": "mg",
            "frequency": "2x per dag",
            "prescriber": "Dr. P",
            "since": "2026-01-05",
            "checked_on": "2026-02-01",
        },
    )
    html = response.content.decode()
    assert "onmogelijk hoog" in html and 'value="40000"' in html  # the typed form comes back
    assert not MedicationLine.objects.exists()
    response = action(
        client,
        case,
        "medicijn",
        {
            "medicine": "Lithium",
            "dose_amount": "400",
            "dose_unit": "mg",
            "frequency": "2x per dag",
            "prescriber": "Dr. P",
            "since": "2026-01-05",
            "checked_on": "2026-02-01",
        },
    )
    assert "Lithium toegevoegd" in response.content.decode()


def test_checkin_form_and_message_warn_when_reviews_are_overdue(
    world, partners, filled, verified_client
):
    case, _, _ = filled
    CrisisCard.objects.filter(case=case).update(review_on=timezone.localdate() - timedelta(days=2))
    client = verified_client(world.coordinator)
    page = client.get(reverse("cases:section", args=[case.reference, "follow-up"])).content.decode()
    assert 'data-testid="checkin-review-warnings"' in page and "crisiskaart had op" in page
    goals = case.plan.goals.all()
    checkin = case.phases.first().checkins.order_by("due_on").first()
    data = {"checkin": checkin.pk, "summary": "Rustige maand."}
    data.update({f"goal_{g.pk}": "on_track" for g in goals})
    response = client.post(
        reverse("cases:action", args=[case.reference, "check-in"]), data, follow=True
    )
    html = response.content.decode()
    assert "Check-in vastgelegd. Let op: De crisiskaart had op" in html
    assert "medicatieoverzicht had op" not in html  # that one is not overdue
    # the case file's "Wat nu" names it too
    overview = client.get(
        reverse("cases:section", args=[case.reference, "overzicht"])
    ).content.decode()
    assert "De crisiskaart had op" in overview


# --- GP letter PDF ----------------------------------------------------------------------------


def test_gp_letter_pdf_carries_what_the_gp_needs_and_no_bsn(
    world, partners, filled, verified_client
):
    case, _org, gp = filled
    case.patient_bsn = "123456782"  # a BSN the letter must not carry
    case.save(update_fields=["patient_bsn"])
    letter = services.gp_letter_create(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), event="planned"
    )
    url = reverse("continuity:letter_pdf", args=[letter.pk])
    for user in (world.coordinator, gp):
        mark = last_log_id()
        response = verified_client(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert [(r.action, r.outcome, r.case_reference) for r in log_rows(mark)] == [
            ("export", "allowed", case.reference)
        ]
    text = pdf_text(response.content)
    compact = text.replace(" ", "")
    assert case.reference in text and "Integraal plan vastgesteld" in text
    assert case.patient_name in text
    assert "Somatische screening" in text and "Huisarts (jaarlijks), POH-ggz" in text
    assert "Slaapt slecht" in text  # the crisis card, shared with consent
    assert case.patient_bsn not in compact
    assert case.stuck_description[:30] not in text  # nothing the GP does not need


def test_gp_letter_pdf_refused_without_consent_or_for_another_practice(
    world, partners, filled, verified_client
):
    from vangnet.cases import services as case_services

    case, org, gp = filled
    letter = services.gp_letter_create(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), event="admitted"
    )
    url = reverse("continuity:letter_pdf", args=[letter.pk])
    _, other_gp = practice("Andere praktijk")
    for user in (other_gp, world.referrer, partners[0].user, world.other_table_coordinator):
        code, rows = get_once(verified_client(user), url)
        assert code == 403 and [(r.action, r.outcome) for r in rows] == [("export", "denied")]
    consent = case.consents.get(organisation=org)
    case_services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    code, rows = get_once(verified_client(gp), url)
    assert code == 403 and [r.outcome for r in rows] == ["denied"]
    # the inbox no longer lists it either
    page = verified_client(gp).get(reverse("continuity:inbox")).content.decode()
    assert f'data-testid="letter-{letter.pk}"' not in page


def test_gp_inbox_lists_letters_for_the_practice(world, partners, filled, verified_client):
    case, _org, gp = filled
    letter = services.gp_letter_create(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), event="admitted"
    )
    mark = last_log_id()
    page = verified_client(gp).get(reverse("continuity:inbox")).content.decode()
    assert f'data-testid="letter-{letter.pk}"' in page and case.patient_name not in page
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("list", "allowed")]
    code, rows = get_once(verified_client(world.referrer), reverse("continuity:inbox"))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]


def test_gp_letter_without_consent_on_the_page_says_why_and_is_logged(
    world, partners, verified_client
):
    case, _ = fu.follow_up_case(world, partners)
    org, _ = practice()
    set_gp(world, case, org)
    client = verified_client(world.coordinator)
    mark = last_log_id()
    response = action(client, case, "huisartsbrief", {"event": "planned"})
    assert (
        "geen geldige toestemming gegeven om Huisartsenpraktijk De Linde te informeren"
        in response.content.decode()
    )
    assert ("export", "denied", "huisartsbrief zonder toestemming") in [
        (r.action, r.outcome, r.detail) for r in log_rows(mark)
    ]
    assert not GpLetter.objects.exists()


def test_gp_contact_and_handover_forms_on_the_page(world, partners, verified_client):
    from vangnet.cases.organisation_field import organisation_label
    from vangnet.continuity.models import CaseGp, ContactPerson, Handover

    case, _ = fu.follow_up_case(world, partners)
    org, _ = practice()
    client = verified_client(world.coordinator)
    response = action(client, case, "huisarts", {"practice": world.coordinator_org.name})
    assert "Geen organisatie gevonden" in response.content.decode()  # not a GP practice
    response = action(
        client, case, "huisarts", {"practice": organisation_label(org), "gp_name": "Dr. H. Arts"}
    )
    assert "Huisartsenpraktijk vastgelegd" in response.content.decode()
    assert CaseGp.objects.get(case=case).practice == org
    response = action(
        client,
        case,
        "contactpersoon",
        {
            "audience": "gp",
            "name": "M. Jansen",
            "organisation": "Arkin",
            "phone": "020 123 45 67",
            "reachable": "ma–vr 9–17",
            "until": "de volgende bespreking",
        },
    )
    assert "Contactpersoon voor huisarts vastgelegd" in response.content.decode()
    response = action(
        client,
        case,
        "overdracht",
        {
            "kind": "gp",
            "handed_over_by": "M. Jansen (Arkin)",
            "taken_over_by": "Dr. H. Arts",
            "taken_over_organisation": organisation_label(org),
            "spoke_on": timezone.localdate().isoformat(),
            "agreed_aftercare": "POH-ggz ziet de cliënt maandelijks.",
        },
    )
    assert "Warme overdracht vastgelegd" in response.content.decode()
    page = client.get(plan_url(case)).content.decode()
    assert "Dr. H. Arts (Huisartsenpraktijk De Linde)" in page and "M. Jansen (Arkin)" in page
    assert (
        ContactPerson.objects.filter(case=case).count() == 1
        and Handover.objects.filter(case=case).count() == 1
    )


def test_gp_inbox_pages_every_letter_once_and_hides_those_without_consent(
    world, partners, filled, verified_client, monkeypatch
):
    """Issue 12 §3: no silent cap of 200: "Meer berichten" pages on (keyset), each letter once
    with ties in the time; consent is checked in the query, so a page's queries do not grow
    with the letters; a letter about a case without consent for the practice stays hidden."""
    import re

    from vangnet.continuity import views
    from vangnet.testing.pages import walk

    monkeypatch.setattr(views, "LETTERS_PER_PAGE", 3)
    case, org, gp = filled
    other, _ = fu.follow_up_case(world, partners)  # no consent for this practice
    moment = timezone.now().replace(microsecond=0)

    def letters(count: int, about=case) -> list[GpLetter]:
        return GpLetter.objects.bulk_create(
            [
                GpLetter(
                    case=about,
                    event="admitted",
                    practice=org,
                    delivery="vangnet",
                    created_at=moment,
                )
                for _ in range(count)
            ]
        )

    def rows(html: str) -> list[str]:
        return re.findall(r'data-testid="letter-(\d+)"', html)

    GpLetter.objects.all().delete()
    hidden = letters(2, about=other)
    made = letters(3)
    client = verified_client(gp)
    _, few = walk(client, reverse("continuity:inbox"), rows)
    made += letters(10)
    seen, many = walk(client, reverse("continuity:inbox"), rows)
    assert sorted(map(int, seen)) == sorted(letter.pk for letter in made)
    assert not {str(letter.pk) for letter in hidden} & set(seen)
    assert len(many) == 5 and max(many) <= max(few)


def test_gp_inbox_answers_a_tampered_cursor_with_its_first_page_and_why(verified_client):
    from vangnet.testing.pages import assert_cursor_refused

    _org, gp = practice()
    url = reverse("continuity:inbox")
    assert_cursor_refused(verified_client(gp), url + "?na=vervalst", first=url)
