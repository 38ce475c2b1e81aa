"""Writes for cases, one module per stage of the journey (registration, triage, preparation,
documents, closure; the shared steps in `steps`). Each service validates, runs in one transaction,
records the case history and schedules notifications on commit. Access logging happens at the
boundary (views, API).

Meetings, the integral plan and follow-up are apps of their own (docs/architecture.md).
"""

from .closure import case_close, case_reopen
from .documents import ALLOWED_DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, document_path, document_upload
from .preparation import (
    consent_record,
    consent_withdraw,
    party_add,
    party_invite,
    question_add,
    timeline_add,
)
from .registration import (
    PartyActionInput,
    PriorAttemptInput,
    RegistrationInput,
    RegistrationResult,
    case_register,
)
from .steps import (
    LONG,
    SHORT,
    case_event,
    enter_state,
    lock_case,
    organisation_table_members,
    record_event,
    require_state,
    table_staff,
)
from .triage import CriterionInput, case_move_table, triage_confirm, triage_disagree, triage_propose

__all__ = [
    "ALLOWED_DOCUMENT_TYPES",
    "LONG",
    "MAX_DOCUMENT_BYTES",
    "SHORT",
    "CriterionInput",
    "PartyActionInput",
    "PriorAttemptInput",
    "RegistrationInput",
    "RegistrationResult",
    "case_close",
    "case_event",
    "case_move_table",
    "case_register",
    "case_reopen",
    "consent_record",
    "consent_withdraw",
    "document_path",
    "document_upload",
    "enter_state",
    "lock_case",
    "organisation_table_members",
    "party_add",
    "party_invite",
    "question_add",
    "record_event",
    "require_state",
    "table_staff",
    "timeline_add",
    "triage_confirm",
    "triage_disagree",
    "triage_propose",
]
