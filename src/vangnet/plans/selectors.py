"""Reads for the integral plan (callers have checked that the reader may see the case) and
the medical adviser's own financing decisions."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from vangnet.accounts.models import User
from vangnet.cases.models import Case

from .models import FinancingDecision, Plan


def case_plan(case: Case) -> Plan | None:
    """The case's plan with its goals (and their organisations) and revisions, or None before
    the first meeting shared it."""
    return (
        Plan.objects.filter(case=case)
        .prefetch_related("goals__organisation", "revisions__changed_by")
        .first()
    )


def adviser_decisions(user: User) -> QuerySet[FinancingDecision]:
    """The financing decisions `user` took as medical adviser (their own, whichever insurer)."""
    return (
        FinancingDecision.objects.filter(adviser=user)
        .select_related("case", "insurer")
        .annotate(goal_count=Count("goals"))
    )


def adviser_open_requests(insurer_ids: list[int]) -> QuerySet[FinancingDecision]:
    """Requests still waiting for a decision at the adviser's insurers, oldest first."""
    return (
        FinancingDecision.objects.filter(
            insurer_id__in=insurer_ids, decision=FinancingDecision.Decision.REQUESTED
        )
        .select_related("case", "insurer")
        .order_by("created_at", "pk")
    )
