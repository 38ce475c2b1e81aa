"""Issue 4 services, from admission to closure: each happy path, each refusal, each transition.

Every refusal is checked for its Dutch message and for "nothing half-saved": the row counts of all
issue-4 tables (and the case history and notifications) are the same before and after.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vangnet.accounts.models import Notification, Role
from vangnet.accounts.selectors import actor_for
from vangnet.cases import selectors, services
from vangnet.cases.models import (
    AgendaItem,
    Case,
    CaseEvent,
    CaseParty,
    CheckIn,
    Consent,
    Document,
    EscalationStep,
    FinancingDecision,
    FollowUpPhase,
    GoalProgress,
    Meeting,
    MeetingQuestion,
    Participant,
    Plan,
    PlanGoal,
    PlanRevision,
    Task,
    TermSuspension,
    TimelineEntry,
)
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.consultations import selectors as consultation_selectors
from vangnet.consultations import services as consultation_services
from vangnet.consultations.models import Consultation
from vangnet.directory.models import OrganisationType
from vangnet.engines.followup import add_months
from vangnet.monitor import codes
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

TRACKED = [
    TimelineEntry,
    CaseParty,
    Consent,
    MeetingQuestion,
    Document,
    Meeting,
    AgendaItem,
    Participant,
    Task,
    Plan,
    PlanGoal,
    PlanRevision,
    FinancingDecision,
    FollowUpPhase,
    CheckIn,
    GoalProgress,
    TermSuspension,
    EscalationStep,
    CaseEvent,
    Notification,
    Consultation,
]
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FROZEN = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in TRACKED}


def refused(call, match: str, exc: type[Exception] = DomainError) -> Exception:
    """`call` raises `exc` with a message containing `match`, and leaves every table as it was."""
    before = counts()
    with pytest.raises(exc) as info:
        call()
    assert match in str(info.value), str(info.value)
    assert counts() == before
    return info.value


def events(case: Case) -> list[str]:
    return list(case.events.values_list("transition", flat=True))


@pytest.fixture
def coord(world):
    return ms(world.coordinator)


@pytest.fixture
def admitted(world):
    return fu.admitted_case(world)


@pytest.fixture
def partners(db):
    return [fu.partner("Arkin Behandeling"), fu.partner("Beschermd Wonen Amsterdam")]


@pytest.fixture
def frozen():
    with freeze_time(FROZEN) as f:
        yield f


def at(hours: float) -> datetime:
    return FROZEN + timedelta(hours=hours)


# --- admission -------------------------------------------------------------------------------


def test_admission_starts_the_term_on_the_day_of_confirmation(world):
    with freeze_time(FROZEN):
        case = fu.admitted_case(world)
    assert case.state == State.ADMITTED
    assert case.admitted_on == date(2027, 3, 1)
    assert case.escalation_level == 0


# --- preparation: timeline, parties, consent, questions --------------------------------------


def test_timeline_entry_is_dated_and_attributed(world, admitted, coord):
    day = timezone.localdate() - timedelta(days=30)
    entry = services.timeline_add(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        on=day,
        organisation_name="GGZ Noord",
        description="Crisisopname.",
    )
    assert list(admitted.timeline_entries.all()) == [entry]
    assert (entry.date, entry.added_by) == (day, world.coordinator)


@pytest.mark.parametrize(
    ("days", "org", "text", "message"),
    [
        (1, "GGZ Noord", "Opname", "ligt in de toekomst"),
        (0, "", "Opname", "De organisatie is verplicht"),
        (0, "GGZ Noord", "  ", "Wat er gebeurde is verplicht"),
        (0, "GGZ Noord", "<script>x</script>", "HTML of script"),
    ],
)
def test_timeline_refuses_bad_input(world, admitted, coord, days, org, text, message):
    refused(
        lambda: services.timeline_add(
            case=admitted,
            actor=world.coordinator,
            membership=coord,
            on=timezone.localdate() + timedelta(days=days),
            organisation_name=org,
            description=text,
        ),
        message,
    )


def test_party_added_with_mandate_and_recorded_in_history(world, admitted, coord):
    org = factories.OrganisationFactory(name="Beschermd Wonen Noord")
    party = services.party_add(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        organisation=org,
        role="Beschermd wonen",
        contact_name="M. de Boer",
        contact_email="m.deboer@example.org",
        has_mandate=True,
        already_did="Intake gedaan.",
    )
    assert party.has_mandate and party.invited_at is None
    last = admitted.events.last()
    assert last.transition == "party_add" and "Beschermd Wonen Noord" in last.note


def test_party_refusals(world, admitted, coord):
    org = factories.OrganisationFactory(name="Dubbel")
    args = dict(actor=world.coordinator, membership=coord, organisation=org)
    services.party_add(case=admitted, role="Behandelaar", **args)
    refused(lambda: services.party_add(case=admitted, role="Nog eens", **args), "al betrokken")
    other = fu.admitted_case(world)
    refused(lambda: services.party_add(case=other, role="", **args), "De rol is verplicht")
    registered = fu.registered_case(world.referrer)
    refused(
        lambda: services.party_add(case=registered, role="Behandelaar", **args),
        "Een partij toevoegen is niet mogelijk in de huidige status (Aangemeld)",
        InvalidTransition,
    )


def test_party_invite_tells_the_organisations_table_members_once(world, admitted, coord):
    p = fu.partner("Verslavingszorg Mentrum")
    party = services.party_add(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        organisation=p.organisation,
        role="VZ",
    )
    services.party_invite(party=party, actor=world.coordinator, membership=coord)
    party.refresh_from_db()
    assert party.invited_at is not None
    note = Notification.objects.get(user=p.user)
    assert note.subject == f"Uitnodiging voor casus {admitted.reference}"
    assert admitted.patient_name not in note.subject + note.body
    assert events(admitted)[-1] == "party_invite"
    refused(
        lambda: services.party_invite(party=party, actor=world.coordinator, membership=coord),
        "is al uitgenodigd",
    )


def test_consent_recorded_for_a_period_and_withdrawn_once(world, admitted, coord):
    org = factories.OrganisationFactory(name="Leger des Heils")
    today = timezone.localdate()
    consent = services.consent_record(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        organisation=org,
        given_by="representative",
        valid_from=today,
        valid_until=today + timedelta(days=90),
    )
    assert admitted.events.last().transition == "consent_record"
    assert "Leger des Heils" in admitted.events.last().note
    services.consent_withdraw(consent=consent, actor=world.coordinator, membership=coord)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert events(admitted)[-1] == "consent_withdraw"
    refused(
        lambda: services.consent_withdraw(
            consent=consent, actor=world.coordinator, membership=coord
        ),
        "al ingetrokken",
    )


@pytest.mark.parametrize(
    ("given_by", "until_days", "message"),
    [("buurman", None, "Kies wie toestemming gaf"), ("patient", -1, "eindigt vóór zij begint")],
)
def test_consent_refusals(world, admitted, coord, given_by, until_days, message):
    today = timezone.localdate()
    refused(
        lambda: services.consent_record(
            case=admitted,
            actor=world.coordinator,
            membership=coord,
            organisation=world.coordinator_org,
            given_by=given_by,
            valid_from=today,
            valid_until=None if until_days is None else today + timedelta(days=until_days),
        ),
        message,
    )


def test_questions_for_the_meeting(world, admitted, coord):
    q = services.question_add(
        case=admitted, actor=world.coordinator, membership=coord, text="Wie neemt regie?"
    )
    assert q.asked_by == world.coordinator
    refused(
        lambda: services.question_add(
            case=admitted, actor=world.coordinator, membership=coord, text=" "
        ),
        "De vraag is verplicht",
    )


# --- documents -------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "cases"


def stored_files(media) -> list:
    return sorted(media.iterdir()) if media.exists() else []


def test_document_stored_under_a_random_name_outside_the_web_root(world, admitted, coord, media):
    doc = services.document_upload(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        name="../../verslag.pdf",
        content=PDF,
    )
    path = services.document_path(doc)
    assert path.parent == media and path.read_bytes() == PDF
    assert doc.storage_name != "verslag.pdf" and doc.storage_name.endswith(".pdf")
    assert "verslag" not in doc.storage_name
    assert doc.original_name == "verslag.pdf"  # no directories from the upload name
    assert (doc.content_type, doc.size) == ("application/pdf", len(PDF))
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert admitted.events.last().transition == "document_upload"
    assert "verslag" not in admitted.events.last().note


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Dit bestandstype is niet toegestaan"),
        ("pagina.html", b"<html></html>", "Dit bestandstype is niet toegestaan"),
        ("zonder-extensie", PDF, "Dit bestandstype is niet toegestaan"),
        ("leeg.pdf", b"", "Het bestand is leeg"),
        ("nep.pdf", PNG, "past niet bij de extensie"),
        ("nep.png", PDF, "past niet bij de extensie"),
        ("nep.docx", PDF, "past niet bij de extensie"),
        ("binair.txt", b"tekst\x00met nul", "past niet bij de extensie"),
    ],
)
def test_document_refused_by_type_or_magic_bytes(
    world, admitted, coord, media, name, content, message
):
    refused(
        lambda: services.document_upload(
            case=admitted, actor=world.coordinator, membership=coord, name=name, content=content
        ),
        message,
    )
    assert stored_files(media) == []


def test_document_too_large_refused_and_nothing_stored(world, admitted, coord, media):
    limit = services.MAX_DOCUMENT_BYTES
    big = PDF + b"0" * (limit - len(PDF) + 1)
    refused(
        lambda: services.document_upload(
            case=admitted, actor=world.coordinator, membership=coord, name="groot.pdf", content=big
        ),
        "Het bestand is te groot: maximaal 10 MB",
    )
    assert stored_files(media) == []
    exact = PDF + b"0" * (limit - len(PDF))
    services.document_upload(
        case=admitted, actor=world.coordinator, membership=coord, name="precies.pdf", content=exact
    )
    assert len(stored_files(media)) == 1


def test_plain_text_with_dutch_accents_beyond_two_kilobytes_is_accepted(
    world, admitted, coord, media
):
    text = ("Verslag. " * 227 + "Dus één patiënt wil wonen.").encode()
    assert text[2047:2049] == "é".encode()  # the 2048th byte starts a two-byte character
    text.decode("utf-8")  # valid UTF-8
    services.document_upload(
        case=admitted, actor=world.coordinator, membership=coord, name="notitie.txt", content=text
    )


# --- meetings --------------------------------------------------------------------------------


def schedule(world, **overrides):
    values = dict(
        table=Table.objects.get(number=3),
        actor=world.coordinator,
        membership=ms(world.coordinator),
        kind=Meeting.Kind.SCHEDULED,
        starts_at=at(24),
        ends_at=at(26),
        chair_type=Meeting.Chair.INDEPENDENT,
        location="Arkin, Amsterdam",
    )
    values.update(overrides)
    return services.meeting_schedule(**values)


def test_scheduled_meeting_with_an_agenda(frozen, world):
    a, b = fu.admitted_case(world), fu.admitted_case(world)
    meeting, warnings = schedule(
        world,
        cases=[a, b],
        chair_type=Meeting.Chair.ROTATING,
        video_link="https://meet.example.org/x",
    )
    assert warnings == []
    assert [(i.case, i.position) for i in meeting.items.all()] == [(a, 1), (b, 2)]
    assert events(a)[-1] == events(b)[-1] == "agenda_add"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": at(-1), "ends_at": at(1)}, "niet in het verleden"),
        ({"starts_at": at(0), "ends_at": at(1)}, "niet in het verleden"),
        ({"starts_at": at(3), "ends_at": at(3)}, "moet eindigen na het begin"),
        ({"starts_at": at(3), "ends_at": at(2)}, "moet eindigen na het begin"),
        ({"location": " ", "video_link": ""}, "Vermeld een plaats of een videolink"),
        ({"kind": "informeel"}, "Kies het soort bespreking"),
        ({"chair_type": "niemand"}, "Kies het type voorzitterschap"),
        ({"kind": Meeting.Kind.AD_HOC}, "precies één casus"),
    ],
)
def test_meeting_refusals(frozen, world, overrides, message):
    refused(lambda: schedule(world, **overrides), message)


def test_meeting_must_not_overlap_another_meeting_of_the_table(frozen, world):
    schedule(world, starts_at=at(24), ends_at=at(26))
    for start, end in [(at(24), at(26)), (at(25), at(27)), (at(23), at(24.5)), (at(23), at(27))]:
        refused(
            lambda s=start, e=end: schedule(world, starts_at=s, ends_at=e),
            "overlapt met een andere bespreking van de tafel (02-03-2027 10:00)",
        )
    schedule(world, starts_at=at(26), ends_at=at(27))  # back to back is fine
    schedule(world, starts_at=at(23), ends_at=at(24))
    other = factories.member(Role.COORDINATOR, table=1)
    schedule(  # another table meets at the same time
        world, table=Table.objects.get(number=1), actor=other, membership=ms(other)
    )


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.integers(min_value=1, max_value=40), length=st.integers(min_value=1, max_value=8))
def test_overlap_property(frozen, world, start, length):
    """Half-hour slots: a second meeting fits iff it does not share a moment with [20, 24)."""
    with transaction.atomic():
        schedule(world, starts_at=at(10), ends_at=at(12))
        s, e = at(start / 2), at((start + length) / 2)
        fits = e <= at(10) or s >= at(12)
        if fits:
            schedule(world, starts_at=s, ends_at=e)
        else:
            with pytest.raises(DomainError, match="overlapt"):
                schedule(world, starts_at=s, ends_at=e)
        assert Meeting.objects.count() == (2 if fits else 1)
        transaction.set_rollback(True)


@pytest.mark.parametrize(("days_after", "warned"), [(0, False), (7, False), (8, True), (20, True)])
def test_ad_hoc_meeting_for_one_case_warns_later_than_a_week(frozen, world, days_after, warned):
    case = fu.admitted_case(world)  # admitted 1 March 2027
    start = at(24 * days_after + 2)
    _, warnings = schedule(
        world,
        kind=Meeting.Kind.AD_HOC,
        cases=[case],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    assert bool(warnings) is warned
    if warned:
        assert case.reference in warnings[0] and "binnen een week" in warnings[0]


def test_ad_hoc_meeting_with_two_cases_refused(frozen, world):
    cases = [fu.admitted_case(world), fu.admitted_case(world)]
    refused(lambda: schedule(world, kind=Meeting.Kind.AD_HOC, cases=cases), "precies één casus")


def test_only_the_tables_coordinator_schedules(frozen, world):
    refused(
        lambda: schedule(
            world, actor=world.table_member, membership=ms(world.table_member, Role.TABLE_MEMBER)
        ),
        "Alleen de coördinator van deze tafel",
        NotAllowed,
    )
    other = world.other_table_coordinator
    refused(
        lambda: schedule(world, actor=other, membership=ms(other)),
        "Alleen de coördinator van deze tafel",
        NotAllowed,
    )


def test_meeting_with_an_unfit_case_is_not_half_saved(frozen, world):
    ok = fu.admitted_case(world)
    registered = fu.registered_case(world.referrer)
    refused(
        lambda: schedule(world, cases=[ok, registered]),
        "Agenderen is niet mogelijk",
        InvalidTransition,
    )
    elsewhere = fu.admitted_case(world)
    Case.objects.filter(pk=elsewhere.pk).update(table=Table.objects.get(number=1))
    elsewhere.refresh_from_db()
    refused(lambda: schedule(world, cases=[ok, elsewhere]), "hoort niet bij deze tafel")


def test_agenda_and_participants(frozen, world):
    case = fu.admitted_case(world)
    meeting, _ = schedule(world)
    m = ms(world.coordinator)
    item = services.agenda_add(meeting=meeting, case=case, actor=world.coordinator, membership=m)
    refused(
        lambda: services.agenda_add(
            meeting=meeting, case=case, actor=world.coordinator, membership=m
        ),
        "staat al op de agenda",
    )
    org = factories.OrganisationFactory(name="Gemeente Amsterdam")
    services.participant_add(
        item=item,
        actor=world.coordinator,
        membership=m,
        kind="organisation",
        person_name="W. Wethouder",
        organisation=org,
        has_mandate=True,
    )
    services.participant_add(
        item=item, actor=world.coordinator, membership=m, kind="patient", person_name="De patiënt"
    )
    services.participant_add(
        item=item, actor=world.coordinator, membership=m, kind="relative", person_name="Zus"
    )
    assert [(p.kind, p.has_mandate) for p in item.participants.all()] == [
        ("organisation", True),
        ("patient", False),
        ("relative", False),
    ]
    refused(
        lambda: services.participant_add(
            item=item, actor=world.coordinator, membership=m, kind="organisation", person_name="X"
        ),
        "Kies de organisatie van de deelnemer",
    )
    refused(
        lambda: services.participant_add(
            item=item, actor=world.coordinator, membership=m, kind="toeschouwer", person_name="X"
        ),
        "Kies het soort deelnemer",
    )
    refused(
        lambda: services.participant_add(
            item=item, actor=world.coordinator, membership=m, kind="patient", person_name=""
        ),
        "De naam van de deelnemer is verplicht",
    )


def test_share_prepared_case_before_the_meeting(frozen, world):
    case = fu.admitted_case(world)
    meeting, _ = schedule(world, cases=[case])
    item = meeting.items.get()
    m = ms(world.coordinator)

    def share():
        return services.case_share_prepared(item=item, actor=world.coordinator, membership=m)

    refused(share, "Nodig eerst minstens één partij uit")
    p = fu.partner("Leger des Heils Amsterdam")
    fu.invite_with_consent(world, case, p.organisation, consent=False)
    refused(share, "Nodig eerst minstens één partij uit")  # invited, but no consent
    services.consent_record(
        case=case,
        actor=world.coordinator,
        membership=m,
        organisation=p.organisation,
        given_by="patient",
        valid_from=timezone.localdate(),
    )
    refused(share, "Zet eerst de vragen")
    services.question_add(case=case, actor=world.coordinator, membership=m, text="Wie doet wat?")
    before = Notification.objects.filter(user=p.user).count()
    share()
    item.refresh_from_db()
    assert item.shared_at is not None
    assert events(case)[-1] == "share_prepared"
    assert Notification.objects.filter(user=p.user).count() == before + 1
    frozen.move_to(at(24))
    refused(share, "al begonnen")


def test_minutes_only_once_the_meeting_started_then_the_plan_begins(frozen, world):
    case = fu.admitted_case(world)
    meeting, _ = schedule(world, cases=[case], starts_at=at(1), ends_at=at(2))
    item = meeting.items.get()
    m = ms(world.coordinator)
    org = factories.OrganisationFactory(name="Woonzorg")

    def record(due=date(2027, 3, 15)):
        return services.minutes_record(
            item=item,
            actor=world.coordinator,
            membership=m,
            discussed="Woonplek besproken.",
            decisions="Woonzorg zoekt plek.",
            tasks=[services.TaskInput("Plek zoeken", org, due)],
        )

    refused(record, "pas tijdens of na de bespreking")
    frozen.move_to(at(1))  # the moment it starts
    refused(lambda: record(due=date(2027, 2, 28)), "einddatum in het verleden")
    item.refresh_from_db()
    assert (item.discussed, item.minutes_at) == ("", None)
    case.refresh_from_db()
    assert case.state == State.ADMITTED
    record()
    case.refresh_from_db()
    item.refresh_from_db()
    assert case.state == State.PLAN
    assert Plan.objects.filter(case=case, version=1).exists()
    assert item.minutes_by == world.coordinator and item.decisions == "Woonzorg zoekt plek."
    assert [(t.organisation, t.due_on) for t in case.tasks.all()] == [(org, date(2027, 3, 15))]
    assert events(case)[-2:] == ["minutes", "plan_start"]
    # Minutes of a later meeting do not start the plan again.
    record()
    assert events(case)[-1] == "minutes"


# --- the integral plan -----------------------------------------------------------------------


def test_plan_is_versioned_and_every_change_shows_who_changed_what(world):
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    plan = case.plan
    assert plan.version == 1
    services.plan_update(
        case=case,
        actor=world.coordinator,
        membership=m,
        values={"regiebehandelaar": "Dr. Jansen", "procesregie": "Gemeente"},
    )
    services.plan_update(
        case=case,
        actor=world.coordinator,
        membership=m,
        values={"regiebehandelaar": "Dr. De Wit", "handover_on": date(2027, 5, 1)},
    )
    plan.refresh_from_db()
    assert plan.version == 3
    latest, first = list(plan.revisions.all())
    assert (latest.version, latest.changed_by) == (3, world.coordinator)
    assert latest.changes == [
        {"field": "Regiebehandelaar / casusregisseur", "old": "Dr. Jansen", "new": "Dr. De Wit"},
        {"field": "Datum warme overdracht", "old": "", "new": "2027-05-01"},
    ]
    assert first.version == 2 and first.changes[0]["old"] == ""
    refused(
        lambda: services.plan_update(
            case=case,
            actor=world.coordinator,
            membership=m,
            values={"regiebehandelaar": "Dr. De Wit"},
        ),
        "Er is niets gewijzigd",
    )
    refused(
        lambda: services.plan_update(
            case=case, actor=world.coordinator, membership=m, values={"diagnose": "x"}
        ),
        "Onbekend onderdeel van het plan",
    )


def test_plan_change_by_someone_without_the_right_is_refused(world):
    case = fu.plan_case(world)
    p = fu.partner("Partner zonder recht")
    fu.invite_with_consent(world, case, p.organisation)
    for user, role in [
        (p.user, Role.TABLE_MEMBER),
        (world.screener, Role.SECOND_SCREENER),
        (world.other_table_coordinator, Role.COORDINATOR),
        (world.referrer, Role.REFERRER),
    ]:
        refused(
            lambda u=user, r=role: services.plan_update(
                case=case, actor=u, membership=ms(u, r), values={"regiebehandelaar": "Ik"}
            ),
            "Alleen de coördinator van de tafel wijzigt het integrale plan",
            NotAllowed,
        )
    assert Plan.objects.get(case=case).version == 1


def test_plan_cannot_change_before_the_meeting_or_after_closure(world, admitted, partners):
    m = ms(world.coordinator)
    refused(
        lambda: services.plan_update(
            case=admitted, actor=world.coordinator, membership=m, values={"procesregie": "x"}
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Toegelaten – voorbereiding)",
        InvalidTransition,
    )
    case, _ = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=True)
    refused(
        lambda: services.plan_update(
            case=case, actor=world.coordinator, membership=m, values={"procesregie": "x"}
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    refused(
        lambda: services.goal_add(
            case=case,
            actor=world.coordinator,
            membership=m,
            domain="safety",
            description="x",
            organisation=world.coordinator_org,
            financing="zvw",
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )


def test_goals_of_a_closed_case_cannot_change(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=True)
    refused(
        lambda: services.goal_set_status(
            goal=goals[0],
            actor=world.coordinator,
            membership=ms(world.coordinator),
            status="achieved",
        ),
        "De status van een doel wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    a = partners[0]
    refused(
        lambda: services.goal_respond(
            goal=goals[0], actor=a.user, membership=a.membership, accept=False, note="Te laat"
        ),
        "Reageren op een doel is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    assert (
        Plan.objects.get(case=case).version
        == PlanRevision.objects.filter(plan__case=case).count() + 1
    )


def test_goal_added_with_organisation_contact_and_financing(world):
    case = fu.plan_case(world)
    p = fu.partner("Woonzorg Nederland")
    fu.invite_with_consent(world, case, p.organisation)
    goal = services.goal_add(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        domain="housing",
        description="Passende woonplek",
        organisation=p.organisation,
        financing="wmo",
        contact="J. Wonen",
    )
    assert (goal.status, goal.financing, goal.contact) == ("proposed", "wmo", "J. Wonen")
    rev = case.plan.revisions.first()
    assert rev.version == 2 and "Woonzorg Nederland" in rev.summary
    assert Notification.objects.filter(
        user=p.user, subject=f"Nieuw doel voor uw organisatie in casus {case.reference}"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message", "exc"),
    [
        (
            {"organisation": None},
            "Een doel heeft altijd een verantwoordelijke organisatie",
            DomainError,
        ),
        ({"domain": "hobby"}, "Kies het levensdomein", DomainError),
        ({"financing": "eigen_geld"}, "Kies de financiering", DomainError),
        ({"description": ""}, "Het doel is verplicht", DomainError),
    ],
)
def test_goal_refusals(world, overrides, message, exc):
    case = fu.plan_case(world)
    values = dict(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        domain="treatment",
        description="Behandeling",
        organisation=world.coordinator_org,
        financing="zvw",
    )
    values.update(overrides)
    refused(lambda: services.goal_add(**values), message, exc)
    assert Plan.objects.get(case=case).version == 1


def test_goal_by_a_non_coordinator_refused(world):
    case = fu.plan_case(world)
    p = fu.partner("Eigen doel")
    refused(
        lambda: services.goal_add(
            case=case,
            actor=p.user,
            membership=p.membership,
            domain="treatment",
            description="x",
            organisation=p.organisation,
            financing="zvw",
        ),
        "Alleen de coördinator",
        NotAllowed,
    )


def test_goal_accepted_only_by_its_organisation(world, partners):
    case = fu.plan_case(world)
    a, b = partners
    goal = fu.add_goal(world, case, a.organisation)
    refused(
        lambda: services.goal_respond(
            goal=goal, actor=b.user, membership=b.membership, accept=True
        ),
        "Alleen de verantwoordelijke organisatie",
        NotAllowed,
    )
    refused(
        lambda: services.goal_respond(
            goal=goal, actor=world.coordinator, membership=ms(world.coordinator), accept=True
        ),
        "Alleen de verantwoordelijke organisatie",
        NotAllowed,
    )
    services.goal_respond(
        goal=goal, actor=a.user, membership=a.membership, accept=True, note="Doen we."
    )
    goal.refresh_from_db()
    assert (goal.status, goal.responded_by, goal.response_note) == ("accepted", a.user, "Doen we.")
    rev = case.plan.revisions.first()
    assert rev.changed_by == a.user
    assert rev.changes == [
        {"field": f"Status doel {goal.pk}", "old": "Voorgesteld", "new": "Geaccepteerd"}
    ]
    refused(
        lambda: services.goal_respond(
            goal=goal, actor=a.user, membership=a.membership, accept=False, note="Toch niet"
        ),
        "Op dit doel is al gereageerd",
    )


def test_declined_goal_goes_back_to_the_coordinator(world, partners):
    case = fu.plan_case(world)
    a = partners[0]
    goal = fu.add_goal(world, case, a.organisation)
    refused(
        lambda: services.goal_respond(
            goal=goal, actor=a.user, membership=a.membership, accept=False
        ),
        "De toelichting is verplicht",
    )
    services.goal_respond(
        goal=goal, actor=a.user, membership=a.membership, accept=False, note="Geen capaciteit."
    )
    goal.refresh_from_db()
    assert goal.status == PlanGoal.Status.DECLINED
    note = Notification.objects.get(user=world.coordinator, subject__startswith="Doel geweigerd")
    assert note.subject == f"Doel geweigerd in casus {case.reference}"
    assert str(a.organisation) in note.body
    assert case.patient_name not in note.body


def test_goal_status_only_after_acceptance(world, partners):
    case = fu.plan_case(world)
    a = partners[0]
    goal = fu.add_goal(world, case, a.organisation)
    m = ms(world.coordinator)
    refused(
        lambda: services.goal_set_status(
            goal=goal, actor=world.coordinator, membership=m, status="achieved"
        ),
        "niet is geaccepteerd",
    )
    services.goal_respond(goal=goal, actor=a.user, membership=a.membership, accept=True)
    goal.refresh_from_db()
    refused(
        lambda: services.goal_set_status(
            goal=goal, actor=world.coordinator, membership=m, status="proposed"
        ),
        "Kies een geldige status",
    )
    refused(
        lambda: services.goal_set_status(
            goal=goal, actor=a.user, membership=a.membership, status="stopped"
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    services.goal_set_status(goal=goal, actor=world.coordinator, membership=m, status="stopped")
    goal.refresh_from_db()
    assert goal.status == "stopped"
    assert case.plan.revisions.first().changes[0]["new"] == "Gestopt"


def test_plan_adopted_when_all_goals_accepted_starts_follow_up(world, partners):
    with freeze_time(FROZEN):
        case, _ = fu.accepted_plan(world, partners)
        phase = services.plan_adopt(
            case=case,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            phase_months=4,
            focus="Wonen",
        )
    case.refresh_from_db()
    assert case.state == State.FOLLOW_UP
    assert {g.status for g in PlanGoal.objects.filter(plan__case=case)} == {"in_progress"}
    assert (phase.number, phase.starts_on, phase.months) == (1, date(2027, 3, 1), 4)
    assert phase.ends_on == date(2027, 7, 1)
    assert [c.due_on for c in phase.checkins.all()] == [
        date(2027, 4, 1),
        date(2027, 5, 1),
        date(2027, 6, 1),
        date(2027, 7, 1),
    ]
    assert "follow_up_start" in events(case) and events(case)[-1] == "phase_add"
    refused(
        lambda: services.plan_adopt(
            case=case, actor=world.coordinator, membership=ms(world.coordinator)
        ),
        "niet mogelijk in de huidige status (Follow-up)",
        InvalidTransition,
    )


def test_plan_adoption_refusals(world, partners):
    a, b = partners
    m = ms(world.coordinator)
    case = fu.plan_case(world)

    def adopt(months=3):
        return services.plan_adopt(
            case=case, actor=world.coordinator, membership=m, phase_months=months
        )

    refused(adopt, "Het plan heeft nog geen doelen")
    g1, g2 = (
        fu.add_goal(world, case, a.organisation),
        fu.add_goal(world, case, b.organisation, "housing"),
    )
    services.goal_respond(goal=g1, actor=a.user, membership=a.membership, accept=True)
    refused(adopt, "1 doel(en) zijn nog niet geaccepteerd")  # g2 still proposed
    services.goal_respond(goal=g2, actor=b.user, membership=b.membership, accept=False, note="Nee")
    refused(adopt, "1 doel(en) zijn nog niet geaccepteerd")  # g2 declined
    services.goal_respond(goal=g2, actor=b.user, membership=b.membership, accept=True)
    refused(adopt, "Leg vast wie regiebehandelaar")
    services.plan_update(
        case=case, actor=world.coordinator, membership=m, values={"regiebehandelaar": "Dr. R"}
    )
    refused(lambda: adopt(months=2), "Een fase duurt 3 tot 6 maanden")
    case.refresh_from_db()
    assert case.state == State.PLAN  # nothing half-saved: no state change, goals still accepted
    assert set(PlanGoal.objects.filter(plan__case=case).values_list("status", flat=True)) == {
        "accepted"
    }
    p = fu.partner("Geen coördinator")
    refused(
        lambda: services.plan_adopt(case=case, actor=p.user, membership=p.membership),
        "Alleen de coördinator",
        NotAllowed,
    )
    adopt(months=6)


def test_adopt_from_admitted_is_an_invalid_transition(world, admitted):
    refused(
        lambda: services.plan_adopt(
            case=admitted, actor=world.coordinator, membership=ms(world.coordinator)
        ),
        "niet mogelijk in de huidige status (Toegelaten – voorbereiding)",
        InvalidTransition,
    )


# --- follow-up -------------------------------------------------------------------------------


def test_phases_of_three_to_six_months_follow_each_other(world, partners):
    case, _ = fu.follow_up_case(world, partners, months=3)
    m = ms(world.coordinator)
    first = case.phases.get()
    for months in (2, 7):
        refused(
            lambda n=months: services.phase_add(
                case=case, actor=world.coordinator, membership=m, months=n
            ),
            "Een fase duurt 3 tot 6 maanden",
        )
    refused(
        lambda: services.phase_add(
            case=case,
            actor=world.coordinator,
            membership=m,
            months=3,
            starts_on=first.ends_on - timedelta(days=1),
        ),
        "begint na het einde van de vorige",
    )
    second = services.phase_add(case=case, actor=world.coordinator, membership=m, months=6)
    assert (second.number, second.starts_on) == (2, first.ends_on)
    assert second.checkins.count() == 6
    assert second.ends_on == add_months(first.ends_on, 6)
    plan_stage = fu.plan_case(world)
    refused(
        lambda: services.phase_add(
            case=plan_stage, actor=world.coordinator, membership=m, months=3
        ),
        "Een fase toevoegen is niet mogelijk",
        InvalidTransition,
    )


def progress_for(goals, value="on_track"):
    return [services.ProgressInput(g.pk, value) for g in goals]


def test_checkin_by_case_director_records_progress_per_goal(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    director = partners[0]  # named case director in the plan
    checkin = CheckIn.objects.filter(phase__case=case).first()
    services.checkin_record(
        checkin=checkin,
        actor=director.user,
        membership=director.membership,
        summary="Rustig.",
        progress=[
            services.ProgressInput(goals[0].pk, "achieved"),
            services.ProgressInput(goals[1].pk, "stalled", "Wachtlijst"),
        ],
    )
    checkin.refresh_from_db()
    assert (checkin.done_by, checkin.summary) == (director.user, "Rustig.")
    assert {(p.goal_id, p.progress) for p in checkin.progress.all()} == {
        (goals[0].pk, "achieved"),
        (goals[1].pk, "stalled"),
    }
    goals[0].refresh_from_db()
    assert goals[0].status == "achieved"
    assert events(case)[-1] == "checkin"
    refused(
        lambda: services.checkin_record(
            checkin=checkin,
            actor=director.user,
            membership=director.membership,
            summary="x",
            progress=progress_for(goals[1:]),
        ),
        "al vastgelegd",
    )
    # The next check-in: only the goal still running needs progress; the coordinator may record.
    second = CheckIn.objects.filter(phase__case=case, done_at__isnull=True).first()
    services.checkin_record(
        checkin=second,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        summary="Stil.",
        progress=progress_for(goals[1:], "delayed"),
    )


def test_checkin_refusals(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    checkin = CheckIn.objects.filter(phase__case=case).first()
    director = partners[0]
    other = partners[1]  # invited, has a goal, but is not the case director

    def record(actor, membership, progress, summary="Samenvatting"):
        return lambda: services.checkin_record(
            checkin=checkin, actor=actor, membership=membership, summary=summary, progress=progress
        )

    refused(
        record(other.user, other.membership, progress_for(goals)),
        "Alleen de casusregisseur",
        NotAllowed,
    )
    refused(
        record(
            world.other_table_coordinator, ms(world.other_table_coordinator), progress_for(goals)
        ),
        "Alleen de casusregisseur",
        NotAllowed,
    )
    refused(
        record(director.user, director.membership, progress_for(goals[:1])),
        "Leg voor elk lopend doel",
    )
    refused(
        record(director.user, director.membership, progress_for(goals, "prima")),
        "Kies de voortgang",
    )
    refused(
        record(director.user, director.membership, progress_for(goals), summary=""),
        "De samenvatting is verplicht",
    )
    checkin.refresh_from_db()
    assert checkin.done_at is None


def test_checkin_with_the_same_goal_twice_is_refused(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    checkin = CheckIn.objects.filter(phase__case=case).first()
    refused(
        lambda: services.checkin_record(
            checkin=checkin,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            summary="x",
            progress=[*progress_for(goals), services.ProgressInput(goals[0].pk, "stalled")],
        ),
        "één keer",
    )


def test_task_completed_by_its_organisation_or_the_coordinator(world, partners):
    case = fu.plan_case(world)
    a, b = partners
    tasks = [
        Task.objects.create(
            case=case,
            description=f"Actie {i}",
            organisation=a.organisation,
            due_on=date(2027, 1, 1),
        )
        for i in range(2)
    ]
    refused(
        lambda: services.task_complete(task=tasks[0], actor=b.user, membership=b.membership),
        "Alleen de uitvoerende organisatie",
        NotAllowed,
    )
    services.task_complete(task=tasks[0], actor=a.user, membership=a.membership)
    services.task_complete(task=tasks[1], actor=world.coordinator, membership=ms(world.coordinator))
    assert all(Task.objects.filter(case=case).values_list("done_at", flat=True))
    refused(
        lambda: services.task_complete(task=tasks[0], actor=a.user, membership=a.membership),
        "al afgerond",
    )


# --- financing -------------------------------------------------------------------------------


@pytest.fixture
def insurer(db):
    org = factories.OrganisationFactory(
        name="Zilveren Kruis", organisation_type=OrganisationType.INSURER
    )
    return org, factories.member(Role.MEDICAL_ADVISER, organisation=org)


CHECKS = {n: "met" for n in range(1, 8)}


def test_financing_requested_from_the_insurer_and_decided_by_its_adviser(world, insurer):
    org, adviser = insurer
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    decision = services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=org
    )
    assert (
        Notification.objects.get(user=adviser).subject
        == f"Aanvraag maatwerkarrangement voor casus {case.reference}"
    )
    refused(
        lambda: services.financing_request(
            case=case, actor=world.coordinator, membership=m, insurer=org
        ),
        "Er loopt al een aanvraag",
    )
    services.financing_decide(
        decision=decision,
        actor=adviser,
        membership=ms(adviser, Role.MEDICAL_ADVISER),
        criteria_checks={**CHECKS, 7: "unknown"},
        approved=True,
        reason="Voldoet; dure zorg nodig.",
    )
    decision.refresh_from_db()
    assert decision.decision == "approved" and decision.adviser == adviser
    assert decision.criteria_checks == {str(n): "met" for n in range(1, 7)} | {"7": "unknown"}
    assert events(case)[-1] == "financing_decide"
    assert Notification.objects.filter(
        user=world.coordinator,
        subject__startswith=f"Besluit maatwerkarrangement casus {case.reference}",
    ).exists()
    refused(
        lambda: services.financing_decide(
            decision=decision,
            actor=adviser,
            membership=ms(adviser, Role.MEDICAL_ADVISER),
            criteria_checks=CHECKS,
            approved=False,
            reason="Toch niet",
        ),
        "al besloten",
    )
    # After a decision a new request to the same insurer may follow.
    services.financing_request(case=case, actor=world.coordinator, membership=m, insurer=org)


def test_financing_refusals(world, insurer):
    org, adviser = insurer
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    refused(
        lambda: services.financing_request(
            case=case, actor=world.coordinator, membership=m, insurer=world.coordinator_org
        ),
        "aangevraagd bij een zorgverzekeraar",
    )
    refused(
        lambda: services.financing_request(
            case=case,
            actor=world.table_member,
            membership=ms(world.table_member, Role.TABLE_MEMBER),
            insurer=org,
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    decision = services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=org
    )
    am = ms(adviser, Role.MEDICAL_ADVISER)

    def decide(actor=adviser, membership=am, checks=CHECKS, reason="Motivering"):
        return lambda: services.financing_decide(
            decision=decision,
            actor=actor,
            membership=membership,
            criteria_checks=checks,
            approved=True,
            reason=reason,
        )

    other_insurer = factories.OrganisationFactory(organisation_type=OrganisationType.INSURER)
    other_adviser = factories.member(Role.MEDICAL_ADVISER, organisation=other_insurer)
    refused(
        decide(other_adviser, ms(other_adviser, Role.MEDICAL_ADVISER)),
        "Alleen een medisch adviseur van deze",
        NotAllowed,
    )
    refused(decide(world.coordinator, m), "Alleen een medisch adviseur van deze", NotAllowed)
    refused(decide(checks={n: "met" for n in range(1, 7)}), "Toets elk van de zeven criteria")
    refused(decide(checks={**CHECKS, 3: "misschien"}), "Toets elk van de zeven criteria")
    refused(decide(reason=""), "De motivering is verplicht")
    decision.refresh_from_db()
    assert decision.decision == "requested"


# --- the offer term, suspension -------------------------------------------------------------


def set_term(case: Case, *, admitted_on: date, term_days: int) -> Case:
    Table.objects.filter(pk=case.table_id).update(offer_term_days=term_days)
    Case.objects.filter(pk=case.pk).update(admitted_on=admitted_on)
    return Case.objects.select_related("table").get(pk=case.pk)


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    admitted_on=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    term_days=st.integers(min_value=1, max_value=365),
    start=st.integers(min_value=0, max_value=200),
    length=st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    later=st.integers(min_value=0, max_value=300),
)
def test_deadline_is_admission_plus_term_plus_suspended_days(
    world, admitted, admitted_on, term_days, start, length, later
):
    """deadline = admitted_on + table.offer_term_days + suspended days (an open suspension counts
    up to and including today)."""
    with transaction.atomic():
        case = set_term(admitted, admitted_on=admitted_on, term_days=term_days)
        assert services.case_deadline(case, today=admitted_on) == admitted_on + timedelta(
            days=term_days
        )
        s_start = admitted_on + timedelta(days=start)
        s_end = None if length is None else s_start + timedelta(days=length)
        TermSuspension.objects.create(
            case=case,
            starts_on=s_start,
            ended_on=s_end,
            reason="Opname elders",
            created_by=world.coordinator,
        )
        today = s_start + timedelta(days=later)
        # A closed suspension counts in full; an open one up to and including today.
        suspended = later + 1 if length is None else length
        expected = admitted_on + timedelta(days=term_days + suspended)
        assert services.case_deadline(case, today=today) == expected
        transaction.set_rollback(True)


def test_suspension_before_admission_counts_only_from_admission(world, admitted):
    case = set_term(admitted, admitted_on=date(2027, 3, 1), term_days=90)
    TermSuspension.objects.create(
        case=case,
        starts_on=date(2027, 2, 20),
        ended_on=date(2027, 3, 11),
        reason="x",
        created_by=world.coordinator,
    )
    assert services.case_deadline(case, today=date(2027, 4, 1)) == date(2027, 5, 30) + timedelta(
        days=10
    )


def test_term_suspended_by_hand_shows_in_history_and_overview_and_moves_the_deadline(
    world, admitted
):
    m = ms(world.coordinator)
    with freeze_time(FROZEN):
        case = set_term(admitted, admitted_on=date(2027, 3, 1), term_days=90)
        assert services.case_deadline(case) == date(2027, 5, 30)
    with freeze_time(datetime(2027, 3, 11, 9, tzinfo=UTC)):
        s = services.term_suspend(
            case=case,
            actor=world.coordinator,
            membership=m,
            reason="Elders opgenomen",
            starts_on=date(2027, 3, 11),
            planned_end=date(2027, 4, 30),
        )
        last = case.events.last()
        assert last.transition == "term_suspend"
        assert last.note == "Termijn opgeschort vanaf 11-03-2027 tot 30-04-2027: Elders opgenomen"
        rows = selectors.table_overview(actor_for(world.coordinator))["by_stage"]
        row = next(r for rs in rows.values() for r in rs if r.case.pk == case.pk)
        assert row.term.suspended is True
    with freeze_time(datetime(2027, 3, 21, 9, tzinfo=UTC)):
        services.term_resume(suspension=s, actor=world.coordinator, membership=m)
        s.refresh_from_db()
        assert s.ended_on == date(2027, 3, 21)
        assert events(case)[-1] == "term_resume"
        assert services.case_deadline(case) == date(2027, 5, 30) + timedelta(days=10)
        status = selectors.term_status(case)
        assert status.suspended is False and status.deadline == date(2027, 6, 9)
        refused(
            lambda: services.term_resume(suspension=s, actor=world.coordinator, membership=m),
            "al beëindigd",
        )


def test_suspension_refusals(world, admitted):
    m = ms(world.coordinator)
    today = timezone.localdate()

    def suspend(
        case=admitted,
        reason="Toestemming wordt vernieuwd",
        starts_on=today,
        planned_end=None,
        actor=world.coordinator,
        membership=m,
    ):
        return lambda: services.term_suspend(
            case=case,
            actor=actor,
            membership=membership,
            reason=reason,
            starts_on=starts_on,
            planned_end=planned_end,
        )

    refused(suspend(reason=""), "De reden is verplicht")
    refused(suspend(planned_end=today), "ligt niet na de begindatum")
    refused(suspend(starts_on=today + timedelta(days=31)), "uiterlijk over 30 dagen")
    refused(
        suspend(actor=world.table_member, membership=ms(world.table_member, Role.TABLE_MEMBER)),
        "Alleen de coördinator",
        NotAllowed,
    )
    refused(
        suspend(case=fu.registered_case(world.referrer)),
        "De termijn opschorten is niet mogelijk",
        InvalidTransition,
    )
    suspend()()
    refused(suspend(), "De termijn is al opgeschort")


# --- escalation ------------------------------------------------------------------------------


def test_escalation_one_level_up_at_a_time_de_escalation_any_level_down(world, admitted):
    m = ms(world.coordinator)

    def esc(level, reason="Geen voortgang in 6 weken", result=""):
        return services.escalate(
            case=admitted,
            actor=world.coordinator,
            membership=m,
            to_level=level,
            reason=reason,
            result=result,
        )

    refused(lambda: esc(2), "Escaleer één niveau tegelijk")
    refused(lambda: esc(0), "staat al op dit niveau")
    refused(lambda: esc(5), "Kies een escalatieniveau van 0 tot en met 4")
    refused(lambda: esc(1, reason=""), "De reden is verplicht")
    before = timezone.now()
    step = esc(1)
    assert (step.from_level, step.to_level, step.by, step.direction) == (
        0,
        1,
        world.coordinator,
        "op",
    )
    assert before <= step.at <= timezone.now() and step.reason == "Geen voortgang in 6 weken"
    esc(2)
    esc(3)
    down = esc(0, reason="Plek gevonden", result="Opgenomen bij FACT")
    assert (down.from_level, down.to_level, down.direction, down.result) == (
        3,
        0,
        "af",
        "Opgenomen bij FACT",
    )
    admitted.refresh_from_db()
    assert admitted.escalation_level == 0
    assert events(admitted)[-4:] == ["escalate", "escalate", "escalate", "de_escalate"]
    services.escalation_result(
        step=step, actor=world.coordinator, membership=m, result="Informatie compleet"
    )
    step.refresh_from_db()
    assert step.result == "Informatie compleet"
    refused(
        lambda: services.escalation_result(
            step=step, actor=world.coordinator, membership=m, result=""
        ),
        "Het resultaat is verplicht",
    )
    refused(
        lambda: services.escalate(
            case=admitted,
            actor=world.table_member,
            membership=ms(world.table_member, Role.TABLE_MEMBER),
            to_level=1,
            reason="x",
        ),
        "Alleen de coördinator",
        NotAllowed,
    )


@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(targets=st.lists(st.integers(min_value=-1, max_value=5), min_size=1, max_size=6))
def test_escalation_ladder_property(world, admitted, targets):
    m = ms(world.coordinator)
    with transaction.atomic():
        level = 0
        for t in targets:
            ok = 0 <= t <= 4 and t != level and t <= level + 1
            if ok:
                step = services.escalate(
                    case=admitted, actor=world.coordinator, membership=m, to_level=t, reason="Tempo"
                )
                assert (step.from_level, step.to_level) == (level, t)
                level = t
            else:
                with pytest.raises(DomainError):
                    services.escalate(
                        case=admitted,
                        actor=world.coordinator,
                        membership=m,
                        to_level=t,
                        reason="Tempo",
                    )
            assert Case.objects.get(pk=admitted.pk).escalation_level == level
        transaction.set_rollback(True)


def test_escalation_only_for_active_cases(world):
    registered = fu.registered_case(world.referrer)
    refused(
        lambda: services.escalate(
            case=registered,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            to_level=1,
            reason="x",
        ),
        "Escaleren is niet mogelijk in de huidige status (Aangemeld)",
        InvalidTransition,
    )


# --- closure and reopening -------------------------------------------------------------------


def close(world, case, **kwargs):
    values = dict(actor=world.coordinator, membership=ms(world.coordinator), outcome="no_offer")
    values.update(kwargs)
    return services.case_close(case=case, **values)


@pytest.mark.parametrize(
    ("outcome", "accepted", "stored"),
    [
        ("new_offer", True, True),
        ("new_offer", False, False),
        ("no_offer", True, None),  # only a new offer can be accepted
        ("withdrawn", None, None),
        ("under_investigation", None, None),
    ],
)
def test_close_with_each_outcome_and_tell_the_referrer(world, admitted, outcome, accepted, stored):
    services.term_suspend(
        case=admitted,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        reason="Opname",
        starts_on=timezone.localdate(),
    )
    case = close(
        world,
        admitted,
        outcome=outcome,
        offer_accepted=accepted,
        helped_by=["cooperation", "special_funding", "cooperation"],
        obstacles=["no_funding"],
        shortages=[codes.SHORTAGES[0][0]],
        note="Afgerond",
    )
    case.refresh_from_db()
    assert (case.state, case.outcome, case.offer_accepted) == (State.CLOSED, outcome, stored)
    assert case.helped_by == ["cooperation", "special_funding"]
    assert (case.obstacles, case.shortages) == (["no_funding"], [codes.SHORTAGES[0][0]])
    assert case.closed_at is not None
    assert not case.suspensions.filter(ended_on__isnull=True).exists()
    assert events(case)[-1] == "close"
    assert Notification.objects.filter(
        user=world.referrer, subject=f"Casus {case.reference} is afgesloten"
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "ongoing"}, "Kies een uitkomst"),
        ({"outcome": "geholpen"}, "Kies een uitkomst"),
        ({"outcome": "not_suitable"}, "is een uitkomst van de triage"),
        ({"outcome": "new_offer"}, "Geef aan of de patiënt het nieuwe aanbod heeft aanvaard"),
        ({"helped_by": ["toeval"]}, "Onbekende code bij wat hielp: toeval"),
        ({"obstacles": ["pech"]}, "Onbekende code bij wat in de weg stond: pech"),
        ({"shortages": ["geld"]}, "Onbekende code bij tekorten: geld"),
    ],
)
def test_close_refusals(world, admitted, kwargs, message):
    refused(lambda: close(world, admitted, **kwargs), message)
    admitted.refresh_from_db()
    assert admitted.state == State.ADMITTED and admitted.outcome == ""


def test_close_from_closed_is_an_invalid_transition(world, admitted):
    close(world, admitted)
    refused(
        lambda: close(world, admitted),
        "niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )


def test_referrer_can_only_withdraw_before_triage(world):
    rm = ms(world.referrer, Role.REFERRER)
    case = fu.registered_case(world.referrer)
    refused(
        lambda: services.case_close(
            case=case, actor=world.referrer, membership=rm, outcome="no_offer"
        ),
        "Een verwijzer kan alleen een eigen aanmelding intrekken",
        NotAllowed,
    )
    services.case_close(
        case=case,
        actor=world.referrer,
        membership=rm,
        outcome="withdrawn",
        note="Patiënt verhuist naar het buitenland.",
    )
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.CLOSED, "withdrawn")
    assert Notification.objects.filter(
        user=world.coordinator,
        subject=f"Aanmelding {case.reference} is ingetrokken door de verwijzer",
    ).exists()
    admitted = fu.admitted_case(world)
    refused(
        lambda: services.case_close(
            case=admitted, actor=world.referrer, membership=rm, outcome="withdrawn"
        ),
        "zolang die niet is beoordeeld",
        NotAllowed,
    )


@pytest.mark.parametrize("stage", ["admitted", "plan", "follow_up"])
def test_reopen_returns_to_the_stage_reached_and_tells_the_referrer(world, partners, stage):
    if stage == "admitted":
        case = fu.admitted_case(world)
    elif stage == "plan":
        case = fu.plan_case(world)
    else:
        case, _ = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=False)
    m = ms(world.coordinator)
    refused(
        lambda: services.case_reopen(case=case, actor=world.coordinator, membership=m, reason=""),
        "De reden is verplicht",
    )
    services.case_reopen(
        case=case, actor=world.coordinator, membership=m, reason="Plaatsing mislukt"
    )
    case.refresh_from_db()
    assert case.state == stage
    assert (case.outcome, case.offer_accepted, case.closed_at) == ("", None, None)
    reopen = case.events.last()
    assert (reopen.transition, reopen.note) == ("reopen", "Plaatsing mislukt")
    assert Notification.objects.filter(
        user=world.referrer, subject=f"Casus {case.reference} is heropend"
    ).exists()
    refused(
        lambda: services.case_reopen(
            case=case, actor=world.coordinator, membership=m, reason="Nog eens"
        ),
        "Heropend' is niet mogelijk",
        InvalidTransition,
    )


def test_reopen_only_by_the_coordinator(world, admitted):
    close(world, admitted)
    refused(
        lambda: services.case_reopen(
            case=admitted,
            actor=world.referrer,
            membership=ms(world.referrer, Role.REFERRER),
            reason="Graag",
        ),
        "Alleen de coördinator",
        NotAllowed,
    )


# --- consultations ---------------------------------------------------------------------------


def consult(user, role=Role.COORDINATOR, **kwargs):
    values = dict(
        requested_on=date(2026, 5, 1), requester_type="gp", question="Wat nu met deze patiënt?"
    )
    values.update(kwargs)
    return consultation_services.consultation_record(
        actor=user, membership=ms(user, role), **values
    )


def test_anonymous_consultation_recorded_with_advice(world):
    with freeze_time(FROZEN):
        c = consult(world.coordinator, advice="Verwijs naar FACT.", minutes_spent=45)
    assert (c.anonymous, c.patient_name, c.consent_recorded) == (True, "", False)
    assert (c.given_by, c.answered_on, c.minutes_spent) == (world.coordinator, date(2027, 3, 1), 45)
    assert c.table.number == 3


def test_named_consultation_only_with_consent(world):
    refused(
        lambda: consult(world.coordinator, patient_name="Jan de Vries"),
        "Een anonieme consultatie bevat geen naam",
    )
    refused(
        lambda: consult(world.coordinator, anonymous=False, patient_name="Jan de Vries"),
        "alleen met toestemming",
    )
    c = consult(
        world.coordinator, anonymous=False, patient_name="Jan de Vries", consent_recorded=True
    )
    assert (c.anonymous, c.patient_name, c.consent_recorded) == (False, "Jan de Vries", True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requested_on": date(2099, 1, 1)}, "ligt in de toekomst"),
        ({"requester_type": "buurman"}, "Kies wie de vraag stelde"),
        ({"question": ""}, "De vraag is verplicht"),
        ({"minutes_spent": 1441}, "tussen 0 en 1440 minuten"),
        ({"minutes_spent": -1}, "tussen 0 en 1440 minuten"),
    ],
)
def test_consultation_refusals(world, kwargs, message):
    refused(lambda: consult(world.coordinator, **kwargs), message)


def test_consultation_answered_by_its_own_table_only(world):
    c = consult(world.table_member, Role.TABLE_MEMBER)
    assert c.given_by is None and c.answered_on is None
    refused(
        lambda: consult(world.referrer, Role.REFERRER),
        "Alleen de coördinator of een tafellid",
        NotAllowed,
    )
    refused(
        lambda: consultation_services.consultation_answer(
            consultation=c,
            actor=world.other_table_coordinator,
            membership=ms(world.other_table_coordinator),
            advice="x",
            minutes_spent=5,
        ),
        "geen toegang",
        NotAllowed,
    )
    consultation_services.consultation_answer(
        consultation=c,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        advice="Advies",
        minutes_spent=30,
    )
    c.refresh_from_db()
    assert (c.given_by, c.minutes_spent, c.advice) == (world.coordinator, 30, "Advies")


def test_consultations_counted_per_table_per_year(world):
    other = world.other_table_coordinator  # table 1
    consult(world.coordinator, requested_on=date(2025, 12, 31), minutes_spent=10)
    consult(world.coordinator, requested_on=date(2026, 1, 1), minutes_spent=20)
    consult(
        world.table_member,
        Role.TABLE_MEMBER,
        requested_on=date(2026, 6, 1),
        minutes_spent=40,
        anonymous=False,
        patient_name="P",
        consent_recorded=True,
    )
    consult(other, requested_on=date(2026, 2, 1))
    assert consultation_selectors.consultation_counts() == [
        {"table": 3, "year": 2025, "count": 1, "minutes": 10},
        {"table": 1, "year": 2026, "count": 1, "minutes": 0},
        {"table": 3, "year": 2026, "count": 2, "minutes": 60},
    ]
    assert consultation_selectors.consultation_counts(table_number=1) == [
        {"table": 1, "year": 2026, "count": 1, "minutes": 0}
    ]
