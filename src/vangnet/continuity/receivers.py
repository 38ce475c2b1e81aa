"""Continuity listens to the case work (`cases.signals.case_changed`): when a case is admitted,
its plan adopted or the case closed, the patient's GP is informed (with consent)."""

from __future__ import annotations

import logging
from typing import Any

from vangnet.cases.models import Case

from .services import STEP_EVENTS, gp_letter_on_step

log = logging.getLogger("vangnet.continuity")


def case_changed(sender: type[Case], *, case: Case, step: str, **kwargs: Any) -> None:
    if step not in STEP_EVENTS:
        return  # no letter follows this step (a registration): not even an empty transaction
    # The step itself has committed: a letter that cannot be made must not turn it into an error
    # page. The coordinator can still make the letter by hand; the log names only the reference.
    try:
        gp_letter_on_step(case=case, step=step)
    except Exception:
        log.exception("GP letter after %s of case %s failed", step, case.reference)
