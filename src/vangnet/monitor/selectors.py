"""Reads of the monitor, and who may see which report (permission filtering lives here).

- Monitor analysts (and administrators) import, export and see every report: national and per
  table, public and internal.
- A coordinator completes the questionnaire for the cases of their own table and sees the
  internal (exact) report of that table and the national report, public or internal: issue 5
  gives the internal report to "coordinators, steering group", and the coordinators discuss the
  national figures in the yearly meeting (seed 001 §4.2). Other tables' reports are not theirs.
- Everyone else — referrers, table members, second screeners — has no access to the monitor.

Per-table reports are internal only: publishing suppressed tables per region next to the
national ones would let a reader add the regions up and recover a hidden national cell (see
docs/adr/0006-monitor-disclosure-control.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import ExtractYear

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.common.errors import NotAllowed
from vangnet.reference import questionnaire as codes

from .models import MonitorRecord
from .reporting import Row

NATIONAL_ROLES = (Role.MONITOR_ANALYST, Role.ADMINISTRATOR)


def is_national(actor: Actor) -> bool:
    return any(actor.has_role(role) for role in NATIONAL_ROLES)


def coordinator_tables(actor: Actor) -> set[int]:
    """Numbers of the tables the actor coordinates."""
    return {m.table.number for m in actor.memberships if m.role == Role.COORDINATOR and m.table}


def can_use_monitor(actor: Actor) -> bool:
    return is_national(actor) or bool(coordinator_tables(actor))


def require_national(actor: Actor) -> None:
    if not is_national(actor):
        raise NotAllowed("Alleen de monitoranalist kan de monitor importeren en exporteren.")


def require_report_access(actor: Actor, *, table: int | None, internal: bool) -> None:
    """Raise NotAllowed unless the actor may see this report: monitor analysts every report,
    coordinators the national one (public or internal) and their own table's."""
    if is_national(actor):
        return
    own = coordinator_tables(actor)
    if table is None and own:
        return
    if table is not None and table in own:
        return
    raise NotAllowed("U heeft geen toegang tot dit monitorrapport.")


def may_complete_questionnaire(actor: Actor, case: Case) -> bool:
    return actor.membership_for(role=Role.COORDINATOR, table_id=case.table_id) is not None


def records(
    *, year_from: int | None = None, year_to: int | None = None, table: int | None = None
) -> QuerySet[MonitorRecord]:
    qs = MonitorRecord.objects.select_related("table").order_by("registration_date", "case_ref")
    if year_from is not None:
        qs = qs.filter(registration_date__year__gte=year_from)
    if year_to is not None:
        qs = qs.filter(registration_date__year__lte=year_to)
    if table is not None:
        qs = qs.filter(table__number=table)
    return qs


def to_row(record: MonitorRecord) -> Row:
    return Row(
        registration_date=record.registration_date,
        table=record.table.number,
        outcome=record.outcome,
        referrer_type=record.referrer_type,
        patient_agreed=record.patient_agreed,
        outcome_date=record.outcome_date,
        answers=record.answers(),
        followups=record.outcome_followups or {},
    )


def report_rows(*, year_from: int, year_to: int, table: int | None = None) -> list[Row]:
    return [
        to_row(r) for r in records(year_from=year_from, year_to=year_to, table=table).iterator()
    ]


def year_span() -> tuple[int, int] | None:
    """The first and last registration year in the monitor, if it holds any record."""
    span = MonitorRecord.objects.aggregate(
        first=Min("registration_date"), last=Max("registration_date")
    )
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"].year, span["last"].year


