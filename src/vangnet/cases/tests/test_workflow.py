"""The case state machine: every transition against every state, as data and through the services.

The matrices are built from `TRANSITIONS` and `State` at collection time, so transitions and states
added by later issues are covered without editing this module.
"""

from __future__ import annotations

import pytest

from vangnet.accounts.models import Role
from vangnet.cases import services
from vangnet.cases.models import Case, CaseEvent, TriageRound
from vangnet.cases.workflow import (
    DECISION_TARGET,
    FINAL_TRIAGE_STATES,
    OPEN_FORMS,
    OPEN_STATES,
    QUEUE_STATES,
    TRANSITIONS,
    Decision,
    State,
    allowed_transitions,
    check_transition,
    open_forms,
)
from vangnet.common.errors import InvalidTransition
from vangnet.conftest import membership
from vangnet.regions.models import Table
from vangnet.testing import factories

NEW = ""  # the state of a case that does not exist yet
ALL_STATES = [NEW, *State.values]
MATRIX = [(name, state) for name in TRANSITIONS for state in ALL_STATES]


def _id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}-from-{pair[1] or 'new'}"


# --- the table as data ------------------------------------------------------------------------


@pytest.mark.parametrize("name,state", MATRIX, ids=[_id(p) for p in MATRIX])
def test_every_transition_from_every_state(name, state):
    transition = TRANSITIONS[name]
    if state in transition.sources:
        assert check_transition(name, state) is transition
        assert name in allowed_transitions(state)
    else:
        with pytest.raises(InvalidTransition) as exc:
            check_transition(name, state)
        assert exc.value.status_code == 409
        assert exc.value.code == "invalid_transition"
        # A clear Dutch message naming the step and the current state.
        current = State(state).label if state else "nieuw"
        assert exc.value.message == (
            f"'{transition.label}' is niet mogelijk in de huidige status ({current})."
        )
        assert name not in allowed_transitions(state)


# Issue 3 pins these: register, triage by a coordinator, four eyes, disagreement, table move.
ISSUE_3 = {
    "register": ({NEW}, State.REGISTERED),
    "triage_propose": ({State.REGISTERED}, State.TRIAGE_PROPOSED),
    "triage_confirm": ({State.TRIAGE_PROPOSED}, None),
    "triage_disagree": ({State.TRIAGE_PROPOSED}, State.REGISTERED),
    "table_move": ({State.REGISTERED}, State.REGISTERED),
}


@pytest.mark.parametrize("name", sorted(ISSUE_3))
def test_issue_3_transitions_have_their_sources_and_target(name):
    sources, target = ISSUE_3[name]
    assert set(TRANSITIONS[name].sources) == sources
    assert TRANSITIONS[name].target == target


def test_transition_names_and_labels_are_consistent():
    for name, transition in TRANSITIONS.items():
        assert transition.name == name
        assert transition.label.strip()
        assert transition.sources, name
        assert set(transition.sources) <= set(ALL_STATES), name
        assert transition.target is None or transition.target in State.values, name
    # Only registration starts from nothing.
    assert [n for n, t in TRANSITIONS.items() if NEW in t.sources] == ["register"]


def test_confirmation_leads_to_the_decision_state():
    assert set(DECISION_TARGET) == set(Decision.values)
    assert DECISION_TARGET[Decision.ADMIT] == State.ADMITTED
    assert set(DECISION_TARGET.values()) - {State.ADMITTED} == FINAL_TRIAGE_STATES


def test_every_state_is_reachable_from_registration():
    reached = {NEW}
    frontier = [NEW]
    while frontier:
        state = frontier.pop()
        for name in allowed_transitions(state):
            t = TRANSITIONS[name]
            targets = (
                [t.target]
                if t.target
                else list(DECISION_TARGET.values())
                if name == "triage_confirm"
                else []
            )
            for target in targets:
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    assert set(State.values) <= reached


def test_state_groups():
    assert QUEUE_STATES <= OPEN_STATES
    assert not FINAL_TRIAGE_STATES & OPEN_STATES


# --- the same matrix through the issue-3 services ------------------------------------------


def _propose(world, case: Case) -> TriageRound:
    return services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=membership(world.coordinator, Role.COORDINATOR),
        assessments=factories.all_criteria(),
        decision=Decision.ADMIT,
    )


def _run(name: str, world, case: Case) -> None:
    if name == "triage_propose":
        _propose(world, case)
    elif name == "triage_confirm":
        services.triage_confirm(
            case=case,
            screener=world.screener,
            membership=membership(world.screener, Role.SECOND_SCREENER),
        )
    elif name == "triage_disagree":
        services.triage_disagree(
            case=case,
            screener=world.screener,
            membership=membership(world.screener, Role.SECOND_SCREENER),
            note="Criterium 4 is niet onderbouwd.",
        )
    elif name == "table_move":
        services.case_move_table(
            case=case,
            actor=world.coordinator,
            membership=membership(world.coordinator, Role.COORDINATOR),
            table=Table.objects.get(number=1),
            reason="Patiënt woont feitelijk in Den Haag.",
        )
    else:  # pragma: no cover - guarded by SERVICE_MATRIX
        raise AssertionError(name)


def _case_in(world, state: str) -> Case:
    """A case in `state`: through the real steps where they exist, else set directly."""
    case = factories.register_case(world.referrer)
    if state == State.TRIAGE_PROPOSED:
        _propose(world, case)
    elif state != State.REGISTERED:
        Case.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


SERVICE_TRANSITIONS = ["triage_propose", "triage_confirm", "triage_disagree", "table_move"]
SERVICE_MATRIX = [(name, state) for name in SERVICE_TRANSITIONS for state in State.values]


@pytest.mark.django_db
@pytest.mark.parametrize("name,state", SERVICE_MATRIX, ids=[_id(p) for p in SERVICE_MATRIX])
def test_services_enforce_the_state_machine(world, name, state):
    case = _case_in(world, state)
    events = CaseEvent.objects.filter(case=case).count()
    rounds = list(case.triage_rounds.values_list("pk", "verdict"))
    table_id = case.table_id

    if state in TRANSITIONS[name].sources:
        _run(name, world, case)
        case.refresh_from_db()
        event = case.events.order_by("-at", "-id").first()
        assert event.transition == name
        assert event.from_state == state
        assert event.to_state == case.state
        target = TRANSITIONS[name].target or DECISION_TARGET[case.triage_rounds.last().decision]
        assert case.state == target
        assert CaseEvent.objects.filter(case=case).count() == events + 1
    else:
        with pytest.raises(InvalidTransition):
            _run(name, world, case)
        case.refresh_from_db()
        assert case.state == state
        assert case.table_id == table_id
        assert CaseEvent.objects.filter(case=case).count() == events
        assert list(case.triage_rounds.values_list("pk", "verdict")) == rounds


def test_open_forms_cover_every_state_and_agree_with_the_transitions():
    assert set(OPEN_FORMS) == set(State.values)
    for state in State.values:
        forms = open_forms(state)
        allowed = allowed_transitions(state)
        # Every form that ends a case needs the close transition; reopening needs reopen.
        if forms & {"close", "end", "withdraw"}:
            assert "close" in allowed, state
        assert ("reopen" in forms) == ("reopen" in allowed), state
    assert "close" not in open_forms(State.ADMITTED)  # no closure form during preparation
