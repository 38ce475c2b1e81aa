"""Periodic reminders and the daily digest. Idempotent: safe to run twice or after an interruption.

Every reminder carries a dedup key naming what it is about and its status (e.g. a check-in that is
"nearing" and later "overdue" gives two reminders, never two of the same). Notifications are
created one by one, each in its own transaction; e-mails not yet sent (an interrupted run) are sent
by the next run. The job never writes patient data into a notification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from vangnet.accounts.models import Membership, Notification, Role, User
from vangnet.accounts.services import (
    DIGEST_PREFIX,
    _email_notifications,
    digest_send,
    notification_send,
)
from vangnet.cases.models import Case
from vangnet.cases.services import organisation_table_members, table_staff
from vangnet.cases.workflow import ACTIVE_STATES, QUEUE_STATES, State
from vangnet.common.dates import dutch_date
from vangnet.engines.followup import DueStatus, due_status
from vangnet.followup.models import CheckIn, TermSuspension
from vangnet.followup.selectors import term_status
from vangnet.followup.services import term_resume
from vangnet.meetings.models import Task
from vangnet.plans.models import FinancingDecision, PlanGoal

CHECKIN_WARN_DAYS = 3
TASK_WARN_DAYS = 2
FINANCING_WAIT_DAYS = 14
SYSTEM_USERNAME = "vangnet-systeem"


@dataclass
class RunReport:
    created: int = 0
    suspensions_ended: int = 0
    digests: int = 0
    emails_flushed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        self.created += n
        self.kinds[kind] = self.kinds.get(kind, 0) + n


def system_user() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Vangnet", "last_name": "(systeem)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _coordinators(case: Case) -> list[User]:
    return table_staff(case.table, Role.COORDINATOR)


LABEL = {DueStatus.NEARING: "nadert", DueStatus.OVERDUE: "is verlopen"}


def run(*, today: date | None = None) -> RunReport:
    today = today or timezone.localdate()
    report = RunReport()

    # 1. Suspensions whose planned end has come: the term runs again from that day.
    actor = system_user()
    for s in TermSuspension.objects.filter(
        ended_on__isnull=True, planned_end__isnull=False, planned_end__lte=today
    ).select_related("case"):
        term_resume(suspension=s, actor=actor, membership=None, on=s.planned_end)
        report.suspensions_ended += 1

    # 2. Check-ins nearing or overdue.
    for c in CheckIn.objects.filter(
        done_at__isnull=True, phase__case__state__in=ACTIVE_STATES
    ).select_related("phase__case__table", "phase__case__plan"):
        status = due_status(c.due_on, today=today, warn_days=CHECKIN_WARN_DAYS)
        if status is DueStatus.OK:
            continue
        case = c.phase.case
        users = _coordinators(case)
        director = getattr(case, "plan", None) and case.plan.case_director
        if director:
            users.append(director)
        report.add(
            "checkin",
            len(
                notification_send(
                    users=users,
                    subject=f"Check-in {case.reference} van {dutch_date(c.due_on)} {LABEL[status]}",
                    body="Leg de voortgang per doel vast, ook als het rustig is.",
                    case_reference=case.reference,
                    dedup_key=f"checkin:{c.pk}:{status}",
                )
            ),
        )

    # 2b. Follow-up without a planned check-in: the case stays monitored when it is quiet, so the
    #     coordinator is asked to add the next phase (or close the case).
    for case in (
        Case.objects.filter(state=State.FOLLOW_UP)
        .exclude(phases__checkins__done_at__isnull=True)
        .select_related("table")
        .distinct()
    ):
        last = case.phases.order_by("-number").first()
        report.add(
            "phase",
            len(
                notification_send(
                    users=_coordinators(case),
                    subject=f"Casus {case.reference} heeft geen geplande check-in meer",
                    body="Voeg een volgende fase met maandelijkse check-ins toe, of sluit de casus af.",
                    case_reference=case.reference,
                    dedup_key=f"phase:{case.pk}:{last.ends_on.isoformat() if last else 'none'}",
                )
            ),
        )

    # 3. Tasks nearing or overdue.
    for t in Task.objects.filter(
        done_at__isnull=True, case__state__in=ACTIVE_STATES
    ).select_related("case__table"):
        status = due_status(t.due_on, today=today, warn_days=TASK_WARN_DAYS)
        if status is DueStatus.OK:
            continue
        users = organisation_table_members(t.case, t.organisation_id) + _coordinators(t.case)
        if t.assignee:
            users.append(t.assignee)
        report.add(
            "task",
            len(
                notification_send(
                    users=users,
                    subject=f"Actie in casus {t.case.reference} {LABEL[status]} ({dutch_date(t.due_on)})",
                    body="Een afgesproken actie uit de bespreking moet worden afgerond.",
                    case_reference=t.case.reference,
                    dedup_key=f"task:{t.pk}:{status}",
                )
            ),
        )

    # 4. Goals without an answer and financing decisions waiting too long.
    for g in PlanGoal.objects.filter(
        status=PlanGoal.Status.PROPOSED, created_at__date__lte=today - timedelta(days=7)
    ).select_related("plan__case__table"):
        case = g.plan.case
        report.add(
            "goal",
            len(
                notification_send(
                    users=organisation_table_members(case, g.organisation_id),
                    subject=f"Doel in casus {case.reference} wacht op uw reactie",
                    body="Accepteer of weiger het doel, zodat het plan kan worden vastgesteld.",
                    case_reference=case.reference,
                    dedup_key=f"goal:{g.pk}:waiting",
                )
            ),
        )
    for d in FinancingDecision.objects.filter(
        decision=FinancingDecision.Decision.REQUESTED,
        created_at__date__lte=today - timedelta(days=FINANCING_WAIT_DAYS),
    ).select_related("case"):
        advisers = [
            m.user
            for m in Membership.objects.filter(
                organisation_id=d.insurer_id, role=Role.MEDICAL_ADVISER, active=True
            ).select_related("user")
        ]
        report.add(
            "financing",
            len(
                notification_send(
                    users=advisers + _coordinators(d.case),
                    subject=f"Besluit maatwerkarrangement {d.case.reference} wacht al {FINANCING_WAIT_DAYS} dagen",
                    body="De tafel wacht op het financieringsbesluit.",
                    case_reference=d.case.reference,
                    dedup_key=f"financing:{d.pk}:waiting",
                )
            ),
        )

    # 5. The offer term nearing or passed: warn and propose escalation (seed 001 §3.2).
    for case in (
        Case.objects.filter(state__in=ACTIVE_STATES)
        .select_related("table")
        .prefetch_related("suspensions")
    ):
        term = term_status(case, today=today)
        if term is None or term.status == DueStatus.OK or term.suspended:
            continue
        proposal = min(case.escalation_level + 1, 4)
        subject = (
            f"Termijn casus {case.reference} verstreken: escalatie naar niveau {proposal} voorgesteld"
            if term.status == DueStatus.OVERDUE
            else f"Termijn casus {case.reference} nadert ({dutch_date(term.deadline)})"
        )
        report.add(
            "term",
            len(
                notification_send(
                    users=_coordinators(case),
                    subject=subject,
                    body="Beoordeel tempo en voortgang; overweeg de volgende stap op de escalatieladder.",
                    case_reference=case.reference,
                    dedup_key=f"term:{case.pk}:{term.status}:{term.deadline.isoformat()}",
                )
            ),
        )

    # 6. Registrations waiting for triage longer than a week (seed 000, Tien in Twente).
    week_ago = timezone.now() - timedelta(days=7)
    for case in Case.objects.filter(
        state__in=QUEUE_STATES, registered_at__lt=week_ago
    ).select_related("table"):
        report.add(
            "triage",
            len(
                notification_send(
                    users=_coordinators(case),
                    subject=f"Aanmelding {case.reference} wacht langer dan een week op triage",
                    body="Nieuwe aanmeldingen worden binnen een week bekeken.",
                    case_reference=case.reference,
                    dedup_key=f"triage:{case.pk}:overdue",
                )
            ),
        )

    # 6b. Sociale kaart entries not confirmed for six months remind their organisation's editors.
    from vangnet.directory import reminders as directory_reminders

    stale_entries = directory_reminders.run(today=today)
    if stale_entries:  # like the other kinds, a kind with nothing to report is not listed
        report.add("sociale_kaart", stale_entries)

    # 6c. Transfer desk deadlines: offers not answered, accepted transfers without intake date.
    from vangnet.transfers import reminders as transfer_reminders

    for kind, n in transfer_reminders.run(today=today).items():
        if n:
            report.add(kind, n)

    # 7. Daily digest: one e-mail per user listing what is new since their previous digest (or
    #    of the last day for a first digest), each with its link, so nothing is reported twice.
    fallback = timezone.now() - timedelta(days=1)
    recent = (
        Notification.objects.filter(read_at__isnull=True, created_at__gte=fallback)
        .exclude(dedup_key__startswith=DIGEST_PREFIX)
        .values_list("user_id", flat=True)
        .distinct()
    )
    # A user with news older than a day had a digest for it already (or asked for no mail).
    for user in User.objects.filter(pk__in=recent):
        if digest_send(user=user, today=today) is not None:
            report.digests += 1

    # 8. Reminder e-mails an interrupted earlier run did not send. (Mails of other notifications
    #    that failed because the mail server was down stay visible in the app; see the log.)
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, user__email__gt="")
        .exclude(dedup_key="")
        .filter(~Q(created_at__gte=timezone.now()))
        .values_list("pk", flat=True)
    )
    if pending:
        _email_notifications(pending)
        report.emails_flushed = Notification.objects.filter(
            pk__in=pending, emailed_at__isnull=False
        ).count()
    return report
