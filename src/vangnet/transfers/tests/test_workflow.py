"""The state machines as data: every allowed step is possible, a sample of forbidden ones is not,
and the services refuse a step that is not allowed from the current state."""

from __future__ import annotations

import pytest

from vangnet.common.errors import InvalidTransition
from vangnet.transfers import workflow
from vangnet.transfers.models import CandidateState, TransferState

T, C = TransferState, CandidateState

ALLOWED_TRANSFER = [
    (T.PROPOSED, T.OFFERED),
    (T.OFFERED, T.ACCEPTED),
    (T.OFFERED, T.DECLINED),
    (T.ACCEPTED, T.HANDOVER),
    (T.HANDOVER, T.INTAKE_PLANNED),
    (T.HANDOVER, T.INTAKE_FAILED),
    (T.INTAKE_PLANNED, T.INTAKE_DONE),
    (T.INTAKE_PLANNED, T.INTAKE_FAILED),
]


def test_the_allowed_transfer_steps_are_exactly_these() -> None:
    listed = {(a, b) for a, targets in workflow.TRANSFER_STEPS.items() for b in targets}
    assert listed == set(ALLOWED_TRANSFER)
    for a, b in ALLOWED_TRANSFER:
        workflow.require_transfer_step(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (T.PROPOSED, T.ACCEPTED),  # not offered yet
        (T.PROPOSED, T.INTAKE_DONE),
        (T.OFFERED, T.HANDOVER),
        (T.DECLINED, T.ACCEPTED),  # a decline is final for this transfer
        (T.ACCEPTED, T.INTAKE_PLANNED),  # warm handover first
        (T.INTAKE_DONE, T.INTAKE_FAILED),
        (T.INTAKE_FAILED, T.INTAKE_PLANNED),
    ],
)
def test_forbidden_transfer_steps_give_a_dutch_409(a: str, b: str) -> None:
    with pytest.raises(InvalidTransition) as exc:
        workflow.require_transfer_step(a, b)
    assert exc.value.status_code == 409
    assert "U kunt niet" in exc.value.message and "de transfer staat op" in exc.value.message


def test_candidate_steps() -> None:
    assert workflow.candidate_can(C.AWAITING_SCREENING, C.SUITABLE)
    assert workflow.candidate_can(C.IN_TRANSFER, C.SUITABLE)  # intake failed: back on the list
    assert workflow.candidate_can(C.IN_TRANSFER, C.WAITING_AT_PREFERRED)
    assert workflow.candidate_can(C.WAITING_AT_PREFERRED, C.SUITABLE)
    for a, b in [
        (C.AWAITING_SCREENING, C.IN_TRANSFER),  # never unscreened into a transfer
        (C.UNSUITABLE, C.IN_TRANSFER),
        (C.TRANSFERRED, C.SUITABLE),
        (C.WITHDRAWN, C.SUITABLE),
    ]:
        assert not workflow.candidate_can(a, b)
        with pytest.raises(InvalidTransition, match="de kandidaat staat op"):
            workflow.require_candidate_step(a, b)
