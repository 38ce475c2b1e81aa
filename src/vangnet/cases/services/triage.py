"""Triage: the coordinator judges the seven criteria (menselijke maat) and proposes; a second
screener confirms or returns it (four eyes); a case can move to another table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case, CriterionAssessment, TriageRound
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    enter_state,
    lock_case,
    record_event,
    table_insurer_notify,
    table_staff,
)
from vangnet.cases.signals import announce_case_changed
from vangnet.cases.workflow import (
    DECISION_TARGET,
    Decision,
    State,
    check_transition,
)
from vangnet.common.errors import DomainError
from vangnet.common.validators import clean_text
from vangnet.regions.models import Criterion, Table


@dataclass(frozen=True)
class CriterionInput:
    number: int
    verdict: str
    note: str = ""


@transaction.atomic
def triage_propose(
    *,
    case: Case,
    coordinator: User,
    membership: Membership,
    assessments: Sequence[CriterionInput],
    decision: str,
    reason: str = "",
    advice: str = "",
    refer_to: str = "",
    menselijke_maat_reason: str = "",
) -> TriageRound:
    """The coordinator's triage: a verdict per criterion and a proposed decision."""
    case = lock_case(case)
    check_transition("triage_propose", case.state)
    if decision not in Decision.values:
        raise DomainError("Kies een besluit.", field="decision")
    reason = clean_text(
        reason, field="reason", label="De toelichting", max_length=LONG, required=False
    )
    advice = clean_text(
        advice, field="advice", label="Het gegeven advies", max_length=LONG, required=False
    )
    refer_to = clean_text(
        refer_to, field="refer_to", label="Het andere overleg", max_length=SHORT, required=False
    )
    mm = clean_text(
        menselijke_maat_reason,
        field="menselijke_maat_reason",
        label="De onderbouwing (menselijke maat)",
        max_length=LONG,
        required=False,
    )

    criteria = {c.number: c for c in Criterion.objects.all()}
    given = {a.number: a for a in assessments}
    if set(given) != set(criteria):
        raise DomainError(
            "Beoordeel elk van de zeven criteria (voldaan, niet voldaan of onbekend).",
            field="assessments",
        )
    for a in assessments:
        if a.verdict not in CriterionAssessment.Verdict.values:
            raise DomainError(
                f"Kies voor criterium {a.number}: voldaan, niet voldaan of onbekend.",
                field="assessments",
            )
        clean_text(
            a.note,
            field="assessments",
            label=f"De notitie bij criterium {a.number}",
            max_length=LONG,
            required=False,
        )

    all_met = all(a.verdict == CriterionAssessment.Verdict.MET for a in assessments)
    if decision == Decision.NOT_SUITABLE and not reason:
        raise DomainError(
            "Een afwijzing (niet passend) heeft altijd een schriftelijke reden nodig.",
            field="reason",
        )
    if decision == Decision.CONSULTATION and not advice:
        raise DomainError("Vermeld het gegeven advies bij 'alleen consultatie'.", field="advice")
    if decision == Decision.REFER and (not refer_to or not reason):
        raise DomainError("Vermeld naar welk overleg u verwijst en waarom.", field="refer_to")
    if decision == Decision.ADMIT and not all_met and not mm:
        raise DomainError(
            "Niet alle criteria zijn voldaan. Leg uit waarom de tafel de casus toch oppakt (menselijke maat).",
            field="menselijke_maat_reason",
        )

    round_ = TriageRound.objects.create(
        case=case,
        coordinator=coordinator,
        coordinator_organisation=membership.organisation,
        decision=decision,
        reason=reason,
        advice=advice,
        refer_to=refer_to,
        menselijke_maat_reason=mm,
        proposed_at=timezone.now(),
    )
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(
            triage=round_, criterion=criteria[a.number], verdict=a.verdict, note=a.note.strip()
        )
        for a in assessments
    )
    enter_state(
        case,
        State.TRIAGE_PROPOSED,
        actor=coordinator,
        role=membership.role,
        transition="triage_propose",
        note=f"Voorgesteld besluit: {Decision(decision).label}",
    )
    notification_send(
        users=[
            u
            for u in table_staff(case.table, Role.SECOND_SCREENER, Role.COORDINATOR)
            if u.pk != coordinator.pk
        ],
        subject=f"Triagebesluit {case.reference} wacht op tweede beoordelaar",
        body="Een triagebesluit wacht op uw bevestiging (vier-ogenprincipe).",
        case_reference=case.reference,
    )
    return round_


