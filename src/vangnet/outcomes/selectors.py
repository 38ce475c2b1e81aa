"""Reads of the outcome follow-up, for readers who passed the case access check."""

from __future__ import annotations

from django.db.models import QuerySet

from vangnet.cases.models import Case

from .models import OutcomeRequest


def for_case(case: Case) -> QuerySet[OutcomeRequest]:
    """The questions asked about `case` and their answers (the case file's closure section)."""
    return OutcomeRequest.objects.filter(case=case).select_related("recipient")
