"""Reads for routed questions and signals, filtered for the acting user (access.py holds the
rules), and the counts the network reports: how many questions zorgbemiddeling solved itself and
how many reached a table (seed 001 figure 2 asks how many cases come via zorgbemiddeling/UCZ)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from vangnet.accounts.selectors import Actor

from .access import questions_visible, signals_visible
from .models import Question, Signal
from .workflow import QuestionState, SignalState


def question_list(actor: Actor, *, state: str = "") -> QuerySet[Question]:
    qs = questions_visible(actor).select_related("insurer", "handed_to", "case")
    if state in QuestionState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def question_by_reference(reference: str) -> Question | None:
    """Without a permission check: callers pass the question through `question_access`."""
    return (
        Question.objects.select_related(
            "insurer",
            "handed_to",
            "case",
            "patient_municipality",
            "recorded_by_organisation",
            "solved_with",
        )
        .filter(reference=reference)
        .first()
    )


def signal_list(actor: Actor, *, state: str = "") -> QuerySet[Signal]:
    qs = signals_visible(actor).select_related("table", "case")
    if state in SignalState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def signal_by_reference(reference: str) -> Signal | None:
    return Signal.objects.select_related("table", "case").filter(reference=reference).first()


@dataclass(frozen=True)
class RoutingCounts:
    open: int
    solved: int
    registered: int
    withdrawn: int


def question_counts(qs: QuerySet[Question]) -> RoutingCounts:
    by_state = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return RoutingCounts(
        open=sum(
            by_state.get(s, 0)
            for s in (QuestionState.RECORDED, QuestionState.HANDED_OVER, QuestionState.IN_PROGRESS)
        ),
        solved=by_state.get(QuestionState.SOLVED, 0),
        registered=by_state.get(QuestionState.REGISTERED, 0),
        withdrawn=by_state.get(QuestionState.WITHDRAWN, 0),
    )
