"""Reads that span the case-work apps: the case file's sections, the table overview and each
user's open tasks. Callers pass the acting user; permission filtering happens here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Prefetch, Q, QuerySet
from django.utils import timezone

from vangnet.accounts.models import Role, User
from vangnet.accounts.selectors import Actor
from vangnet.cases.models import Case
from vangnet.cases.workflow import ACTIVE_STATES, OPEN_STATES, State
from vangnet.continuity import selectors as continuity_selectors
from vangnet.followup.models import CheckIn, GoalProgress, TermSuspension
from vangnet.followup.selectors import TermStatus, term_status, term_status_of
from vangnet.meetings.models import Meeting, Task
from vangnet.plans.models import FinancingDecision, Plan, PlanGoal
from vangnet.reference import questionnaire as codes

REVISIONS_SHOWN = 20

# The case's related rows the case file shows. Most cases have only a few of these filled in, so
# the page counts them all in one query (`case_presence`) and fetches only the lists that hold
# rows: each ORM query costs the page about a millisecond of CPU, an empty list as much as a full
# one (issue 12).
PRESENCE_RELATIONS = (
    "party_actions",
    "referrer_criteria",
    "triage_rounds",
    "events",
    "linked_cases",
    "timeline_entries",
    "parties",
    "consents",
    "questions",
    "documents",
    "agenda_items",
    "tasks",
    "plan",
    "financing_decisions",
    "phases",
    "suspensions",
    "escalations",
    "gp",
    "crisis_cards",
    "medication",
    "contact_persons",
    "handovers",
    "gp_letters",
    "board_referrals",
    "outcome_requests",
)


@lru_cache(maxsize=1)
def _presence_sql() -> str:
    """One scalar count per relation of PRESENCE_RELATIONS, for one case (`%s`, repeated)."""
    parts = []
    for name in PRESENCE_RELATIONS:
        field = Case._meta.get_field(name)
        if field.many_to_many:
            table = field.m2m_db_table()  # type: ignore[union-attr]
            column = field.m2m_column_name()  # type: ignore[union-attr]
        else:
            table = field.related_model._meta.db_table  # type: ignore[union-attr]
            column = field.field.column  # type: ignore[union-attr]
        quote = connection.ops.quote_name
        # Names from the models' metadata, never from input; the case id is a parameter.
        parts.append(f"(SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} = %s)")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def case_presence(case: Case) -> dict[str, int]:
    """How many rows each relation of PRESENCE_RELATIONS holds for `case`, in one query (plain
    portable SQL: it costs no ORM compilation)."""
    with connection.cursor() as cursor:
        cursor.execute(_presence_sql(), [case.pk] * len(PRESENCE_RELATIONS))
        row = cursor.fetchone()
    return dict(zip(PRESENCE_RELATIONS, row, strict=True))


def case_workspace(case: Case, *, present: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything the case file's stages show of `case`, as lists. Relations that `present`
    (from `case_presence`) counts as empty are not queried."""
    if present is None:
        present = case_presence(case)

    def rows(name: str, queryset: Any) -> list[Any]:
        return list(queryset) if present[name] else []

    today = timezone.localdate()
    plan = (
        Plan.objects.filter(case=case)
        .select_related("case_director", "regiebehandelaar_organisation")
        .first()
        if present["plan"]
        else None
    )
    goals = (
        list(
            plan.goals.select_related(
                "organisation", "offer__location__organisation", "responded_by"
            )
        )
        if plan
        else []
    )
    # The latest REVISIONS_SHOWN, and whether there are older ones (the page says so).
    revisions = (
        list(plan.revisions.select_related("changed_by")[: REVISIONS_SHOWN + 1]) if plan else []
    )
    phases = rows(
        "phases",
        case.phases.prefetch_related(
            Prefetch("checkins__progress", queryset=GoalProgress.objects.select_related("goal"))
        ),
    )
    open_checkins = [c for p in phases for c in p.checkins.all() if c.done_at is None]
    # The first check-in still to be done (overdue ones included), as `next_checkin` reads it.
    upcoming = min(open_checkins, key=lambda c: (c.due_on, c.pk), default=None)
    suspensions = rows("suspensions", case.suspensions.all())
    consents = rows("consents", case.consents.select_related("organisation"))
    return {
        "present": present,
        "timeline": rows("timeline_entries", case.timeline_entries.all()),
        "parties": rows("parties", case.parties.select_related("organisation")),
        "consents": consents,
        "questions": rows("questions", case.questions.all()),
        "documents": rows("documents", case.documents.all()),
        "agenda_items": rows("agenda_items", case.agenda_items.select_related("meeting")),
        "tasks": rows("tasks", case.tasks.select_related("organisation", "assignee")),
        "plan": plan,
        "goals": goals,
        "revisions": revisions,
        "financing": rows(
            "financing_decisions", case.financing_decisions.select_related("insurer", "adviser")
        ),
        "phases": phases,
        "next_checkin": upcoming,
        "suspensions": suspensions,
        "escalations": rows("escalations", case.escalations.select_related("by")),
        "term": term_status(case, today=today, suspensions=suspensions),
        "outcome_label": dict(codes.OUTCOMES).get(case.outcome, case.outcome),
        "today": today,
        "continuity": continuity_selectors.case_continuity(
            case, today=today, present=present, consents=consents
        ),
    }


