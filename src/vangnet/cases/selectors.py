"""Reads of cases, filtered by what the acting user may see (permission filtering lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor
from vangnet.cases.access import visible_cases
from vangnet.cases.models import Case, TriageRound
from vangnet.cases.workflow import QUEUE_STATES, State
from vangnet.common.errors import NotFound


def case_list(actor: Actor, *, state: str = "", table_number: int | None = None) -> QuerySet[Case]:
    qs = visible_cases(actor).select_related("table", "referrer_organisation")
    if state:
        qs = qs.filter(state=state)
    if table_number:
        qs = qs.filter(table__number=table_number)
    return qs.order_by("-registered_at")


SORTS = {
    "aangemeld": "registered_at",
    "-aangemeld": "-registered_at",
    "referentie": "reference",
    "-referentie": "-reference",
    "status": "state",
    "-status": "-state",
}


def case_search(
    actor: Actor,
    *,
    reference: str = "",
    name: str = "",
    birth_date: date | None = None,
    bsn: str = "",
    referrer: str = "",
    registered_from: date | None = None,
    registered_to: date | None = None,
) -> QuerySet[Case]:
    """Search only the cases `actor` may see. BSN matches exactly; name and referrer by part."""
    qs = visible_cases(actor).select_related("table", "referrer_organisation")
    if reference:
        qs = qs.filter(reference__icontains=reference.strip())
    if name:
        for part in name.split():
            qs = qs.filter(patient_name__icontains=part)
    if birth_date:
        qs = qs.filter(patient_birth_date=birth_date)
    if bsn:
        # The BSN is encrypted at rest: search by its keyed hash, never by decrypting.
        from .services.registration import patient_bsn_key

        qs = qs.filter(patient_key_bsn=patient_bsn_key(bsn))
    if referrer:
        qs = qs.filter(
            Q(referrer_organisation__name__icontains=referrer)
            | Q(referrer__last_name__icontains=referrer)
            | Q(referrer__first_name__icontains=referrer)
        )
    if registered_from:
        qs = qs.filter(registered_at__date__gte=registered_from)
    if registered_to:
        qs = qs.filter(registered_at__date__lte=registered_to)
    return qs.order_by("-registered_at")


def case_by_reference(reference: str) -> Case:
    """Look up a case without a permission check: callers must pass it through `case_access`."""
    try:
        return Case.objects.select_related(
            "table", "referrer_organisation", "patient_municipality", "referrer", "insurer"
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


def queue_counts(actor: Actor) -> dict[str, int]:
    """How many cases wait in each queue state (registered, triage proposed) at the actor's
    tables: one grouped count, so the dashboard can show the oldest few and say how many more."""
    tables = actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER)
    rows = (
        Case.objects.filter(table_id__in=tables, state__in=QUEUE_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return {state: n for state, n in rows}


def triage_queue(actor: Actor, *, limit: int | None = None) -> list[QueueItem]:
    """The coordinator's and second screener's queue: new registrations with their age, oldest
    first; `limit` keeps the oldest few (the dashboard; `queue_counts` says how many there are).

    Seed 000 (Tien in Twente): new registrations are looked at within a week, so those older than
    VANGNET_TRIAGE_DAYS are flagged.
    """
    tables = actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER)
    now = timezone.now()
    week = timedelta(days=settings.VANGNET_TRIAGE_DAYS)
    items = []
    # Only the columns the queue shows: a national table has a hundred or more new
    # registrations, each with long texts the queue never shows (bench/web.py).
    cases = (
        Case.objects.filter(table_id__in=tables, state__in=QUEUE_STATES)
        .select_related("table")
        .only(
            "id",
            "reference",
            "state",
            "registered_at",
            "urgency",
            "table__id",
            "table__number",
            "table__name",
        )
        .prefetch_related(
            Prefetch(
                "triage_rounds",
                queryset=TriageRound.objects.only("id", "case_id", "verdict"),
            )
        )
        .order_by("registered_at", "id")
    )
    if limit is not None:
        cases = cases[:limit]
    for case in cases:
        age = now - case.registered_at
        pending = next(
            (r for r in case.triage_rounds.all() if r.verdict == TriageRound.Verdict.PENDING), None
        )
        items.append(
            QueueItem(case=case, age_days=age.days, overdue=age > week, pending_round=pending)
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
