"""Follow-up: phases and check-ins, the offer term with suspensions, and the escalation ladder."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.cases.models import (
    Case,
)
from vangnet.casework import selectors as casework_selectors
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.engines.followup import add_months
from vangnet.followup import selectors as followup_selectors
from vangnet.followup import services as followup_services
from vangnet.followup.models import (
    CheckIn,
    TermSuspension,
)
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import Task
from vangnet.regions.models import Table
from vangnet.testing import followup as fu
from vangnet.testing.casework import FROZEN, events, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- follow-up -------------------------------------------------------------------------------


def test_phases_of_three_to_six_months_follow_each_other(world, partners):
    case, _ = fu.follow_up_case(world, partners, months=3)
    m = ms(world.coordinator)
    first = case.phases.get()
    for months in (2, 7):
        refused(
            lambda n=months: followup_services.phase_add(
                case=case, actor=world.coordinator, membership=m, months=n
            ),
            "Een fase duurt 3 tot 6 maanden",
        )
    refused(
        lambda: followup_services.phase_add(
            case=case,
            actor=world.coordinator,
            membership=m,
            months=3,
            starts_on=first.ends_on - timedelta(days=1),
        ),
        "begint na het einde van de vorige",
    )
    second = followup_services.phase_add(case=case, actor=world.coordinator, membership=m, months=6)
    assert (second.number, second.starts_on) == (2, first.ends_on)
    assert second.checkins.count() == 6
    assert second.ends_on == add_months(first.ends_on, 6)
    plan_stage = fu.plan_case(world)
    refused(
        lambda: followup_services.phase_add(
            case=plan_stage, actor=world.coordinator, membership=m, months=3
        ),
        "Een fase toevoegen is niet mogelijk",
        InvalidTransition,
    )


def progress_for(goals, value="on_track"):
    return [followup_services.ProgressInput(g.pk, value) for g in goals]


def test_checkin_by_case_director_records_progress_per_goal(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    director = partners[0]  # named case director in the plan
    checkin = CheckIn.objects.filter(phase__case=case).first()
    followup_services.checkin_record(
        checkin=checkin,
        actor=director.user,
        membership=director.membership,
        summary="Rustig.",
        progress=[
            followup_services.ProgressInput(goals[0].pk, "achieved"),
            followup_services.ProgressInput(goals[1].pk, "stalled", "Wachtlijst"),
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
        lambda: followup_services.checkin_record(
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
    followup_services.checkin_record(
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
        return lambda: followup_services.checkin_record(
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
        lambda: followup_services.checkin_record(
            checkin=checkin,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            summary="x",
            progress=[
                *progress_for(goals),
                followup_services.ProgressInput(goals[0].pk, "stalled"),
            ],
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
        lambda: meeting_services.task_complete(
            task=tasks[0], actor=b.user, membership=b.membership
        ),
        "Alleen de uitvoerende organisatie",
        NotAllowed,
    )
    meeting_services.task_complete(task=tasks[0], actor=a.user, membership=a.membership)
    meeting_services.task_complete(
        task=tasks[1], actor=world.coordinator, membership=ms(world.coordinator)
    )
    assert all(Task.objects.filter(case=case).values_list("done_at", flat=True))
    refused(
        lambda: meeting_services.task_complete(
            task=tasks[0], actor=a.user, membership=a.membership
        ),
        "al afgerond",
    )


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
        assert followup_services.case_deadline(case, today=admitted_on) == admitted_on + timedelta(
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
        assert followup_services.case_deadline(case, today=today) == expected
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
    assert followup_services.case_deadline(case, today=date(2027, 4, 1)) == date(
        2027, 5, 30
    ) + timedelta(days=10)


def test_term_suspended_by_hand_shows_in_history_and_overview_and_moves_the_deadline(
    world, admitted
):
    m = ms(world.coordinator)
    with freeze_time(FROZEN):
        case = set_term(admitted, admitted_on=date(2027, 3, 1), term_days=90)
        assert followup_services.case_deadline(case) == date(2027, 5, 30)
    with freeze_time(datetime(2027, 3, 11, 9, tzinfo=UTC)):
        s = followup_services.term_suspend(
            case=case,
            actor=world.coordinator,
            membership=m,
            reason="Elders opgenomen",
            starts_on=date(2027, 3, 11),
            planned_end=date(2027, 4, 30),
        )
        last = case.events.last()
        assert last.transition == "term_suspend"
        assert (
            last.note == "Termijn opgeschort vanaf 11 mrt. 2027 tot 30 apr. 2027: Elders opgenomen"
        )
        rows = casework_selectors.table_overview(actor_for(world.coordinator))["by_stage"]
        row = next(r for rs in rows.values() for r in rs if r.case.pk == case.pk)
        assert row.term.suspended is True
    with freeze_time(datetime(2027, 3, 21, 9, tzinfo=UTC)):
        followup_services.term_resume(suspension=s, actor=world.coordinator, membership=m)
        s.refresh_from_db()
        assert s.ended_on == date(2027, 3, 21)
        assert events(case)[-1] == "term_resume"
        assert followup_services.case_deadline(case) == date(2027, 5, 30) + timedelta(days=10)
        status = followup_selectors.term_status(case)
        assert status.suspended is False and status.deadline == date(2027, 6, 9)
        refused(
            lambda: followup_services.term_resume(
                suspension=s, actor=world.coordinator, membership=m
            ),
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
        return lambda: followup_services.term_suspend(
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
        return followup_services.escalate(
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
    followup_services.escalation_result(
        step=step, actor=world.coordinator, membership=m, result="Informatie compleet"
    )
    step.refresh_from_db()
    assert step.result == "Informatie compleet"
    refused(
        lambda: followup_services.escalation_result(
            step=step, actor=world.coordinator, membership=m, result=""
        ),
        "Het resultaat is verplicht",
    )
    refused(
        lambda: followup_services.escalate(
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
                step = followup_services.escalate(
                    case=admitted, actor=world.coordinator, membership=m, to_level=t, reason="Tempo"
                )
                assert (step.from_level, step.to_level) == (level, t)
                level = t
            else:
                with pytest.raises(DomainError):
                    followup_services.escalate(
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
        lambda: followup_services.escalate(
            case=registered,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            to_level=1,
            reason="x",
        ),
        "Escaleren is niet mogelijk in de huidige status (Aangemeld)",
        InvalidTransition,
    )
