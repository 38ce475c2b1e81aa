"""Counting consultations per table per year (for the overview and the monitor)."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor

from .models import Consultation


def consultations_for(actor: Actor) -> QuerySet[Consultation]:
    tables = actor.table_ids(Role.COORDINATOR, Role.TABLE_MEMBER)
    return Consultation.objects.filter(table_id__in=tables).select_related("table", "given_by")


def consultation_counts(*, table_number: int | None = None) -> list[dict[str, int]]:
    """Rows of {table, year, count, minutes} — aggregates only, no content."""
    qs = Consultation.objects.all()
    if table_number is not None:
        qs = qs.filter(table__number=table_number)
    rows = (
        qs.annotate(year=ExtractYear("requested_on"))
        .values("table__number", "year")
        .annotate(count=Count("id"), minutes=Sum("minutes_spent"))
        .order_by("year", "table__number")
    )
    return [
        {
            "table": r["table__number"],
            "year": r["year"],
            "count": r["count"],
            "minutes": r["minutes"] or 0,
        }
        for r in rows
    ]
