"""Who may see and act on a routed question or a public signal, and the access log at every
boundary (least privilege, issue 16 §1).

- The UCZ (role UCZ_OFFICER) sees the questions its own organisation recorded.
- Zorgbemiddeling (role ZORGBEMIDDELING at an insurer) sees a question only while it is handed to
  its insurer, which must be the patient's insurer — never another insurer's insured.
- A table's coordinator sees the public signals brought to that table.
Everyone else is refused with a 403 and a "denied" row in the access log.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed

from .models import Question, Signal
from .workflow import QuestionState


def question_membership(
    actor: Actor, question: Question, *, role: str | None = None
) -> Membership | None:
    for m in actor.memberships:
        if role and m.role != role:
            continue
        if m.role == Role.UCZ_OFFICER and m.organisation_id == question.recorded_by_organisation_id:
            return m
        if (
            m.role == Role.ZORGBEMIDDELING
            and question.handed_to_id == m.organisation_id
            and question.insurer_id == m.organisation_id
        ):
            return m
    return None


def questions_visible(actor: Actor) -> QuerySet[Question]:
    condition = Q(pk__in=[])
    for m in actor.memberships:
        if m.role == Role.UCZ_OFFICER:
            condition |= Q(recorded_by_organisation_id=m.organisation_id)
        if m.role == Role.ZORGBEMIDDELING:
            condition |= Q(handed_to_id=m.organisation_id, insurer_id=m.organisation_id)
    return Question.objects.filter(condition)


def _log(
    actor: Actor,
    *,
    action: str,
    ref: str,
    membership: Membership | None,
    channel: str,
    denied: bool,
    case_id: int | None = None,
    case_reference: str = "",
) -> None:
    access_log_write(
        actor=actor,
        action=action,
        outcome="denied" if denied else "allowed",
        membership=membership,
        channel=channel,
        case_id=case_id,
        case_reference=case_reference,
        detail=ref,
    )


def question_access(
    actor: Actor, question: Question, *, action: str, channel: str = "web", role: str | None = None
) -> Membership:
    """Check that `actor` may see (and with `role`, act on) `question`; log it either way."""
    membership = question_membership(actor, question, role=role)
    _log(
        actor,
        action=action,
        ref=f"vraag {question.reference}",
        membership=membership,
        channel=channel,
        denied=membership is None,
        case_id=question.case_id,
        case_reference=question.case.reference if question.case_id and question.case else "",
    )
    if membership is None:
        raise NotAllowed()
    return membership


def signal_membership(actor: Actor, signal: Signal) -> Membership | None:
    for m in actor.memberships:
        if m.role == Role.COORDINATOR and m.table_id == signal.table_id:
            return m
    return None


def signals_visible(actor: Actor) -> QuerySet[Signal]:
    tables = actor.table_ids(Role.COORDINATOR)
    return Signal.objects.filter(table_id__in=tables)


def signal_access(actor: Actor, signal: Signal, *, action: str, channel: str = "web") -> Membership:
    membership = signal_membership(actor, signal)
    _log(
        actor,
        action=action,
        ref=f"signaal {signal.reference}",
        membership=membership,
        channel=channel,
        denied=membership is None,
    )
    if membership is None:
        raise NotAllowed()
    return membership


def open_states() -> list[str]:
    return [QuestionState.RECORDED, QuestionState.HANDED_OVER, QuestionState.IN_PROGRESS]
