"""The periodic reminder job with frozen time: what is due when, and that it is idempotent.

Time line of the main fixture (all in 2027, Europe/Amsterdam): admitted, plan adopted and phase 1
started on 1 March; check-ins on 1 April, 1 May, 1 June; the table's offer term is 90 days, so
the deadline is 30 May. The job runs at 10:00 local time on the day it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vangnet.accounts.models import Notification, Role
from vangnet.cases import services
from vangnet.cases.models import Case
from vangnet.casework import reminders
from vangnet.followup import selectors as followup_selectors
from vangnet.followup import services as followup_services
from vangnet.followup.models import CheckIn, TermSuspension
from vangnet.meetings.models import Task
from vangnet.plans import services as plan_services
from vangnet.plans.models import PlanGoal
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

START = date(2027, 3, 1)
DEADLINE = date(2027, 5, 30)  # START + 90 days


def moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class Setting:
    clock: object
    world: object
    case: Case
    director: fu.Partner
    other: fu.Partner
    capture: object

    def run(self, day: date, hour: int = 9) -> reminders.RunReport:
        """Run the job on `day` at `hour` UTC, e-mails sent as on a real commit."""
        self.clock.move_to(moment(day, hour))  # type: ignore[attr-defined]
        with self.capture(execute=True):  # type: ignore[operator]
            return reminders.run(today=day)


@pytest.fixture
def clock():
    with freeze_time(moment(START)) as frozen:
        yield frozen


@pytest.fixture
def setting(clock, world, django_capture_on_commit_callbacks) -> Setting:
    Table.objects.filter(number=3).update(offer_term_days=90)
    director, other = fu.partner("Arkin Behandeling"), fu.partner("Beschermd Wonen")
    case, _ = fu.follow_up_case(world, [director, other], months=3)
    assert case.admitted_on == START
    return Setting(clock, world, case, director, other, django_capture_on_commit_callbacks)


def reminders_of(kind: str, user=None) -> list[Notification]:
    qs = Notification.objects.filter(dedup_key__startswith=f"{kind}:").order_by("id")
    if user is not None:
        qs = qs.filter(user=user)
    return list(qs)


def nonzero(report: reminders.RunReport) -> dict[str, int]:
    return {k: v for k, v in report.kinds.items() if v}


def mails(subject_part: str) -> list:
    return [m for m in mail.outbox if subject_part in m.subject]


# --- check-ins ---------------------------------------------------------------------------------


def test_checkin_reminder_three_days_before_then_overdue(setting):
    ref, coordinator, director = (
        setting.case.reference,
        setting.world.coordinator,
        setting.director.user,
    )
    setting.run(date(2027, 3, 28))
    assert reminders_of("checkin") == []
    setting.run(date(2027, 3, 29))  # three days before 1 April
    nearing = reminders_of("checkin")
    assert {n.user for n in nearing} == {coordinator, director}
    assert {n.subject for n in nearing} == {f"Check-in {ref} van 1 apr. 2027 nadert"}
    assert all(n.case_reference == ref for n in nearing)
    setting.run(date(2027, 4, 1))  # on the day itself: still "nearing", nothing new
    assert len(reminders_of("checkin")) == 2
    setting.run(date(2027, 4, 2))
    overdue = reminders_of("checkin")[2:]
    assert {(n.user, n.subject) for n in overdue} == {
        (coordinator, f"Check-in {ref} van 1 apr. 2027 is verlopen"),
        (director, f"Check-in {ref} van 1 apr. 2027 is verlopen"),
    }
    assert (
        len(mails("van 1 apr. 2027 nadert")) == 2 and len(mails("van 1 apr. 2027 is verlopen")) == 2
    )
    for n in overdue:
        assert setting.case.patient_name not in n.subject + n.body


def test_recorded_checkin_and_closed_case_get_no_reminders(setting):
    first = CheckIn.objects.filter(phase__case=setting.case).order_by("due_on").first()
    goals = PlanGoal.objects.filter(plan__case=setting.case)
    followup_services.checkin_record(
        checkin=first,
        actor=setting.world.coordinator,
        membership=ms(setting.world.coordinator),
        summary="Rustig",
        progress=[followup_services.ProgressInput(g.pk, "on_track") for g in goals],
    )
    setting.run(date(2027, 4, 2))
    assert reminders_of("checkin") == []
    services.case_close(
        case=setting.case,
        actor=setting.world.coordinator,
        membership=ms(setting.world.coordinator),
        outcome="no_offer",
    )
    setting.run(date(2027, 6, 5))  # every check-in and the term have passed
    assert reminders_of("checkin") == [] and reminders_of("term") == []


# --- tasks -------------------------------------------------------------------------------------


def test_task_reminder_two_days_before_then_overdue(setting):
    assignee = factories.member(Role.TABLE_MEMBER, table=3)
    task = Task.objects.create(
        case=setting.case,
        description="Woonplek aanvragen",
        organisation=setting.other.organisation,
        assignee=assignee,
        due_on=date(2027, 3, 10),
    )
    Task.objects.create(
        case=setting.case,
        description="Al gedaan",
        organisation=setting.other.organisation,
        due_on=date(2027, 3, 10),
        done_at=moment(START),
    )
    ref = setting.case.reference
    setting.run(date(2027, 3, 7))
    assert reminders_of("task") == []
    setting.run(date(2027, 3, 8))
    nearing = reminders_of("task")
    assert {n.user for n in nearing} == {setting.other.user, setting.world.coordinator, assignee}
    assert {n.subject for n in nearing} == {f"Actie in casus {ref} nadert (10 mrt. 2027)"}
    assert {n.dedup_key for n in nearing} == {f"task:{task.pk}:nearing"}
    setting.run(date(2027, 3, 11))
    assert {n.subject for n in reminders_of("task")[3:]} == {
        f"Actie in casus {ref} is verlopen (10 mrt. 2027)"
    }


# --- the offer term ----------------------------------------------------------------------------


def test_term_nearing_fourteen_days_before_and_passed_proposes_escalation(setting):
    ref, coordinator = setting.case.reference, setting.world.coordinator
    setting.run(date(2027, 5, 15))
    assert reminders_of("term") == []
    setting.run(date(2027, 5, 16))  # 14 days before 30 May
    assert [n.subject for n in reminders_of("term", coordinator)] == [
        f"Termijn casus {ref} nadert (30 mei 2027)"
    ]
    setting.run(date(2027, 5, 30))
    assert len(reminders_of("term")) == 1
    setting.run(date(2027, 5, 31))
    passed = reminders_of("term", coordinator)[1]
    assert passed.subject == f"Termijn casus {ref} verstreken: escalatie naar niveau 1 voorgesteld"
    assert "escalatieladder" in passed.body
    assert [n.user for n in reminders_of("term")] == [coordinator, coordinator]


def test_term_reminder_proposes_the_next_level_up(setting):
    m = ms(setting.world.coordinator)
    for level in (1, 2):
        followup_services.escalate(
            case=setting.case,
            actor=setting.world.coordinator,
            membership=m,
            to_level=level,
            reason="Tempo",
        )
    setting.run(date(2027, 6, 1))
    assert reminders_of("term")[0].subject.endswith("escalatie naar niveau 3 voorgesteld")


def test_no_term_reminder_while_suspended_and_a_new_one_for_the_moved_deadline(setting):
    m = ms(setting.world.coordinator)
    setting.clock.move_to(moment(date(2027, 5, 20)))
    suspension = followup_services.term_suspend(
        case=setting.case,
        actor=setting.world.coordinator,
        membership=m,
        reason="Patiënt elders opgenomen",
        starts_on=date(2027, 5, 20),
    )
    setting.run(date(2027, 5, 22))  # 10 days were left when suspended: the term is near
    status = followup_selectors.term_status(setting.case)
    assert status.suspended and status.status == "nearing"
    assert reminders_of("term") == []
    setting.clock.move_to(moment(date(2027, 5, 25)))
    followup_services.term_resume(
        suspension=suspension, actor=setting.world.coordinator, membership=m
    )
    # Suspended 20 to 25 May: 5 days, so the deadline moves from 30 May to 4 June.
    assert followup_services.case_deadline(setting.case) == date(2027, 6, 4)
    setting.run(date(2027, 5, 26))
    assert [n.subject for n in reminders_of("term")] == [
        f"Termijn casus {setting.case.reference} nadert (4 jun. 2027)"
    ]


@pytest.fixture
def admitted(world) -> Case:
    return fu.admitted_case(world)


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    term_days=st.integers(min_value=1, max_value=400),
    offset=st.integers(min_value=-5, max_value=450),
)
def test_term_status_property(admitted, term_days, offset):
    """ok until 14 days before the deadline, nearing up to and including it, overdue after."""
    case = admitted
    with transaction.atomic():
        Table.objects.filter(pk=case.table_id).update(offer_term_days=term_days)
        Case.objects.filter(pk=case.pk).update(admitted_on=START)
        fresh = Case.objects.select_related("table").get(pk=case.pk)
        today = START + timedelta(days=offset)
        status = followup_selectors.term_status(fresh, today=today)
        deadline = START + timedelta(days=term_days)
        left = (deadline - today).days
        expected = "overdue" if left < 0 else "nearing" if left <= 14 else "ok"
        assert (status.deadline, status.days_left, status.status) == (deadline, left, expected)
        transaction.set_rollback(True)


# --- idempotency ---------------------------------------------------------------------------------


def test_running_twice_creates_no_duplicate_notifications_or_emails(setting):
    Task.objects.create(
        case=setting.case,
        description="Overleg",
        organisation=setting.other.organisation,
        due_on=date(2027, 5, 28),
    )
    day = date(2027, 5, 29)  # check-in of 1 May overdue, 1 June nearing, task overdue, term near
    first = setting.run(day)
    assert nonzero(first).keys() >= {"checkin", "task", "term"}
    assert first.digests >= 1
    notes, sent = Notification.objects.count(), len(mail.outbox)
    assert sent == first.created + first.digests  # every user here has an e-mail address
    second = setting.run(day)
    assert (second.created, second.digests, second.suspensions_ended) == (0, 0, 0)
    assert Notification.objects.count() == notes
    assert len(mail.outbox) == sent
    keys = list(Notification.objects.exclude(dedup_key="").values_list("user_id", "dedup_key"))
    assert len(keys) == len(set(keys))


def test_interrupted_run_is_completed_by_the_next_without_duplicates(setting):
    """A crash after creating a notification but before e-mailing it, and before reaching the next
    user, leaves one row with emailed_at empty; the next run sends that e-mail once and creates
    the missing notification."""
    checkin = CheckIn.objects.filter(phase__case=setting.case).order_by("due_on").first()
    key = f"checkin:{checkin.pk}:nearing"
    setting.clock.move_to(moment(date(2027, 3, 29), hour=6))
    left = Notification.objects.create(
        user=setting.world.coordinator,
        subject=f"Check-in {setting.case.reference} van 1 apr. 2027 nadert",
        body="Leg de voortgang per doel vast, ook als het rustig is.",
        case_reference=setting.case.reference,
        dedup_key=key,
    )
    report = setting.run(date(2027, 3, 29))
    assert report.emails_flushed == 1
    rows = Notification.objects.filter(dedup_key=key)
    assert {n.user for n in rows} == {setting.world.coordinator, setting.director.user}
    assert rows.count() == 2
    left.refresh_from_db()
    assert left.emailed_at is not None
    nearing_mails = mails("van 1 apr. 2027 nadert")
    assert sorted(m.to[0] for m in nearing_mails) == sorted(
        [setting.world.coordinator.email, setting.director.user.email]
    )
    again = setting.run(date(2027, 3, 29))
    assert (again.created, again.emails_flushed) == (0, 0)
    assert len(mails("van 1 apr. 2027 nadert")) == 2


def test_e_mail_left_unsent_by_an_interrupted_run_is_sent_once(setting):
    """The reminders were all created, but the process died before the e-mails went out."""
    setting.clock.move_to(moment(date(2027, 3, 29)))
    reminders.run(today=date(2027, 3, 29))  # e-mails never sent: the commit hook never ran
    pending = Notification.objects.filter(dedup_key__startswith="checkin:", emailed_at__isnull=True)
    assert pending.count() == 2 and mail.outbox == []
    report = setting.run(date(2027, 3, 30))
    assert report.emails_flushed >= 2
    assert len(mails("van 1 apr. 2027 nadert")) == 2
    assert not Notification.objects.filter(
        dedup_key__startswith="checkin:", emailed_at__isnull=True
    ).exists()
    setting.run(date(2027, 3, 30))
    assert len(mails("van 1 apr. 2027 nadert")) == 2


# --- suspension ending at its planned end ---------------------------------------------------------


def test_suspension_ends_on_its_planned_end_date(setting):
    m = ms(setting.world.coordinator)
    setting.clock.move_to(moment(date(2027, 3, 10)))
    suspension = followup_services.term_suspend(
        case=setting.case,
        actor=setting.world.coordinator,
        membership=m,
        reason="Toestemming wordt vernieuwd",
        starts_on=date(2027, 3, 10),
        planned_end=date(2027, 3, 20),
    )
    assert setting.run(date(2027, 3, 19)).suspensions_ended == 0
    suspension.refresh_from_db()
    assert suspension.ended_on is None
    report = setting.run(date(2027, 3, 25))  # the job did not run for a few days
    assert report.suspensions_ended == 1
    suspension.refresh_from_db()
    assert suspension.ended_on == date(2027, 3, 20)
    event = setting.case.events.filter(transition="term_resume").get()
    assert event.actor.username == reminders.SYSTEM_USERNAME and event.actor_role == "system"
    assert event.note == "Termijn loopt weer vanaf 20 mrt. 2027"
    assert followup_services.case_deadline(setting.case) == DEADLINE + timedelta(days=10)
    assert setting.run(date(2027, 3, 26)).suspensions_ended == 0
    assert TermSuspension.objects.filter(case=setting.case, ended_on__isnull=True).count() == 0


# --- other reminders ------------------------------------------------------------------------------


def test_goal_financing_and_triage_waiting_reminders(
    clock, world, django_capture_on_commit_callbacks
):
    insurer = factories.OrganisationFactory(organisation_type="insurer")
    adviser = factories.member(Role.MEDICAL_ADVISER, organisation=insurer)
    p = fu.partner("Traag antwoord")
    case = fu.plan_case(world)
    fu.add_goal(world, case, p.organisation)
    plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=insurer
    )
    queued = fu.registered_case(world.referrer)

    def run(day):
        clock.move_to(moment(day, hour=10))  # an hour later in the day than the set-up
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.run(today=day)

    assert nonzero(run(date(2027, 3, 7))) == {}
    report = run(date(2027, 3, 8))  # a week old: goal and registration
    assert nonzero(report) == {"goal": 1, "triage": 1}
    assert reminders_of("goal")[0].user == p.user
    assert (
        reminders_of("triage")[0].subject
        == f"Aanmelding {queued.reference} wacht langer dan een week op triage"
    )
    report = run(date(2027, 3, 15))  # two weeks: financing
    assert nonzero(report) == {"financing": 2}
    assert {n.user for n in reminders_of("financing")} == {adviser, world.coordinator}


# --- the daily digest -------------------------------------------------------------------------------


def test_daily_digest_once_per_user_per_day(setting):
    coordinator = setting.world.coordinator
    first = setting.run(date(2027, 3, 29))
    digests = Notification.objects.filter(dedup_key__startswith="digest:")
    assert first.digests == digests.count() == 2  # coordinator and case director
    mine = digests.get(user=coordinator)
    assert mine.dedup_key == f"digest:{coordinator.pk}:2027-03-29"
    assert mine.subject == "Dagoverzicht: 1 nieuwe melding"
    assert mine.read_at is not None  # the digest itself is not counted as news
    assert len(mails("Dagoverzicht")) == 2
    assert setting.run(date(2027, 3, 29)).digests == 0
    assert len(mails("Dagoverzicht")) == 2
    second = setting.run(date(2027, 3, 30), hour=10)  # nothing new in the last day for anyone
    assert second.digests == 0
    setting.run(date(2027, 4, 2))  # overdue: new reminders, a new digest
    assert Notification.objects.filter(dedup_key=f"digest:{coordinator.pk}:2027-04-02").count() == 1


def test_daily_digest_does_not_repeat_yesterdays_notifications(setting):
    setting.run(date(2027, 3, 29), hour=9)
    setting.clock.move_to(datetime(2027, 3, 30, 8, 59, 59, tzinfo=UTC))
    with setting.capture(execute=True):  # type: ignore[operator]
        report = reminders.run(today=date(2027, 3, 30))
    assert report.created == 0  # nothing new happened
    assert report.digests == 0


# --- the command ----------------------------------------------------------------------------------


def test_command_reports_what_it_did(setting):
    setting.clock.move_to(moment(date(2027, 3, 29)))
    out = StringIO()
    with setting.capture(execute=True):  # type: ignore[operator]
        call_command("reminders", "--today", "2027-03-29", stdout=out)
    assert out.getvalue().strip() == (
        "2 nieuwe herinnering(en) (checkin: 2); 0 opschorting(en) beëindigd; 2 dagoverzicht(en); "
        "0 achtergebleven e-mail(s) verstuurd."
    )
    out = StringIO()
    call_command("reminders", "--today", "2027-03-29", stdout=out)
    assert out.getvalue().startswith("0 nieuwe herinnering(en) (checkin: 0);")
    with pytest.raises(CommandError, match="--today moet een datum zijn als JJJJ-MM-DD"):
        call_command("reminders", "--today", "29-03-2027")
