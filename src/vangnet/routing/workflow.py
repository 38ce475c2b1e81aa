"""The lifecycles of a routed question and of a public signal, as data (ARCHITECTURE.md §3).

A question (seed 004 §5b): the UCZ records it and hands it to the patient's own insurer's
zorgbemiddeling, which takes it up, tries providers first and then either solves it or registers
it at the table (seed 001 §2.2: the table is secondary). Zorgbemiddeling can send it back (not
its insured); the UCZ can withdraw it (consent withdrawn). Every open state has a deadline.

A public signal (seed 000, Zorgconsul): a patient or relative brings it; the table's coordinator
answers it or turns it into a registration.
"""

from __future__ import annotations

from django.db import models

from vangnet.accounts.models import Role


class QuestionState(models.TextChoices):
    RECORDED = "recorded", "Vastgelegd door UCZ"
    HANDED_OVER = "handed_over", "Overgedragen aan zorgbemiddeling"
    IN_PROGRESS = "in_progress", "Zorgbemiddeling zoekt passende zorg"
    SOLVED = "solved", "Opgelost door zorgbemiddeling"
    REGISTERED = "registered", "Aangemeld bij de casuïstiektafel"
    WITHDRAWN = "withdrawn", "Ingetrokken"


# transition: (states it may start from, target state, role that performs it)
QUESTION_TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "hand_over": (frozenset({QuestionState.RECORDED}), QuestionState.HANDED_OVER, Role.UCZ_OFFICER),
    "withdraw": (
        frozenset({QuestionState.RECORDED, QuestionState.HANDED_OVER, QuestionState.IN_PROGRESS}),
        QuestionState.WITHDRAWN,
        Role.UCZ_OFFICER,
    ),
    "take_up": (
        frozenset({QuestionState.HANDED_OVER}),
        QuestionState.IN_PROGRESS,
        Role.ZORGBEMIDDELING,
    ),
    "send_back": (
        frozenset({QuestionState.HANDED_OVER, QuestionState.IN_PROGRESS}),
        QuestionState.RECORDED,
        Role.ZORGBEMIDDELING,
    ),
    # Recording an attempt keeps the state; it is a step with a guard like the others.
    "attempt": (
        frozenset({QuestionState.IN_PROGRESS}),
        QuestionState.IN_PROGRESS,
        Role.ZORGBEMIDDELING,
    ),
    "solve": (frozenset({QuestionState.IN_PROGRESS}), QuestionState.SOLVED, Role.ZORGBEMIDDELING),
    "register": (
        frozenset({QuestionState.IN_PROGRESS}),
        QuestionState.REGISTERED,
        Role.ZORGBEMIDDELING,
    ),
}

OPEN_QUESTION_STATES = frozenset(
    {QuestionState.RECORDED, QuestionState.HANDED_OVER, QuestionState.IN_PROGRESS}
)

# Days to act in each open state: the UCZ hands over within two days, zorgbemiddeling takes a
# question up within five, and within four weeks (the Treeknorm's registration wait, seed 002)
# finds care or registers the question at the table.
QUESTION_DEADLINE_DAYS: dict[str, int] = {
    QuestionState.RECORDED: 2,
    QuestionState.HANDED_OVER: 5,
    QuestionState.IN_PROGRESS: 28,
}


class SignalState(models.TextChoices):
    NEW = "new", "Ontvangen, nog niet beantwoord"
    ANSWERED = "answered", "Beantwoord door de tafel"
    REGISTERED = "registered", "Aangemeld bij de tafel door een professional"


SIGNAL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "answer": (frozenset({SignalState.NEW}), SignalState.ANSWERED),
    "register": (frozenset({SignalState.NEW}), SignalState.REGISTERED),
}
# A table looks at new registrations within a week (seed 000); a signal likewise.
SIGNAL_DEADLINE_DAYS = 7


def question_target(transition: str, state: str) -> str | None:
    """The state `transition` leads to from `state`, or None when it is not allowed."""
    sources, target, _ = QUESTION_TRANSITIONS[transition]
    return target if state in sources else None


def signal_target(transition: str, state: str) -> str | None:
    sources, target = SIGNAL_TRANSITIONS[transition]
    return target if state in sources else None
