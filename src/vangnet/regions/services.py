"""Writes to reference data: correcting the table division of a municipality from a date."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from vangnet.common.errors import DomainError

from .models import Municipality, Table, TableAssignment


@transaction.atomic
def table_assignment_change(
    *, municipality: Municipality, table: Table, valid_from: date, source: str
) -> TableAssignment:
    """Let `table` serve `municipality` from `valid_from`; the running assignment ends that day.

    Later assignments stay as they are: the new one ends where the next one starts.
    """
    existing = TableAssignment.objects.select_for_update().filter(municipality=municipality)
    if existing.filter(valid_from=valid_from).exists():
        raise DomainError("Voor deze gemeente bestaat al een indeling met deze startdatum.")
    previous = existing.filter(valid_from__lt=valid_from).order_by("-valid_from").first()
    following = existing.filter(valid_from__gt=valid_from).order_by("valid_from").first()
    if previous is not None and (previous.valid_to is None or previous.valid_to > valid_from):
        previous.valid_to = valid_from
        previous.save(update_fields=["valid_to"])
    return TableAssignment.objects.create(
        municipality=municipality,
        table=table,
        valid_from=valid_from,
        valid_to=following.valid_from if following else None,
        source=source,
    )
