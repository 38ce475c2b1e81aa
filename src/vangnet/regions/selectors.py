"""Reads of reference data: which table serves a municipality on a date, region groupings."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from .models import Municipality, Table, TableAssignment


def table_for_municipality(*, municipality: Municipality, on: date) -> Table | None:
    assignment = (
        TableAssignment.objects.filter(municipality=municipality, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("table")
        .order_by("-valid_from")
        .first()
    )
    return assignment.table if assignment else None


def municipalities_of_table(*, table: Table, on: date) -> QuerySet[Municipality]:
    # One filter() call so both conditions apply to the same assignment row.
    current = TableAssignment.objects.filter(table=table, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    return Municipality.objects.filter(pk__in=current.values("municipality_id"))


def region_grouping(kind: str, *, on: date | None = None) -> dict[str, str]:
    """Map municipality code → region code for a grouping: province, veiligheidsregio or table."""
    if kind == "province":
        return dict(Municipality.objects.values_list("code", "province__code"))
    if kind == "veiligheidsregio":
        return dict(Municipality.objects.values_list("code", "safety_region__code"))
    if kind == "table":
        on = on or date.today()
        rows = (
            TableAssignment.objects.filter(valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
            .values_list("municipality__code", "table__number")
        )
        return {m: str(t) for m, t in rows}
    raise ValueError(f"unknown region grouping {kind!r}")


def region_municipalities(
    kind: str, code: str, *, on: date | None = None
) -> QuerySet[Municipality]:
    """The municipalities `region_grouping(kind, on=on)` maps to `code`, as a query (to use as a
    subquery rather than reading the whole grouping)."""
    if kind == "province":
        return Municipality.objects.filter(province__code=code)
    if kind == "veiligheidsregio":
        return Municipality.objects.filter(safety_region__code=code)
    if kind == "table":
        if not code.isdigit():
            return Municipality.objects.none()
        on = on or date.today()
        current = TableAssignment.objects.filter(
            table__number=int(code), valid_from__lte=on
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        return Municipality.objects.filter(pk__in=current.values("municipality_id"))
    raise ValueError(f"unknown region grouping {kind!r}")