def consultation_counts(
    *, year_from: int, year_to: int, table: int | None = None
) -> dict[tuple[int, int], int] | None:
    """Consultations per (table number, year), or None while the consultations app has no model.

    Counts rows of `consultations.Consultation` by the date they were requested.
    """
    try:
        model = apps.get_model("consultations", "Consultation")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    when = next((n for n in ("requested_on", "requested_at", "created_at") if n in names), "")
    if not when or "table" not in names:
        return None
    qs = model.objects.filter(**{f"{when}__year__gte": year_from, f"{when}__year__lte": year_to})
    if table is not None:
        qs = qs.filter(table__number=table)
    counts = (
        qs.annotate(year=ExtractYear(when))
        .values("table__number", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    result = {(c["table__number"], c["year"]): c["n"] for c in counts}
    # Cases decided "alleen consultatie" at triage are consultations too (seed 001 figure 1 counts
    # consultation apart from the registered cases), by the year they were registered.
    cases = Case.objects.filter(
        state=State.CONSULTATION,
        registered_at__year__gte=year_from,
        registered_at__year__lte=year_to,
    )
    if table is not None:
        cases = cases.filter(table__number=table)
    for c in (
        cases.annotate(year=ExtractYear("registered_at"))
        .values("table__number", "year")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = (c["table__number"], c["year"])
        result[key] = result.get(key, 0) + c["n"]
    return result


@dataclass(frozen=True)
class QuestionnaireItem:
    case: Case
    record: MonitorRecord | None


def questionnaire_cases(actor: Actor) -> list[QuestionnaireItem]:
    """The coordinator's cases with the state of their monitor questionnaire."""
    tables = actor.table_ids(Role.COORDINATOR)
    cases = (
        Case.objects.filter(table_id__in=tables).select_related("table").order_by("-registered_at")
    )
    by_case = {
        r.case_id: r for r in MonitorRecord.objects.filter(case__in=cases).select_related("table")
    }
    return [QuestionnaireItem(case=case, record=by_case.get(case.pk)) for case in cases]


def age_cluster(birth_date: date, on: date) -> str:
    """The Q1 cluster of an age: lower bounds inclusive (25 is in 25-45, 65 in >65)."""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 18:
        return "lt18"
    if age < 25:
        return "18-25"
    if age < 45:
        return "25-45"
    if age < 65:
        return "45-65"
    return "gt65"


def prefill_from_case(case: Case) -> dict[str, object]:
    """What the case already knows, as questionnaire answers (seed 001 Bijlage 2 codes)."""
    registered = case.registered_at.date()
    # Seed 001 figure 1 knows no "referred": a referral at triage means the case did not fit this
    # table's criteria, so it is counted with "not suitable" (an outcome), never as ongoing.
    outcome = case.outcome or (
        "not_suitable" if case.state in {State.NOT_SUITABLE, State.REFERRED} else "ongoing"
    )
    obstacles = _known(case.obstacles, codes.OBSTACLES)
    if outcome == "not_suitable" and not obstacles:
        obstacles = ["not_admitted_after_triage"]
    agreed = {True: "yes", False: "no"}.get(case.offer_accepted, "")  # type: ignore[arg-type]
    return {
        "age_cluster": age_cluster(case.patient_birth_date, registered),
        "referrer_type": case.referrer_type,
        "outcome": outcome,
        "helped_by": _known(case.helped_by, codes.HELPED_BY),
        "obstacles": obstacles,
        "shortages": _known(case.shortages, codes.SHORTAGES),
        "patient_agreed": agreed if outcome == "new_offer" else "",
        "in_treatment": {True: "yes", False: "no"}.get(case.in_ggz_treatment, ""),  # type: ignore[arg-type]
    }


def _known(values: object, options: codes.Options) -> list[str]:
    allowed = codes.codes_of(options)
    given = set(values) if isinstance(values, list) else set()
    return [c for c in allowed if c in given]


def record_for_case(case: Case) -> MonitorRecord | None:
    return MonitorRecord.objects.filter(case=case).select_related("table").first()


def report_version() -> str:
    """A value that changes whenever a monitor record or consultation is added, changed or
    deleted (every write sets `updated_at`; a deletion changes the count). Reports are cached
    under it, so a cached report is never older than the records."""
    from vangnet.consultations.models import Consultation

    parts = []
    for model in (MonitorRecord, Consultation):
        agg = model.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        parts.append(f"{agg['n']}:{agg['last'].isoformat() if agg['last'] else ''}")
    return "|".join(parts)
