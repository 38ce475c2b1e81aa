"""Meeting services: schedule, agenda, participants, sharing, minutes and tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vangnet.accounts.models import Notification, Role
from vangnet.cases import services
from vangnet.cases.models import (
    Case,
)
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import Meeting
from vangnet.plans.models import Plan
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import at, events, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


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
    return meeting_services.meeting_schedule(**values)


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
            "overlapt met een andere bespreking van de tafel (2 mrt. 2027 10:00)",
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
    item = meeting_services.agenda_add(
        meeting=meeting, case=case, actor=world.coordinator, membership=m
    )
    refused(
        lambda: meeting_services.agenda_add(
            meeting=meeting, case=case, actor=world.coordinator, membership=m
        ),
        "staat al op de agenda",
    )
    org = factories.OrganisationFactory(name="Gemeente Amsterdam")
    meeting_services.participant_add(
        item=item,
        actor=world.coordinator,
        membership=m,
        kind="organisation",
        person_name="W. Wethouder",
        organisation=org,
        has_mandate=True,
    )
    meeting_services.participant_add(
        item=item, actor=world.coordinator, membership=m, kind="patient", person_name="De patiënt"
    )
    meeting_services.participant_add(
        item=item, actor=world.coordinator, membership=m, kind="relative", person_name="Zus"
    )
    assert [(p.kind, p.has_mandate) for p in item.participants.all()] == [
        ("organisation", True),
        ("patient", False),
        ("relative", False),
    ]
    refused(
        lambda: meeting_services.participant_add(
            item=item, actor=world.coordinator, membership=m, kind="organisation", person_name="X"
        ),
        "Kies de organisatie van de deelnemer",
    )
    refused(
        lambda: meeting_services.participant_add(
            item=item, actor=world.coordinator, membership=m, kind="toeschouwer", person_name="X"
        ),
        "Kies het soort deelnemer",
    )
    refused(
        lambda: meeting_services.participant_add(
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
        return meeting_services.case_share_prepared(
            item=item, actor=world.coordinator, membership=m
        )

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
        return meeting_services.minutes_record(
            item=item,
            actor=world.coordinator,
            membership=m,
            discussed="Woonplek besproken.",
            decisions="Woonzorg zoekt plek.",
            tasks=[meeting_services.TaskInput("Plek zoeken", org, due)],
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
    # Correcting the minutes (with one more action) does not start the plan again.
    record()
    assert events(case)[-1] == "minutes_edit"
    assert case.tasks.count() == 2
