"""What the continuity services share: the case states in which each part may be recorded, and
the check every free-text field goes through."""

from __future__ import annotations

from vangnet.cases.services.steps import LONG, SHORT
from vangnet.cases.workflow import State
from vangnet.common.validators import clean_text

# Continuity is agreed while the plan is made and followed; the GP can be named from admission.
PLAN_STATES = (State.PLAN, State.FOLLOW_UP)
GP_STATES = (State.ADMITTED, State.PLAN, State.FOLLOW_UP)
HANDOVER_STATES = (State.PLAN, State.FOLLOW_UP, State.CLOSED)


def text_field(
    value: str | None, field: str, label: str, *, required: bool, long: bool = False
) -> str:
    return clean_text(
        value, field=field, label=label, max_length=LONG if long else SHORT, required=required
    )
