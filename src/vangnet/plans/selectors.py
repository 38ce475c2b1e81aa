"""Reads for the integral plan. Callers have checked that the reader may see the case."""

from __future__ import annotations

from vangnet.cases.models import Case

from .models import Plan


def case_plan(case: Case) -> Plan | None:
    """The case's plan with its goals (and their organisations) and revisions, or None before
    the first meeting shared it."""
    return (
        Plan.objects.filter(case=case)
        .prefetch_related("goals__organisation", "revisions__changed_by")
        .first()
    )