def _pending_round(case: Case) -> TriageRound:
    # The latest proposal is the one awaiting four eyes (older ones are cancelled on close/reopen).
    round_ = (
        case.triage_rounds.select_for_update()
        .filter(verdict=TriageRound.Verdict.PENDING)
        .order_by("-proposed_at", "-id")
        .first()
    )
    if round_ is None:
        raise DomainError("Er is geen triagebesluit dat op bevestiging wacht.")
    return round_


@transaction.atomic
def triage_confirm(
    *, case: Case, screener: User, membership: Membership, note: str = ""
) -> TriageRound:
    """Four eyes: a different person confirms; only then is the decision final."""
    case = lock_case(case)
    check_transition("triage_confirm", case.state)
    round_ = _pending_round(case)
    if round_.coordinator_id == screener.pk:
        raise DomainError(
            "De tweede beoordelaar moet een ander persoon zijn dan de coördinator die het besluit voorstelde."
        )
    note = clean_text(note, field="note", label="De notitie", max_length=LONG, required=False)
    now = timezone.now()
    round_.verdict = TriageRound.Verdict.CONFIRMED
    round_.second_screener = screener
    round_.second_screener_organisation = membership.organisation
    round_.second_screener_note = note
    round_.screened_at = now
    round_.save()
    if round_.decision == Decision.ADMIT:
        # Admission starts the term within which suitable care must be offered.
        case.admitted_on = timezone.localdate()
    if round_.decision == Decision.NOT_SUITABLE:
        case.outcome = "not_suitable"  # seed 001 figure 1: not suitable for the criteria
        case.closed_at = now
    enter_state(
        case,
        DECISION_TARGET[round_.decision],
        actor=screener,
        role=membership.role,
        transition="triage_confirm",
        note=f"Besluit bevestigd: {Decision(round_.decision).label}",
    )
    announce_case_changed(case, step="triage")
    notification_send(
        users=[case.referrer],
        subject=f"Triagebesluit voor {case.reference}: {Decision(round_.decision).label}",
        body="De tafel heeft uw aanmelding beoordeeld. Bekijk het besluit en de toelichting in Vangnet.",
        case_reference=case.reference,
    )
    # Seed 004 §5b: the table's outcome goes first to the insurer's medical adviser, who checks
    # the criteria and starts the financing.
    table_insurer_notify(
        case,
        roles=(Role.MEDICAL_ADVISER,),
        subject=f"Uitkomst triage {case.reference} bij {case.table}: {Decision(round_.decision).label}",
        body="Bij een maatwerkarrangement vraagt de tafel uw financieringsbesluit in Vangnet.",
    )
    return round_


@transaction.atomic
def triage_disagree(
    *, case: Case, screener: User, membership: Membership, note: str
) -> TriageRound:
    """The second screener disagrees: the case goes back to the coordinator with the note."""
    case = lock_case(case)
    check_transition("triage_disagree", case.state)
    round_ = _pending_round(case)
    if round_.coordinator_id == screener.pk:
        raise DomainError(
            "De tweede beoordelaar moet een ander persoon zijn dan de coördinator die het besluit voorstelde."
        )
    note = clean_text(note, field="note", label="Uw toelichting", max_length=LONG, required=True)
    round_.verdict = TriageRound.Verdict.DISAGREED
    round_.second_screener = screener
    round_.second_screener_organisation = membership.organisation
    round_.second_screener_note = note
    round_.screened_at = timezone.now()
    round_.save()
    enter_state(
        case,
        State.REGISTERED,
        actor=screener,
        role=membership.role,
        transition="triage_disagree",
        note=note,
    )
    notification_send(
        users=[round_.coordinator],
        subject=f"Tweede beoordelaar is het niet eens met het besluit voor {case.reference}",
        body="Het triagebesluit is teruggelegd bij u, met een toelichting van de tweede beoordelaar.",
        case_reference=case.reference,
    )
    return round_


@transaction.atomic
def case_move_table(
    *, case: Case, actor: User, membership: Membership, table: Table, reason: str
) -> Case:
    """A case registered at the wrong table moves to another table, with a reason."""
    case = lock_case(case)
    check_transition("table_move", case.state)
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    if table.pk == case.table_id:
        raise DomainError("De casus staat al bij deze tafel.", field="table")
    old = case.table
    case.table = table
    case.state_changed_at = timezone.now()
    case.save(update_fields=["table", "state_changed_at", "updated_at"])
    record_event(
        case,
        actor=actor,
        role=membership.role,
        transition="table_move",
        from_state=case.state,
        note=f"Van {old} naar {table}: {reason}",
    )
    notification_send(
        users=table_staff(table, Role.COORDINATOR) + [case.referrer],
        subject=f"Casus {case.reference} is verplaatst naar {table}",
        body=f"De casus is overgedragen van {old} naar {table}.",
        case_reference=case.reference,
    )
    return case