@dataclass(frozen=True)
class OverviewRow:
    case: Case
    days_in_stage: int
    term: TermStatus | None
    overdue_checkins: int
    no_planned_checkin: bool = False

    @property
    def needs_attention(self) -> bool:
        return needs_attention(self.overdue_checkins, self.no_planned_checkin, self.term)


def needs_attention(
    overdue_checkins: int, no_planned_checkin: bool, term: TermStatus | None
) -> bool:
    return bool(
        overdue_checkins
        or no_planned_checkin
        or (term is not None and term.status in {"overdue", "nearing"})
    )


# Rows shown per stage; the rest are one link away in the case list (filtered by state). A
# national table has hundreds of open cases: rendering rows is most of the overview's time
# (bench/web.py), and a coordinator acts on the top of each stage: those that need attention
# first (each stage says how many do), then the longest in the stage.
OVERVIEW_SHOWN = 10


@dataclass
class StageRows:
    """The open cases of one stage: those that need attention first, then the longest in the
    stage; `total` counts them all, `rows` holds the first OVERVIEW_SHOWN."""

    state: str
    rows: list[OverviewRow]
    total: int
    attention: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __iter__(self) -> Iterator[OverviewRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# The columns the overview reads: the long texts of a registration stay in the database.
OVERVIEW_FIELDS = (
    "id",
    "reference",
    "state",
    "state_changed_at",
    "admitted_on",
    "escalation_level",
    "table__id",
    "table__number",
    "table__name",
    "table__offer_term_days",
)


def table_overview(actor: Actor) -> dict[str, object]:
    """Per table: open cases by stage, time in stage, overdue check-ins, term, upcoming meetings.

    A national table has hundreds of open cases. Choosing the rows needs every one of them
    (attention first, then the longest in the stage), so that pass reads plain values — one
    grouped query for the cases and their check-in counts, one for the suspensions — and only
    the OVERVIEW_SHOWN rows per stage become model instances and rows of the page."""
    tables = actor.table_ids(Role.COORDINATOR)
    today = timezone.localdate()
    now = timezone.now()
    open_cases = Case.objects.filter(table_id__in=tables, state__in=OPEN_STATES)
    open_checkin = Q(phases__checkins__done_at__isnull=True)
    light = (
        open_cases.annotate(
            open_checkins=Count("phases__checkins", filter=open_checkin),
            overdue_checkins=Count(
                "phases__checkins", filter=open_checkin & Q(phases__checkins__due_on__lt=today)
            ),
        )
        .order_by("state", "state_changed_at", "id")
        .values_list(
            # Not state_changed_at: timestamps are parsed in Python (the ordering uses it, and
            # the shown rows read it from their instances).
            "id",
            "state",
            "admitted_on",
            "table__offer_term_days",
            "open_checkins",
            "overdue_checkins",
        )
    )
    suspensions: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for case_id, starts_on, ended_on in TermSuspension.objects.filter(
        case__in=open_cases.filter(state__in=ACTIVE_STATES, admitted_on__isnull=False).values("pk")
    ).values_list("case_id", "starts_on", "ended_on"):
        suspensions[case_id].append((starts_on, ended_on))
    rows: dict[str, StageRows] = {}
    # Per stage: (needs attention, case id, the row's values) for every open case; rows are made
    # only for those shown.
    chosen: dict[str, list[tuple[bool, int, tuple[Any, ...]]]] = defaultdict(list)
    labels: dict[str, str] = {state: State(state).label for state in OPEN_STATES}
    for case_id, state, admitted_on, term_days, open_n, overdue in light:
        label = labels[state]
        stage = rows.get(label)
        if stage is None:
            stage = rows[label] = StageRows(state=state, rows=[], total=0)
        stage.total += 1
        term = term_status_of(
            state=state,
            admitted_on=admitted_on,
            term_days=term_days,
            suspensions=suspensions.get(case_id, ()),
            today=today,
        )
        quiet = state == State.FOLLOW_UP and not open_n
        attention = needs_attention(overdue, quiet, term)
        stage.attention += attention
        chosen[label].append((attention, case_id, (term, overdue, quiet)))
    shown: dict[str, list[tuple[bool, int, tuple[Any, ...]]]] = {}
    for label, candidates in chosen.items():
        # Stable: within each group the longest in the stage stay first.
        candidates.sort(key=lambda item: not item[0])
        shown[label] = candidates[:OVERVIEW_SHOWN]
    ids = [case_id for items in shown.values() for _, case_id, _ in items]
    cases = Case.objects.select_related("table").only(*OVERVIEW_FIELDS).in_bulk(ids)
    for label, items in shown.items():
        rows[label].rows = [
            OverviewRow(
                case=cases[case_id],
                days_in_stage=(now - cases[case_id].state_changed_at).days,
                term=term,
                overdue_checkins=overdue,
                no_planned_checkin=quiet,
            )
            for _, case_id, (term, overdue, quiet) in items
        ]
    meetings = Meeting.objects.filter(table_id__in=tables, starts_at__gte=now).order_by(
        "starts_at"
    )[:10]
    return {"by_stage": rows, "meetings": meetings}


MY_TASKS_SHOWN = 50


def my_tasks(actor: Actor) -> dict[str, Any]:
    """Per user: actions for my organisations, goals awaiting our answer, check-ins I direct,
    financing decisions awaiting me — each only while the user may see that case (an invited
    organisation whose consent was withdrawn sees nothing, not even the reference).

    The permission is part of each query, so the first MY_TASKS_SHOWN are the first the user
    may see; `more` names the lists that hold more than that (the page says so)."""
    from vangnet.cases.access import Permission, permission_q

    orgs = {m.organisation_id for m in actor.memberships}
    adviser_orgs = actor.organisation_ids(Role.MEDICAL_ADVISER)

    def permitted(permission: Permission) -> QuerySet[Case]:
        condition = permission_q(actor, permission)
        return Case.objects.none() if condition is None else Case.objects.filter(condition)

    # What could be on each list before the permission: most users have nothing on most
    # lists, and one EXISTS per list in a single query costs less than the permission queries.
    candidates: dict[str, QuerySet[Any]] = {
        "tasks": Task.objects.filter(done_at__isnull=True, organisation_id__in=orgs),
        "goals": PlanGoal.objects.filter(status=PlanGoal.Status.PROPOSED, organisation_id__in=orgs),
        "checkins": CheckIn.objects.filter(
            done_at__isnull=True,
            phase__case__plan__case_director=actor.user,
            phase__case__state=State.FOLLOW_UP,
        ),
        "financing": FinancingDecision.objects.filter(
            decision=FinancingDecision.Decision.REQUESTED, insurer_id__in=adviser_orgs
        ),
    }
    found = (
        User.objects.filter(pk=actor.user.pk)
        .annotate(**{f"has_{name}": Exists(qs) for name, qs in candidates.items()})
        .values(*(f"has_{name}" for name in candidates))
        .first()
    ) or {}
    present = {name: found.get(f"has_{name}", False) for name in candidates}
    lists: dict[str, list[Any]] = {name: [] for name in candidates}
    if present.get("tasks"):
        lists["tasks"] = list(
            candidates["tasks"]
            .filter(case__in=permitted(Permission.READ).values("pk"))
            .select_related("case", "organisation")
            .order_by("due_on", "pk")[: MY_TASKS_SHOWN + 1]
        )
    if present.get("goals"):
        lists["goals"] = list(
            candidates["goals"]
            .filter(plan__case__in=permitted(Permission.GOAL_RESPOND).values("pk"))
            .select_related("plan__case")
            .order_by("pk")[: MY_TASKS_SHOWN + 1]
        )
    if present.get("checkins"):
        lists["checkins"] = list(
            candidates["checkins"]
            .filter(phase__case__in=permitted(Permission.CHECK_IN).values("pk"))
            .select_related("phase__case")
            .order_by("due_on", "pk")[: MY_TASKS_SHOWN + 1]
        )
    if present.get("financing"):
        lists["financing"] = list(
            candidates["financing"]
            .filter(case__in=permitted(Permission.FINANCING).values("pk"))
            .select_related("case")
            .order_by("pk")[: MY_TASKS_SHOWN + 1]
        )
    more = [name for name, rows in lists.items() if len(rows) > MY_TASKS_SHOWN]
    return {**{name: rows[:MY_TASKS_SHOWN] for name, rows in lists.items()}, "more": more}
