"""Preparation services after admission: timeline, parties, consent, questions. Each refusal in
Dutch with nothing half-saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from vangnet.accounts.models import Notification
from vangnet.cases import services
from vangnet.cases.workflow import State
from vangnet.common.errors import InvalidTransition
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import FROZEN, events, refused

pytestmark = pytest.mark.django_db


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
