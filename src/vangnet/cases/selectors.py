"""Reads of cases, filtered by what the acting user may see (permission filtering lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor
from vangnet.common.errors import NotFound
from vangnet.monitor import codes

from .access import visible_cases
from .models import Case, CheckIn, FinancingDecision, Meeting, Plan, PlanGoal, Task, TriageRound
from .workflow import ACTIVE_STATES, OPEN_STATES, QUEUE_STATES, State


def case_list(actor: Actor, *, state: str = "", table_number: int | None = None) -> QuerySet[Case]:
    qs = visible_cases(actor).select_related("table", "referrer_organisation")
    if state:
        qs = qs.filter(state=state)
    if table_number:
        qs = qs.filter(table__number=table_number)
    return qs.order_by("-registered_at")


def case_by_reference(reference: str) -> Case:
    """Look up a case without a permission check: callers must pass it through `case_access`."""
    try:
        return Case.objects.select_related(
            "table", "referrer_organisation", "patient_municipality", "referrer"
        ).get(reference=reference)
    except Case.DoesNotExist as exc:
        raise CaseNotFound() from exc


class CaseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Deze casus bestaat niet.")


@dataclass(frozen=True)
class QueueItem:
    case: Case
    age_days: int
    overdue: bool
    pending_round: TriageRound | None


def triage_queue(actor: Actor) -> list[QueueItem]:
    """The coordinator's and second screener's queue: new registrations with their age.

    Seed 000 (Tien in Twente): new registrations are looked at within a week, so those older than
    VANGNET_TRIAGE_DAYS are flagged.
    """
    tables = actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER)
    now = timezone.now()
    limit = timedelta(days=settings.VANGNET_TRIAGE_DAYS)
    items = []
    cases = (
        Case.objects.filter(table_id__in=tables, state__in=QUEUE_STATES)
        .select_related("table", "referrer_organisation")
        .prefetch_related("triage_rounds")
        .order_by("registered_at")
    )
    for case in cases:
        age = now - case.registered_at
        pending = next(
            (r for r in case.triage_rounds.all() if r.verdict == TriageRound.Verdict.PENDING), None
        )
        items.append(
            QueueItem(case=case, age_days=age.days, overdue=age > limit, pending_round=pending)
        )
    return items


def latest_round(case: Case) -> TriageRound | None:
    return case.triage_rounds.order_by("-proposed_at", "-id").first()


def final_round(case: Case) -> TriageRound | None:
    if case.state in {State.REGISTERED, State.TRIAGE_PROPOSED}:
        return None
    return (
        case.triage_rounds.filter(verdict=TriageRound.Verdict.CONFIRMED)
        .order_by("-screened_at")
        .first()
    )


# --- issue 4: the case workspace and the working overview ------------------------------------

WARN_DAYS = 14  # warn this many days before the offer term passes


@dataclass(frozen=True)
class TermStatus:
    deadline: date
    status: str  # ok, nearing, overdue
    suspended: bool
    days_left: int


def term_status(case: Case, *, today: date | None = None) -> TermStatus | None:
    from vangnet.engines.followup import due_status

    from .services import case_deadline

    if case.admitted_on is None or case.state not in ACTIVE_STATES:
        return None
    today = today or timezone.localdate()
    deadline = case_deadline(case, today=today)
    assert deadline is not None
    suspended = any(s.ended_on is None and s.starts_on <= today for s in case.suspensions.all())
    return TermStatus(
        deadline=deadline,
        status=str(due_status(deadline, today=today, warn_days=WARN_DAYS)),
        suspended=suspended,
        days_left=(deadline - today).days,
    )


def case_workspace(case: Case) -> dict[str, object]:
    plan = (
        Plan.objects.filter(case=case)
        .prefetch_related("goals__organisation", "revisions__changed_by")
        .first()
    )
    phases = list(case.phases.prefetch_related("checkins__progress__goal", "checkins__done_by"))
    today = timezone.localdate()
    next_checkin = (
        CheckIn.objects.filter(phase__case=case, done_at__isnull=True).order_by("due_on").first()
    )
    return {
        "timeline": case.timeline_entries.all(),
        "parties": case.parties.select_related("organisation"),
        "consents": case.consents.select_related("organisation"),
        "questions": case.questions.all(),
        "documents": case.documents.all(),
        "agenda_items": case.agenda_items.select_related("meeting").prefetch_related(
            "participants", "tasks"
        ),
        "tasks": case.tasks.select_related("organisation", "assignee"),
        "plan": plan,
        "goals": list(plan.goals.all()) if plan else [],
        "revisions": list(plan.revisions.all()[:20]) if plan else [],
        "financing": case.financing_decisions.select_related("insurer", "adviser"),
        "phases": phases,
        "next_checkin": next_checkin,
        "suspensions": case.suspensions.all(),
        "escalations": case.escalations.select_related("by"),
        "term": term_status(case, today=today),
        "outcome_label": dict(codes.OUTCOMES).get(case.outcome, case.outcome),
        "today": today,
    }


@dataclass(frozen=True)
class OverviewRow:
    case: Case
    days_in_stage: int
    term: TermStatus | None
    overdue_checkins: int
    no_planned_checkin: bool = False


def table_overview(actor: Actor) -> dict[str, object]:
    """Per table: open cases by stage, time in stage, overdue check-ins, term, upcoming meetings."""
    tables = actor.table_ids(Role.COORDINATOR)
    today = timezone.localdate()
    now = timezone.now()
    cases = (
        Case.objects.filter(table_id__in=tables, state__in=OPEN_STATES)
        .select_related("table")
        .prefetch_related("suspensions")
        .order_by("state", "state_changed_at")
    )
    rows: dict[str, list[OverviewRow]] = {}
    for case in cases:
        open_checkins = CheckIn.objects.filter(phase__case=case, done_at__isnull=True)
        overdue = open_checkins.filter(due_on__lt=today).count()
        quiet = case.state == State.FOLLOW_UP and not open_checkins.exists()
        rows.setdefault(State(case.state).label, []).append(
            OverviewRow(
                case=case,
                days_in_stage=(now - case.state_changed_at).days,
                term=term_status(case, today=today),
                overdue_checkins=overdue,
                no_planned_checkin=quiet,
            )
        )
    meetings = Meeting.objects.filter(table_id__in=tables, starts_at__gte=now).order_by(
        "starts_at"
    )[:10]
    return {"by_stage": rows, "meetings": meetings}


def my_tasks(actor: Actor) -> dict[str, list[Any]]:
    """Per user: actions for my organisations, goals awaiting our answer, check-ins I direct,
    financing decisions awaiting me — each only while the user may see that case (an invited
    organisation whose consent was withdrawn sees nothing, not even the reference)."""
    from .access import Permission, granting_membership

    orgs = {m.organisation_id for m in actor.memberships}
    adviser_orgs = actor.organisation_ids(Role.MEDICAL_ADVISER)
    allowed: dict[tuple[int, str], bool] = {}

    def may(case: Case, permission: Permission) -> bool:
        key = (case.pk, permission.value)
        if key not in allowed:
            allowed[key] = granting_membership(actor, case, permission) is not None
        return allowed[key]

    tasks = (
        Task.objects.filter(done_at__isnull=True, organisation_id__in=orgs)
        .select_related("case", "organisation")
        .order_by("due_on")[:50]
    )
    goals = PlanGoal.objects.filter(
        status=PlanGoal.Status.PROPOSED, organisation_id__in=orgs
    ).select_related("plan__case")[:50]
    checkins = (
        CheckIn.objects.filter(
            done_at__isnull=True,
            phase__case__plan__case_director=actor.user,
            phase__case__state=State.FOLLOW_UP,
        )
        .select_related("phase__case")
        .order_by("due_on")[:50]
    )
    financing = FinancingDecision.objects.filter(
        decision=FinancingDecision.Decision.REQUESTED, insurer_id__in=adviser_orgs
    ).select_related("case")[:50]
    return {
        "tasks": [t for t in tasks if may(t.case, Permission.READ)],
        "goals": [g for g in goals if may(g.plan.case, Permission.GOAL_RESPOND)],
        "checkins": [c for c in checkins if may(c.phase.case, Permission.CHECK_IN)],
        "financing": [d for d in financing if may(d.case, Permission.FINANCING)],
    }
