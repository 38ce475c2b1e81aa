"""The monitor listens to the case work (`cases.signals.case_changed`): each registered case's
questionnaire is created and kept up to date on commit, so the monitor is a by-product of it."""

from __future__ import annotations

from typing import Any

from vangnet.cases.models import Case

from .services import monitor_record_sync_from_case


def case_changed(sender: type[Case], *, case: Case, step: str, **kwargs: Any) -> None:
    monitor_record_sync_from_case(case=case)
