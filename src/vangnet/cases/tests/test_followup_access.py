"""Who sees what after admission: invited parties under consent, the medical adviser, documents,
the meeting PDF, and one access-log row for every request that touches a case."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry
from vangnet.cases import selectors, services, views_followup
from vangnet.cases.access import visible_cases
from vangnet.cases.models import AgendaItem, Document, FinancingDecision
from vangnet.directory.models import OrganisationType
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def log_rows(since: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(pk__gt=since).order_by("pk"))


def last_log_id() -> int:
    last = AccessLogEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def get_once(client, url: str) -> tuple[int, list[AccessLogEntry]]:
    mark = last_log_id()
    response = client.get(url)
    return response.status_code, log_rows(mark)


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.reference])


@pytest.fixture
def case(world):
    return fu.admitted_case(world)


@pytest.fixture
def member_org(world):
    return ms(world.table_member, Role.TABLE_MEMBER).organisation


# --- invited parties under consent -----------------------------------------------------------


def test_invited_member_sees_the_case_only_while_consent_covers_it(
    world, case, member_org, verified_client
):
    client = verified_client(world.table_member)
    m = ms(world.coordinator)
    today = timezone.localdate()

    def status(expected: int) -> None:
        code, rows = get_once(client, detail_url(case))
        assert code == expected
        assert len(rows) == 1  # every read of case data is logged, allowed or denied
        row = rows[0]
        assert (row.case_reference, row.action, row.role) == (
            case.reference,
            "read",
            Role.TABLE_MEMBER,
        )
        assert row.outcome == ("allowed" if expected == 200 else "denied")

    status(403)  # not involved at all
    party = services.party_add(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        role="Behandelaar",
    )
    status(403)  # a party, not yet invited
    consent = services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="patient",
        valid_from=today,
    )
    status(403)  # consent, but not invited
    services.party_invite(party=party, actor=world.coordinator, membership=m)
    status(200)  # invited and covered by consent
    services.consent_withdraw(consent=consent, actor=world.coordinator, membership=m)
    status(403)  # consent withdrawn
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="patient",
        valid_from=today + timedelta(days=1),
    )
    status(403)  # consent not yet valid
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="representative",
        valid_from=today - timedelta(days=60),
        valid_until=today - timedelta(days=1),
    )
    status(403)  # consent expired yesterday
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=member_org,
        given_by="representative",
        valid_from=today - timedelta(days=60),
        valid_until=today,
    )
    status(200)  # valid up to and including today


def test_invited_without_consent_is_refused(world, case, member_org, verified_client):
    fu.invite_with_consent(world, case, member_org, consent=False)
    client = verified_client(world.table_member)
    code, rows = get_once(client, detail_url(case))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]


def test_case_list_hides_a_case_from_uninvited_table_members(
    world, case, member_org, verified_client
):
    actor = actor_for(world.table_member)
    assert case not in visible_cases(actor)
    assert case not in selectors.case_list(actor)
    fu.invite_with_consent(world, case, member_org, consent=False)
    response = verified_client(world.table_member).get(reverse("cases:list"))
    assert response.status_code == 200
    assert case.reference not in response.content.decode()


def test_case_list_shows_a_case_to_an_invited_member_while_consent_covers_it(
    world, case, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    actor = actor_for(world.table_member)
    assert case in visible_cases(actor)
    assert case in selectors.case_list(actor)
    assert (
        case.reference
        in verified_client(world.table_member).get(reverse("cases:list")).content.decode()
    )


def test_table_member_of_another_organisation_never_sees_the_case(
    world, case, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    outsider = fu.partner("Andere instelling aan tafel 3")
    other_table_same_org = factories.member(Role.TABLE_MEMBER, organisation=member_org, table=1)
    for user in (outsider.user, other_table_same_org):
        client = verified_client(user)
        code, rows = get_once(client, detail_url(case))
        assert code == 403 and [r.outcome for r in rows] == ["denied"]
        assert case not in selectors.case_list(actor_for(user))
        assert case.reference not in client.get(reverse("cases:list")).content.decode()
    # ... while the invited organisation's member does see it.
    assert verified_client(world.table_member).get(detail_url(case)).status_code == 200


# --- the insurer's medical adviser -----------------------------------------------------------


@pytest.fixture
def insurers(db):
    a = factories.OrganisationFactory(
        name="Zilveren Kruis", organisation_type=OrganisationType.INSURER
    )
    b = factories.OrganisationFactory(name="CZ", organisation_type=OrganisationType.INSURER)
    return (
        (a, factories.member(Role.MEDICAL_ADVISER, organisation=a)),
        (b, factories.member(Role.MEDICAL_ADVISER, organisation=b)),
    )


def financing_url(case, decision) -> str:
    return reverse("cases:financing", args=[case.reference, decision.pk])


def test_medical_adviser_sees_only_the_financing_page_of_a_request_to_their_insurer(
    world, insurers, verified_client
):
    (ins_a, adviser_a), (ins_b, adviser_b) = insurers
    case = fu.plan_case(world)
    fu.add_goal(world, case, world.coordinator_org)
    decision = services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=ins_a
    )
    client_a = verified_client(adviser_a)
    code, rows = get_once(client_a, financing_url(case, decision))
    assert code == 200 and [(r.action, r.outcome, r.role) for r in rows] == [
        ("read", "allowed", Role.MEDICAL_ADVISER)
    ]
    page = client_a.get(financing_url(case, decision)).content.decode()
    assert case.reference in page and "Toets de zeven criteria" in page
    assert case.patient_name not in page and case.stuck_description not in page

    # The adviser never sees the full case, nor another insurer's request on it.
    code, rows = get_once(client_a, detail_url(case))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]
    code, rows = get_once(verified_client(adviser_b), financing_url(case, decision))
    assert code == 403 and [r.outcome for r in rows] == ["denied"]
    code, _ = get_once(verified_client(world.medical_adviser), financing_url(case, decision))
    assert code == 403
    other = services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=ins_b
    )
    code, rows = get_once(client_a, financing_url(case, other))
    assert code == 403 and len(rows) == 1
    assert verified_client(adviser_b).get(financing_url(case, other)).status_code == 200

    # The decision is recorded through the page, with one access-log row.
    mark = last_log_id()
    form = {f"criterion_{n}": "met" for n in range(1, 8)} | {
        "decision": "declined",
        "reason": "Reguliere zorg volstaat.",
    }
    response = client_a.post(financing_url(case, decision), form)
    assert response.status_code == 302
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "allowed")]
    decision.refresh_from_db()
    assert (decision.decision, decision.adviser) == (FinancingDecision.Decision.DECLINED, adviser_a)


def test_adviser_opening_another_insurers_request_is_logged_as_denied(
    world, insurers, verified_client
):
    (ins_a, adviser_a), (ins_b, _) = insurers
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    services.financing_request(case=case, actor=world.coordinator, membership=m, insurer=ins_a)
    other = services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=ins_b
    )
    code, rows = get_once(verified_client(adviser_a), financing_url(case, other))
    assert code == 403
    assert [(r.action, r.outcome) for r in rows] == [("read", "denied")]


# --- documents -------------------------------------------------------------------------------


@pytest.fixture
def document(world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.document_upload(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        name="brief.pdf",
        content=PDF,
    )


def doc_url(case, document) -> str:
    return reverse("cases:document", args=[case.reference, document.pk])


def test_document_download_is_logged_for_readers(
    world, case, document, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    for user in (world.coordinator, world.referrer, world.table_member):
        mark = last_log_id()
        response = verified_client(user).get(doc_url(case, document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert 'attachment; filename="brief.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        rows = log_rows(mark)
        assert [(r.action, r.outcome, r.case_reference, r.detail) for r in rows] == [
            ("download", "allowed", case.reference, f"document {document.pk}")
        ]


def test_document_download_stops_when_consent_is_withdrawn(
    world, case, document, member_org, verified_client
):
    _, consent = fu.invite_with_consent(world, case, member_org)
    client = verified_client(world.table_member)
    assert client.get(doc_url(case, document)).status_code == 200
    services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    mark = last_log_id()
    assert client.get(doc_url(case, document)).status_code == 403
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("download", "denied")]


def test_document_download_refused_for_outsiders_and_logged_as_denied(
    world, case, document, verified_client
):
    uninvited = world.table_member
    for user in (
        world.other_referrer,
        uninvited,
        world.medical_adviser,
        world.other_table_coordinator,
    ):
        mark = last_log_id()
        response = verified_client(user).get(doc_url(case, document))
        assert response.status_code == 403
        assert PDF not in response.content
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("download", "denied")]


def test_document_upload_through_the_page(world, case, settings, tmp_path, verified_client):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("cases:document_upload", args=[case.reference])
    client = verified_client(world.coordinator)
    mark = last_log_id()
    response = client.post(url, {"file": SimpleUploadedFile("plan.pdf", PDF)}, follow=True)
    assert "Document toegevoegd." in response.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile("plan.exe", b"MZ")}, follow=True)
    assert "Niet opgeslagen. Dit bestandstype is niet toegestaan" in bad.content.decode()
    assert Document.objects.filter(case=case).count() == 1
    assert [(r.action, r.outcome) for r in log_rows(mark) if r.case_reference] == [
        ("update", "allowed"),
        ("read", "allowed"),
        ("update", "allowed"),
        ("read", "allowed"),
    ]
    # The referrer may download but not attach.
    mark = last_log_id()
    denied = verified_client(world.referrer).post(url, {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert denied.status_code == 403
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "denied")]
    assert Document.objects.filter(case=case).count() == 1


# --- meetings: detail page and PDF, only what the reader may see -----------------------------


@pytest.fixture
def meeting_with_two_cases(world, member_org):
    visible = fu.admitted_case(world)
    hidden = fu.admitted_case(world)
    fu.invite_with_consent(world, visible, member_org)
    item = fu.started_item(visible, world.coordinator)
    meeting = item.meeting
    hidden_item = AgendaItem.objects.create(meeting=meeting, case=hidden, position=2)
    m = ms(world.coordinator)
    for i, text in ((item, "Zichtbaar besproken"), (hidden_item, "Geheim besproken")):
        services.minutes_record(
            item=i, actor=world.coordinator, membership=m, discussed=text, decisions="Plan maken"
        )
    return meeting, visible, hidden


def pdf_text(content: bytes) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(  # noqa: S603 - a fixed local tool reading our own PDF
        [tool, "-", "-"], input=content, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode()


def test_meeting_pdf_contains_only_cases_the_reader_may_see(
    world, meeting_with_two_cases, verified_client
):
    meeting, visible, hidden = meeting_with_two_cases
    client = verified_client(world.table_member)
    mark = last_log_id()
    response = client.get(reverse("meetings:pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # One row per case printed, naming the case: the hidden case is neither printed nor logged.
    assert [(r.action, r.outcome, r.case_reference) for r in log_rows(mark)] == [
        ("export", "allowed", visible.reference)
    ]

    items = views_followup._readable_items(world.table_member, meeting)
    assert [i.case for i in items] == [visible]
    html = render_to_string(
        "cases/meeting_print.html",
        {"meeting": meeting, "items": items, "printed_at": timezone.now()},
        request=response.wsgi_request,
    )
    assert visible.reference in html and "Zichtbaar besproken" in html
    assert hidden.reference not in html and "Geheim besproken" not in html
    text = pdf_text(response.content)
    if text is not None:
        assert visible.reference in text and hidden.reference not in text

    # The coordinator's print holds both; the meeting page follows the same rule.
    assert [i.case for i in views_followup._readable_items(world.coordinator, meeting)] == [
        visible,
        hidden,
    ]
    mark = last_log_id()
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert visible.reference in page
    assert hidden.reference not in page and "Geheim besproken" not in page
    assert [r.case_reference for r in log_rows(mark)] == [visible.reference]
    mark = last_log_id()
    verified_client(world.coordinator).get(reverse("meetings:detail", args=[meeting.pk]))
    assert sorted(r.case_reference for r in log_rows(mark)) == sorted(
        [visible.reference, hidden.reference]
    )


def test_meeting_pages_refused_outside_the_table(world, meeting_with_two_cases, verified_client):
    meeting, _, _ = meeting_with_two_cases
    for user in (world.other_table_coordinator, world.referrer, world.medical_adviser):
        client = verified_client(user)
        assert client.get(reverse("meetings:pdf", args=[meeting.pk])).status_code == 403
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 403


# --- every action POST writes exactly one access-log row --------------------------------------


def test_every_action_post_writes_exactly_one_access_log_row(world, case, verified_client):
    coordinator = verified_client(world.coordinator)
    outsider = verified_client(world.other_referrer)
    for name in views_followup.ACTIONS:
        url = reverse("cases:action", args=[case.reference, name])
        for who, client in (("coordinator", coordinator), ("outsider", outsider)):
            mark = last_log_id()
            response = client.post(url, {})
            rows = log_rows(mark)
            assert len(rows) == 1, (name, who, rows)
            assert (rows[0].action, rows[0].case_reference, rows[0].detail) == (
                "update",
                case.reference,
                name,
            )
            if who == "outsider":
                assert response.status_code == 403 and rows[0].outcome == "denied"
            else:
                assert response.status_code in {302, 403, 404}, (name, response.status_code)
                assert rows[0].outcome == ("denied" if response.status_code == 403 else "allowed")


# Actions that name an object by a POSTed id, and the name of that field.
ID_FIELDS = {
    "uitnodigen": "party",
    "toestemming-intrekken": "consent",
    "delen": "item",
    "check-in": "checkin",
    "actie-afgerond": "task",
    "hervatten": "suspension",
    "escalatie-resultaat": "step",
}


def test_action_with_a_malformed_id_is_a_clean_refusal(world, case, verified_client):
    client = verified_client(world.coordinator)
    for name, field in sorted(ID_FIELDS.items()):
        mark = last_log_id()
        response = client.post(reverse("cases:action", args=[case.reference, name]), {field: "abc"})
        assert response.status_code in {302, 404}, name
        assert len(log_rows(mark)) == 1, name


def test_meeting_post_with_a_malformed_item_is_a_clean_refusal(world, case, verified_client):
    item = fu.started_item(case, world.coordinator)
    response = verified_client(world.coordinator).post(
        reverse("meetings:detail", args=[item.meeting.pk]),
        {"op": "minutes", "item": "abc", "discussed": "x", "decisions": "y"},
    )
    assert response.status_code in {302, 404}


def test_action_posts_succeed_or_explain_with_one_row_each(world, case, verified_client):
    client = verified_client(world.coordinator)
    url = lambda name: reverse("cases:action", args=[case.reference, name])  # noqa: E731
    posts = [
        (
            "tijdlijn",
            {
                "date": str(timezone.localdate()),
                "organisation_name": "GGZ",
                "description": "Opname",
            },
            "Gebeurtenis toegevoegd",
        ),
        ("escaleren", {"to_level": "1", "reason": "Geen tempo"}, "Escalatiestap vastgelegd"),
        (
            "escaleren",
            {"to_level": "3", "reason": "Sneller"},
            "Niet opgeslagen. Escaleer één niveau tegelijk",
        ),
        ("tijdlijn", {}, "Niet opgeslagen."),
        (
            "afsluiten",
            {"outcome": "new_offer"},
            "Niet opgeslagen. Geef aan of de patiënt het nieuwe aanbod heeft aanvaard",
        ),
    ]
    for name, data, message in posts:
        mark = last_log_id()
        response = client.post(url(name), data)
        assert response.status_code == 302
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "allowed")]
        page = client.get(response["Location"]).content.decode()
        assert message in page, (name, message)
    case.refresh_from_db()
    assert case.escalation_level == 1 and case.timeline_entries.count() == 1
    # The unknown action touches no case data and logs nothing.
    mark = last_log_id()
    assert client.post(url("verwijderen"), {}).status_code == 404
    assert log_rows(mark) == []
