"""Closure with an outcome (seed 001 figure 1) and reopening."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case, TriageRound
from vangnet.cases.services.steps import (
    LONG,
    enter_state,
    lock_case,
    require_plan_editor,
    table_staff,
)
from vangnet.cases.signals import announce_case_changed
from vangnet.cases.workflow import (
    ACTIVE_STATES,
    State,
    check_transition,
)
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text


def _options(name: str) -> Any:
    from vangnet.reference import questionnaire as codes

    return getattr(codes, name)


def _codes(name: str) -> set[str]:
    from vangnet.reference import questionnaire as codes

    return {code for code, _label in getattr(codes, name)}


def _cancel_pending_rounds(case: Case) -> None:
    """A proposal made before closing or reopening can no longer be confirmed."""
    TriageRound.objects.filter(case=case, verdict=TriageRound.Verdict.PENDING).update(
        verdict=TriageRound.Verdict.CANCELLED
    )


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    outcome: str,
    offer_accepted: bool | None = None,
    helped_by: Sequence[str] = (),
    obstacles: Sequence[str] = (),
    shortages: Sequence[str] = (),
    note: str = "",
) -> Case:
    """Close with an outcome of seed 001 figure 1 and the monitor's obstacle and shortage codes."""
    case = lock_case(case)
    check_transition("close", case.state)
    is_referrer = membership.role == Role.REFERRER
    if is_referrer and (
        outcome != "withdrawn" or case.state not in {State.REGISTERED, State.TRIAGE_PROPOSED}
    ):
        raise NotAllowed(
            "Een verwijzer kan alleen een eigen aanmelding intrekken zolang die niet is beoordeeld."
        )
    allowed_outcomes = _codes("OUTCOMES") - {"ongoing"}
    if outcome not in allowed_outcomes:
        raise DomainError("Kies een uitkomst.", field="outcome")
    if case.state in {State.REGISTERED, State.TRIAGE_PROPOSED}:
        # Before admission a case is decided by triage (four eyes, written reason); closing here
        # is only a withdrawal, and it says why.
        if outcome != "withdrawn":
            raise DomainError(
                "Vóór toelating kan een casus alleen worden ingetrokken; beoordeel hem anders via de triage.",
                field="outcome",
            )
        if not (note or "").strip():
            raise DomainError("Vermeld waarom de aanmelding wordt ingetrokken.", field="note")
    if outcome == "not_suitable" and case.state in ACTIVE_STATES:
        raise DomainError(
            "'Niet passend binnen de criteria' is een uitkomst van de triage, niet van een toegelaten casus.",
            field="outcome",
        )
    if outcome == "new_offer" and offer_accepted is None:
        raise DomainError(
            "Geef aan of de patiënt het nieuwe aanbod heeft aanvaard.", field="offer_accepted"
        )
    if outcome != "new_offer":
        offer_accepted = None
    for name, values, label in (
        ("HELPED_BY", helped_by, "wat hielp"),
        ("OBSTACLES", obstacles, "wat in de weg stond"),
        ("SHORTAGES", shortages, "tekorten"),
    ):
        unknown = set(values) - _codes(name)
        if unknown:
            raise DomainError(
                f"Onbekende code bij {label}: {', '.join(sorted(unknown))}.", field=name.lower()
            )
    case.outcome = outcome
    case.offer_accepted = offer_accepted
    case.helped_by = sorted(set(helped_by))
    case.obstacles = sorted(set(obstacles))
    case.shortages = sorted(set(shortages))
    case.closure_note = clean_text(
        note, field="note", label="De toelichting", max_length=LONG, required=False
    )
    case.closed_at = timezone.now()
    enter_state(
        case,
        State.CLOSED,
        actor=actor,
        role=membership.role,
        transition="close",
        note=f"Uitkomst: {dict(_options('OUTCOMES'))[outcome]}",
    )
    _cancel_pending_rounds(case)
    if outcome == "withdrawn":
        # A withdrawn registration no longer ties the patient to the other cases (issue 10 §1).
        case.linked_cases.clear()
    for s in case.suspensions.filter(ended_on__isnull=True):
        s.ended_on = timezone.localdate()
        s.save(update_fields=["ended_on"])
    announce_case_changed(case, step="closure")
    if not is_referrer:
        notification_send(
            users=[case.referrer],
            subject=f"Casus {case.reference} is afgesloten",
            body="De tafel heeft de casus afgesloten. Bekijk de uitkomst in Vangnet.",
            case_reference=case.reference,
        )
    else:
        notification_send(
            users=table_staff(case.table, Role.COORDINATOR),
            subject=f"Aanmelding {case.reference} is ingetrokken door de verwijzer",
            body="De verwijzer heeft de aanmelding ingetrokken.",
            case_reference=case.reference,
        )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User, membership: Membership, reason: str) -> Case:
    require_plan_editor(membership, case)
    case = lock_case(case)
    check_transition("reopen", case.state)
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    if case.admitted_on is None:
        target = State.REGISTERED
    elif case.phases.exists():
        target = State.FOLLOW_UP
    elif hasattr(case, "plan"):
        target = State.PLAN
    else:
        target = State.ADMITTED
    case.outcome = ""
    case.offer_accepted = None
    case.closed_at = None
    enter_state(case, target, actor=actor, role=membership.role, transition="reopen", note=reason)
    _cancel_pending_rounds(case)
    announce_case_changed(case, step="reopening")
    notification_send(
        users=[case.referrer],
        subject=f"Casus {case.reference} is heropend",
        body="De tafel heeft de casus heropend.",
        case_reference=case.reference,
    )
    return case
