"""The lifecycles of a transfer and of a candidate, as data (seed 002, criteria d, f, j).

A transfer: proposed (the desk took over a line of a proposal) → offered to the client through
whoever put them forward → accepted or declined → warm handover (the first contact between the
sending and receiving provider) → intake planned (the receiving provider confirms a date) →
intake done, or intake failed (the client goes back on the list: the candidate is suitable for
transfer again). A decline marks the candidate *wachtend bij voorkeursaanbieder*.

The services perform a step only when it is listed here; anything else is an `InvalidTransition`
with a Dutch sentence (409 in the API).
"""

from __future__ import annotations

from vangnet.common.errors import InvalidTransition

from .models import CandidateState, TransferState

T = TransferState
C = CandidateState

TRANSFER_STEPS: dict[str, set[str]] = {
    T.PROPOSED: {T.OFFERED},
    T.OFFERED: {T.ACCEPTED, T.DECLINED},
    T.ACCEPTED: {T.HANDOVER},
    T.HANDOVER: {T.INTAKE_PLANNED, T.INTAKE_FAILED},
    T.INTAKE_PLANNED: {T.INTAKE_DONE, T.INTAKE_FAILED},
    T.DECLINED: set(),
    T.INTAKE_DONE: set(),
    T.INTAKE_FAILED: set(),
}

CANDIDATE_STEPS: dict[str, set[str]] = {
    C.AWAITING_SCREENING: {C.SUITABLE, C.UNSUITABLE, C.WITHDRAWN},
    C.SUITABLE: {C.IN_TRANSFER, C.WITHDRAWN},
    C.UNSUITABLE: {C.WITHDRAWN},
    # Intake done, offer declined, or intake failed (back on the list).
    C.IN_TRANSFER: {C.TRANSFERRED, C.WAITING_AT_PREFERRED, C.SUITABLE},
    # A client who waits at their preferred provider may still ask for a transfer later.
    C.WAITING_AT_PREFERRED: {C.SUITABLE, C.WITHDRAWN},
    C.TRANSFERRED: set(),
    C.WITHDRAWN: set(),
}

# Transfers that hold a slot of their capacity row (a declined or failed one gives it back).
SLOT_STATES = (
    T.PROPOSED,
    T.OFFERED,
    T.ACCEPTED,
    T.HANDOVER,
    T.INTAKE_PLANNED,
    T.INTAKE_DONE,
)
OPEN_TRANSFER_STATES = (T.PROPOSED, T.OFFERED, T.ACCEPTED, T.HANDOVER, T.INTAKE_PLANNED)
# From these states on the receiving and the sending provider take part (warm handover).
MATCHED_STATES = (T.ACCEPTED, T.HANDOVER, T.INTAKE_PLANNED, T.INTAKE_DONE, T.INTAKE_FAILED)

# What the step is called in Dutch, for the error message ("... kan niet: ...").
TRANSFER_STEP_NAMES: dict[str, str] = {
    T.OFFERED: "aanbieden aan de cliënt",
    T.ACCEPTED: "het aanbod accepteren",
    T.DECLINED: "het aanbod afwijzen",
    T.HANDOVER: "de warme overdracht starten",
    T.INTAKE_PLANNED: "een intakedatum bevestigen",
    T.INTAKE_DONE: "de intake als gedaan vastleggen",
    T.INTAKE_FAILED: "de intake als niet doorgegaan vastleggen",
}


def transfer_can(from_state: str, to_state: str) -> bool:
    return to_state in TRANSFER_STEPS.get(from_state, set())


def candidate_can(from_state: str, to_state: str) -> bool:
    return to_state in CANDIDATE_STEPS.get(from_state, set())


def require_transfer_step(from_state: str, to_state: str) -> None:
    if not transfer_can(from_state, to_state):
        step = TRANSFER_STEP_NAMES.get(to_state, TransferState(to_state).label.lower())
        raise InvalidTransition(
            f"U kunt niet {step}: de transfer staat op '{TransferState(from_state).label}'."
        )


def require_candidate_step(from_state: str, to_state: str) -> None:
    if not candidate_can(from_state, to_state):
        raise InvalidTransition(
            f"Dit kan niet: de kandidaat staat op '{CandidateState(from_state).label}' en kan "
            f"van daar niet naar '{CandidateState(to_state).label}'."
        )


def next_transfer_steps(state: str) -> list[str]:
    return [s for s in TransferState.values if s in TRANSFER_STEPS.get(state, set())]
