"""The case lifecycle as data: states and the transitions allowed between them.

One service performs a transition (`services.case_transition`): it locks the case row, checks the
transition against this table, and records who, when and why as a `CaseEvent`.
(Model: Signalen's `signals/workflow.py`, `ALLOWED_STATUS_CHANGES`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from vangnet.common.errors import InvalidTransition


class State(models.TextChoices):
    REGISTERED = "registered", "Aangemeld"
    TRIAGE_PROPOSED = "triage_proposed", "Triagebesluit wacht op tweede beoordelaar"
    ADMITTED = "admitted", "Toegelaten – voorbereiding"
    CONSULTATION = "consultation", "Alleen consultatie"
    REFERRED = "referred", "Verwezen naar ander overleg"
    NOT_SUITABLE = "not_suitable", "Niet passend"
    PLAN = "plan", "Integraal plan"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Afgesloten"


class Decision(models.TextChoices):
    """Triage outcomes (DOMAIN.md "How a case flows")."""

    ADMIT = "admit", "Toelaten"
    CONSULTATION = "consultation", "Alleen consultatie (advies gegeven)"
    REFER = "refer", "Verwijzen naar ander consultatieoverleg"
    NOT_SUITABLE = "not_suitable", "Niet passend"


DECISION_TARGET: dict[str, str] = {
    Decision.ADMIT: State.ADMITTED,
    Decision.CONSULTATION: State.CONSULTATION,
    Decision.REFER: State.REFERRED,
    Decision.NOT_SUITABLE: State.NOT_SUITABLE,
}

OPEN_STATES = {
    State.REGISTERED,
    State.TRIAGE_PROPOSED,
    State.ADMITTED,
    State.PLAN,
    State.FOLLOW_UP,
}
# Admitted cases the table works on; their offer term runs (seed 001 §3.2).
ACTIVE_STATES = {State.ADMITTED, State.PLAN, State.FOLLOW_UP}
QUEUE_STATES = {State.REGISTERED, State.TRIAGE_PROPOSED}
FINAL_TRIAGE_STATES = {State.CONSULTATION, State.REFERRED, State.NOT_SUITABLE}


# Which of the case file's closing and term forms are open in which state (issue 11 §2); the
# triage, preparation, plan and follow-up forms follow ACTIVE_STATES and the transitions above.
# Preparation ends a case only as a withdrawal ("end"); closing with an outcome ("close") follows
# the table's discussion, once there is a plan.
OPEN_FORMS: dict[str, frozenset[str]] = {
    State.REGISTERED: frozenset({"withdraw"}),
    State.TRIAGE_PROPOSED: frozenset({"withdraw"}),
    State.ADMITTED: frozenset({"term", "end"}),
    State.PLAN: frozenset({"term", "close"}),
    State.FOLLOW_UP: frozenset({"term", "close"}),
    State.CONSULTATION: frozenset({"reopen"}),
    State.REFERRED: frozenset({"reopen"}),
    State.NOT_SUITABLE: frozenset({"reopen"}),
    State.CLOSED: frozenset({"reopen"}),
}


def open_forms(current: str) -> frozenset[str]:
    return OPEN_FORMS.get(current, frozenset())


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    # None: the target follows from the decision being confirmed.
    target: str | None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("register", "Aangemeld", frozenset({""}), State.REGISTERED),
        Transition(
            "triage_propose",
            "Triagebesluit voorgesteld",
            frozenset({State.REGISTERED}),
            State.TRIAGE_PROPOSED,
        ),
        Transition(
            "triage_confirm",
            "Triagebesluit bevestigd door tweede beoordelaar",
            frozenset({State.TRIAGE_PROPOSED}),
            None,
        ),
        Transition(
            "triage_disagree",
            "Tweede beoordelaar is het niet eens; terug naar coördinator",
            frozenset({State.TRIAGE_PROPOSED}),
            State.REGISTERED,
        ),
        Transition(
            "table_move",
            "Verplaatst naar andere tafel",
            frozenset({State.REGISTERED}),
            State.REGISTERED,
        ),
        Transition(
            "plan_start",
            "Besproken; integraal plan in de maak",
            frozenset({State.ADMITTED}),
            State.PLAN,
        ),
        Transition(
            "follow_up_start",
            "Plan vastgesteld; follow-up gestart",
            frozenset({State.PLAN}),
            State.FOLLOW_UP,
        ),
        Transition(
            "close",
            "Afgesloten met uitkomst",
            frozenset(
                {
                    State.REGISTERED,
                    State.TRIAGE_PROPOSED,
                    State.ADMITTED,
                    State.PLAN,
                    State.FOLLOW_UP,
                }
            ),
            State.CLOSED,
        ),
        Transition(
            "reopen",
            "Heropend",
            # Also a triage outcome can be revisited (it closes the case too).
            frozenset({State.CLOSED, State.NOT_SUITABLE, State.CONSULTATION, State.REFERRED}),
            None,
        ),
    ]
}


def check_transition(name: str, current: str) -> Transition:
    transition = TRANSITIONS[name]
    if current not in transition.sources:
        label = State(current).label if current else "nieuw"
        raise InvalidTransition(
            f"'{transition.label}' is niet mogelijk in de huidige status ({label})."
        )
    return transition


def allowed_transitions(current: str) -> list[str]:
    return [t.name for t in TRANSITIONS.values() if current in t.sources]


# Dutch labels of history lines that are not transitions.
OTHER_EVENTS: dict[str, str] = {
    "link": "Gekoppeld aan lopende casus",
    "party_add": "Partij toegevoegd",
    "party_invite": "Partij uitgenodigd",
    "consent_record": "Toestemming vastgelegd",
    "consent_withdraw": "Toestemming ingetrokken",
    "document_upload": "Document toegevoegd",
    "agenda_add": "Geagendeerd",
    "share_prepared": "Voorbereiding gedeeld",
    "minutes": "Notulen vastgelegd",
    "minutes_edit": "Notulen gewijzigd",
    "minutes_adopt": "Notulen vastgesteld",
    "financing_request": "Maatwerkarrangement aangevraagd",
    "financing_decide": "Besluit maatwerkarrangement",
    "phase_add": "Fase toegevoegd",
    "checkin": "Check-in vastgelegd",
    "term_suspend": "Termijn opgeschort",
    "term_resume": "Termijn loopt weer",
    "escalate": "Opgeschaald",
    "de_escalate": "Afgeschaald",
    # Continuity of care (issue 16 §2).
    "gp_set": "Huisartsenpraktijk vastgelegd",
    "crisis_card": "Crisiskaart vastgelegd",
    "medication": "Medicatieoverzicht bijgewerkt",
    "contact_person": "Contactpersoon vastgelegd",
    "handover": "Warme overdracht vastgelegd",
    "gp_letter": "Huisarts geïnformeerd",
    "gp_letter_withheld": "Huisarts niet geïnformeerd (geen toestemming)",
    "board_refer": "Voorgelegd aan de bestuurlijke overlegtafel",
    "board_decide": "Besluit bestuurlijke overlegtafel",
    "board_carried_out": "Besluit bestuurlijke overlegtafel uitgevoerd",
    "outcome_answer": "Uitkomstvraag na afsluiting beantwoord",
}


def event_label(name: str) -> str:
    if name in TRANSITIONS:
        return TRANSITIONS[name].label
    return OTHER_EVENTS.get(name, name)
