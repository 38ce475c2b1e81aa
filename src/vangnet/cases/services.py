"""Writes for cases. Each service validates, runs in one transaction, records the case history
and schedules notifications on commit. Access logging happens at the boundary (views, API)."""

from __future__ import annotations

import codecs
import hashlib
import hmac
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.accounts.services import notification_send
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.common.validators import check_past_date, clean_bsn, clean_text
from vangnet.directory.models import Organisation
from vangnet.engines.followup import (
    MAX_PHASE_MONTHS,
    MIN_PHASE_MONTHS,
    checkin_dates,
    phase_end,
    term_deadline,
)
from vangnet.engines.followup import Suspension as EngineSuspension
from vangnet.regions.models import Municipality, Table
from vangnet.regions.selectors import table_for_municipality

from .access import Permission, granting_membership, invited_with_consent
from .models import (
    AgendaItem,
    Case,
    CaseEvent,
    CaseParty,
    CheckIn,
    Consent,
    ConsentBy,
    Criterion,
    CriterionAssessment,
    Document,
    EscalationLevel,
    EscalationStep,
    Financing,
    FinancingDecision,
    FollowUpPhase,
    GoalProgress,
    LifeDomain,
    Meeting,
    MeetingQuestion,
    Participant,
    PartyAction,
    Plan,
    PlanGoal,
    PlanRevision,
    ReferenceCounter,
    ReferrerType,
    Task,
    TermSuspension,
    TimelineEntry,
    TriageRound,
    Urgency,
)
from .workflow import ACTIVE_STATES, DECISION_TARGET, OPEN_STATES, Decision, State, check_transition

SHORT = 200
LONG = 5000


@dataclass(frozen=True)
class PartyActionInput:
    organisation_name: str
    action: str


@dataclass(frozen=True)
class RegistrationInput:
    referrer_type: str
    patient_name: str
    patient_birth_date: date
    patient_municipality_code: str
    patient_insurer: str
    consent_by: str
    stuck_description: str
    best_solution: str
    timeline: str
    urgency: str = Urgency.REGULAR
    in_ggz_treatment: bool | None = None
    patient_bsn: str = ""
    criteria: Sequence[int] = ()
    party_actions: Sequence[PartyActionInput] = ()
    table_number: int | None = None
    table_choice_reason: str = ""


@dataclass
class RegistrationResult:
    case: Case
    linked: list[Case] = field(default_factory=list)


def _patient_key(value: str) -> str:
    key = settings.VANGNET_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"vangnet-patient:{value}".encode(), hashlib.sha256).hexdigest()


def _normalise_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().split())


def _next_reference(today: date) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=today.year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"VN-{today.year}-{counter.last:05d}"


def _record(
    case: Case, *, actor: User, role: str, transition: str, from_state: str, note: str = ""
) -> None:
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        actor_role=role,
        transition=transition,
        from_state=from_state,
        to_state=case.state,
        note=note,
    )


def table_staff(table: Table, *roles: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(table=table, role__in=roles, active=True).select_related(
            "user"
        )
    ]


@dataclass
class _Valid:
    municipality: Municipality
    criteria: list[Criterion]
    actions: list[PartyAction]
    patient_name: str
    patient_insurer: str
    stuck_description: str
    best_solution: str
    timeline: str
    table_choice_reason: str
    patient_bsn: str


def _validate_registration(data: RegistrationInput, today: date) -> _Valid:
    if data.referrer_type not in ReferrerType.values:
        raise DomainError("Kies het type verwijzer.", field="referrer_type")
    if data.consent_by not in ConsentBy.values:
        raise DomainError(
            "Zonder toestemming van de patiënt of een vertegenwoordiger kan de casus niet worden aangemeld.",
            field="consent_by",
        )
    if data.urgency not in Urgency.values:
        raise DomainError("Kies de urgentie.", field="urgency")
    birth = data.patient_birth_date
    check_past_date(birth, field="patient_birth_date", label="De geboortedatum", today=today)
    if birth.year < 1900:
        raise DomainError("De geboortedatum is niet geldig.", field="patient_birth_date")
    try:
        municipality = Municipality.objects.get(code=data.patient_municipality_code)
    except Municipality.DoesNotExist as exc:
        raise DomainError("Deze woongemeente is onbekend.", field="patient_municipality") from exc
    criteria = list(Criterion.objects.filter(number__in=data.criteria))
    if len(criteria) != len(set(data.criteria)):
        raise DomainError("Onbekend criterium gekozen.", field="criteria")
    valid_texts = dict(
        patient_name=clean_text(
            data.patient_name,
            field="patient_name",
            label="De naam van de patiënt",
            max_length=SHORT,
            required=True,
        ),
        patient_insurer=clean_text(
            data.patient_insurer,
            field="patient_insurer",
            label="De zorgverzekeraar",
            max_length=100,
            required=True,
        ),
        stuck_description=clean_text(
            data.stuck_description,
            field="stuck_description",
            label="Wat er vastloopt en waarom",
            max_length=LONG,
            required=True,
        ),
        best_solution=clean_text(
            data.best_solution,
            field="best_solution",
            label="De beste oplossing volgens de verwijzer",
            max_length=LONG,
            required=True,
        ),
        timeline=clean_text(
            data.timeline,
            field="timeline",
            label="De tijdlijn van de zorg",
            max_length=LONG,
            required=True,
        ),
        table_choice_reason=clean_text(
            data.table_choice_reason,
            field="table_choice_reason",
            label="De reden voor een andere tafel",
            max_length=LONG,
            required=False,
        ),
        patient_bsn=clean_bsn(data.patient_bsn, field="patient_bsn"),
    )
    actions = []
    for i, pa in enumerate(data.party_actions, start=1):
        org = clean_text(
            pa.organisation_name,
            field="party_actions",
            label=f"Organisatie bij actie {i}",
            max_length=SHORT,
            required=True,
        )
        what = clean_text(
            pa.action,
            field="party_actions",
            label=f"Wat organisatie {i} deed",
            max_length=LONG,
            required=True,
        )
        actions.append(PartyAction(organisation_name=org, action=what))
    if not actions:
        raise DomainError(
            "Vermeld wat elke partij al heeft gedaan (minstens één).", field="party_actions"
        )
    return _Valid(municipality=municipality, criteria=criteria, actions=actions, **valid_texts)


@transaction.atomic
def case_register(
    *, referrer: User, organisation: Organisation, data: RegistrationInput
) -> RegistrationResult:
    """Register a case at a table (the aanmeldloket)."""
    if not Membership.objects.filter(
        user=referrer, organisation=organisation, role=Role.REFERRER, active=True
    ).exists():
        raise NotAllowed(
            "U kunt alleen aanmelden namens een organisatie waarvoor u verwijzer bent."
        )
    now = timezone.now()
    today = timezone.localdate()
    v = _validate_registration(data, today)
    municipality = v.municipality
    proposed = table_for_municipality(municipality=municipality, on=today)
    if proposed is None:
        raise DomainError(
            "Voor deze gemeente is geen tafel ingedeeld.", field="patient_municipality"
        )
    table = proposed
    if data.table_number and data.table_number != proposed.number:
        try:
            table = Table.objects.get(number=data.table_number)
        except Table.DoesNotExist as exc:
            raise DomainError("Deze tafel bestaat niet.", field="table") from exc
        if not v.table_choice_reason:
            raise DomainError(
                f"Geef een reden waarom u aanmeldt bij {table} in plaats van {proposed}.",
                field="table_choice_reason",
            )
    bsn = v.patient_bsn
    key_bsn = _patient_key(f"bsn:{bsn}") if bsn else ""
    key_name = _patient_key(
        f"name:{_normalise_name(v.patient_name)}:{data.patient_birth_date.isoformat()}"
    )
    case = Case.objects.create(
        reference=_next_reference(today),
        state=State.REGISTERED,
        state_changed_at=now,
        table=table,
        registered_table=table,
        proposed_table=proposed,
        table_choice_reason=v.table_choice_reason,
        referrer=referrer,
        referrer_organisation=organisation,
        referrer_type=data.referrer_type,
        patient_name=v.patient_name,
        patient_birth_date=data.patient_birth_date,
        patient_municipality=municipality,
        patient_insurer=v.patient_insurer,
        patient_bsn=bsn,
        patient_key_bsn=key_bsn,
        patient_key_name=key_name,
        consent_by=data.consent_by,
        stuck_description=v.stuck_description,
        best_solution=v.best_solution,
        timeline=v.timeline,
        urgency=data.urgency,
        in_ggz_treatment=data.in_ggz_treatment,
        registered_at=now,
    )
    case.referrer_criteria.set(v.criteria)
    for pa in v.actions:
        pa.case = case
        pa.save()
    _record(case, actor=referrer, role=Role.REFERRER, transition="register", from_state="")
    # The monitor is a by-product of the case work: a prefilled questionnaire from the start.
    _sync_monitor_on_commit(case)

    # The same patient with an open case elsewhere: link the cases and tell both sides.
    same = Case.objects.filter(state__in=OPEN_STATES).exclude(pk=case.pk)
    matches = list(
        (
            same.filter(patient_key_name=key_name)
            | (same.filter(patient_key_bsn=key_bsn) if key_bsn else same.none())
        )
        .select_related("table")
        .distinct()
    )
    if matches:
        case.linked_cases.add(*matches)
        refs = ", ".join(f"{m.reference} ({m.table})" for m in matches)
        _record(
            case,
            actor=referrer,
            role=Role.REFERRER,
            transition="link",
            from_state=case.state,
            note=f"Gekoppeld aan lopende casus {refs}",
        )
        for other in matches:
            notification_send(
                users=table_staff(other.table, Role.COORDINATOR),
                subject=f"Nieuwe aanmelding {case.reference} voor dezelfde patiënt als {other.reference}",
                body="Dezelfde patiënt heeft een lopende casus; de casussen zijn gekoppeld.",
                case_reference=other.reference,
            )

    linked_note = (
        " Deze patiënt heeft al een lopende casus ("
        + ", ".join(f"{m.reference} bij {m.table}" for m in matches)
        + "); de casussen zijn gekoppeld en de coördinator is op de hoogte."
        if matches
        else ""
    )
    notification_send(
        users=[referrer],
        subject=f"Aanmelding ontvangen: {case.reference}",
        body=f"Uw aanmelding is ontvangen door {table}. U hoort binnen een week of de tafel de casus oppakt.{linked_note}",
        case_reference=case.reference,
    )
    notification_send(
        users=table_staff(table, Role.COORDINATOR),
        subject=f"Nieuwe aanmelding {case.reference}",
        body=f"Er staat een nieuwe aanmelding klaar voor triage bij {table}.",
        case_reference=case.reference,
    )
    return RegistrationResult(case=case, linked=matches)


def _enter_state(
    case: Case, target: str, *, actor: User, role: str, transition: str, note: str = ""
) -> None:
    """Move a (locked) case to `target` and record who, when and why in its history.

    Callers check the transition first and set any other fields the step changes on `case`.
    """
    from_state = case.state
    case.state = target
    case.state_changed_at = timezone.now()
    case.save()
    _record(case, actor=actor, role=role, transition=transition, from_state=from_state, note=note)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


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
    case = _lock(case)
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
    _enter_state(
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
    case = _lock(case)
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
    _enter_state(
        case,
        DECISION_TARGET[round_.decision],
        actor=screener,
        role=membership.role,
        transition="triage_confirm",
        note=f"Besluit bevestigd: {Decision(round_.decision).label}",
    )
    _sync_monitor_on_commit(case)
    notification_send(
        users=[case.referrer],
        subject=f"Triagebesluit voor {case.reference}: {Decision(round_.decision).label}",
        body="De tafel heeft uw aanmelding beoordeeld. Bekijk het besluit en de toelichting in Vangnet.",
        case_reference=case.reference,
    )
    return round_


@transaction.atomic
def triage_disagree(
    *, case: Case, screener: User, membership: Membership, note: str
) -> TriageRound:
    """The second screener disagrees: the case goes back to the coordinator with the note."""
    case = _lock(case)
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
    _enter_state(
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
    case = _lock(case)
    check_transition("table_move", case.state)
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    if table.pk == case.table_id:
        raise DomainError("De casus staat al bij deze tafel.", field="table")
    old = case.table
    case.table = table
    case.state_changed_at = timezone.now()
    case.save(update_fields=["table", "state_changed_at", "updated_at"])
    _record(
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


# =============================================================================================
# Issue 4: preparation, meetings, the integral plan, follow-up, escalation, closure.
# Every service below is called after `case_access` granted the matching permission; the
# `membership` argument is the one that granted it.
# =============================================================================================

ALLOWED_DOCUMENT_TYPES = {
    # extension: (content type, magic prefix or None when plain text)
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".txt": ("text/plain", None),
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _require_state(case: Case, *states: str, action: str) -> None:
    # Read the state from the database (under a row lock): the caller's object may be stale.
    case.state = Case.objects.select_for_update().values_list("state", flat=True).get(pk=case.pk)
    if case.state not in states:
        raise InvalidTransition(
            f"{action} is niet mogelijk in de huidige status ({State(case.state).label})."
        )


def _event(
    case: Case, actor: User, membership: Membership, transition: str, note: str = ""
) -> None:
    _record(
        case,
        actor=actor,
        role=membership.role,
        transition=transition,
        from_state=case.state,
        note=note,
    )


@transaction.atomic
def timeline_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    on: date,
    organisation_name: str,
    description: str,
) -> TimelineEntry:
    check_past_date(
        on,
        field="date",
        label="De datum van de gebeurtenis",
        today=timezone.localdate(),
        not_before=case.patient_birth_date,
    )
    entry = TimelineEntry.objects.create(
        case=case,
        date=on,
        organisation_name=clean_text(
            organisation_name,
            field="organisation_name",
            label="De organisatie",
            max_length=SHORT,
            required=True,
        ),
        description=clean_text(
            description,
            field="description",
            label="Wat er gebeurde",
            max_length=LONG,
            required=True,
        ),
        added_by=actor,
    )
    return entry


@transaction.atomic
def party_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    organisation: Organisation,
    role: str,
    contact_name: str = "",
    contact_email: str = "",
    has_mandate: bool = False,
    already_did: str = "",
) -> CaseParty:
    _require_state(case, State.ADMITTED, State.PLAN, State.FOLLOW_UP, action="Een partij toevoegen")
    if CaseParty.objects.filter(case=case, organisation=organisation).exists():
        raise DomainError(f"{organisation} is al betrokken bij deze casus.", field="organisation")
    party = CaseParty.objects.create(
        case=case,
        organisation=organisation,
        role=clean_text(role, field="role", label="De rol", max_length=SHORT, required=True),
        contact_name=clean_text(
            contact_name,
            field="contact_name",
            label="De contactpersoon",
            max_length=SHORT,
            required=False,
        ),
        contact_email=contact_email.strip(),
        has_mandate=has_mandate,
        already_did=clean_text(
            already_did,
            field="already_did",
            label="Wat deze partij al deed",
            max_length=LONG,
            required=False,
        ),
    )
    _event(
        case, actor, membership, "party_add", f"Partij toegevoegd: {organisation} ({party.role})"
    )
    return party


@transaction.atomic
def party_invite(*, party: CaseParty, actor: User, membership: Membership) -> CaseParty:
    """Invite a party; it sees the case only while the patient's consent covers it."""
    if party.invited_at is not None:
        raise DomainError(f"{party.organisation} is al uitgenodigd.")
    party.invited_at = timezone.now()
    party.save(update_fields=["invited_at", "updated_at"])
    _event(party.case, actor, membership, "party_invite", f"{party.organisation} uitgenodigd")
    notification_send(
        users=organisation_table_members(party.case, party.organisation_id),
        subject=f"Uitnodiging voor casus {party.case.reference}",
        body="Uw organisatie is uitgenodigd om aan deze casus bij te dragen. U ziet de casus zolang de toestemming van de patiënt dit dekt.",
        case_reference=party.case.reference,
    )
    return party


def organisation_table_members(case: Case, organisation_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role=Role.TABLE_MEMBER, table=case.table, active=True
        ).select_related("user")
    ]


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    organisation: Organisation,
    given_by: str,
    valid_from: date,
    valid_until: date | None = None,
) -> Consent:
    if given_by not in ConsentBy.values:
        raise DomainError("Kies wie toestemming gaf.", field="given_by")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("De toestemming eindigt vóór zij begint.", field="valid_until")
    consent = Consent.objects.create(
        case=case,
        organisation=organisation,
        given_by=given_by,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=actor,
    )
    until = f" tot en met {valid_until:%d-%m-%Y}" if valid_until else ""
    _event(
        case,
        actor,
        membership,
        "consent_record",
        f"Toestemming om te delen met {organisation} vanaf {valid_from:%d-%m-%Y}{until}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User, membership: Membership) -> Consent:
    if consent.withdrawn_at is not None:
        raise DomainError("Deze toestemming is al ingetrokken.")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    _event(
        consent.case,
        actor,
        membership,
        "consent_withdraw",
        f"Toestemming voor {consent.organisation} ingetrokken",
    )
    return consent


@transaction.atomic
def question_add(*, case: Case, actor: User, membership: Membership, text: str) -> MeetingQuestion:
    return MeetingQuestion.objects.create(
        case=case,
        text=clean_text(text, field="text", label="De vraag", max_length=LONG, required=True),
        asked_by=actor,
    )


def _sniff_ok(head: bytes, magic: bytes | None) -> bool:
    if magic is None:
        # Incremental decoding: the head may end inside a multi-byte character (ë, é).
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return False
        return b"\x00" not in head
    return head.startswith(magic)


@transaction.atomic
def document_upload(
    *, case: Case, actor: User, membership: Membership, name: str, content: bytes
) -> Document:
    """Store an attachment outside the web root under a random name, after type and size checks."""
    import secrets
    from pathlib import Path

    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_DOCUMENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_DOCUMENT_TYPES))
        raise DomainError(
            f"Dit bestandstype is niet toegestaan. Toegestaan: {allowed}.", field="file"
        )
    if len(content) == 0:
        raise DomainError("Het bestand is leeg.", field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DomainError(
            f"Het bestand is te groot: maximaal {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    content_type, magic = ALLOWED_DOCUMENT_TYPES[suffix]
    if not _sniff_ok(content[:2048], magic):
        raise DomainError("De inhoud van het bestand past niet bij de extensie.", field="file")
    storage_name = secrets.token_hex(16) + suffix
    directory = Path(settings.MEDIA_ROOT) / "cases"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / storage_name
    target.write_bytes(content)
    # The row refers to the file; if creating the row fails, remove the file: nothing half-saved.
    try:
        document = Document.objects.create(
            case=case,
            storage_name=storage_name,
            original_name=clean_text(
                Path(name).name,
                field="file",
                label="De bestandsnaam",
                max_length=SHORT,
                required=True,
            ),
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    _event(
        case,
        actor,
        membership,
        "document_upload",
        f"Document toegevoegd ({suffix}, {len(content)} bytes)",
    )
    return document


def document_path(document: Document) -> Any:
    from pathlib import Path

    return Path(settings.MEDIA_ROOT) / "cases" / document.storage_name


# --- meetings ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    table: Table,
    actor: User,
    membership: Membership,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    chair_type: str,
    chair_name: str = "",
    location: str = "",
    video_link: str = "",
    cases: Sequence[Case] = (),
) -> tuple[Meeting, list[str]]:
    """Schedule a table meeting (or an ad-hoc one for one case). Returns the meeting and warnings."""
    if membership.role != Role.COORDINATOR or membership.table_id != table.pk:
        raise NotAllowed("Alleen de coördinator van deze tafel plant besprekingen.")
    if kind not in Meeting.Kind.values:
        raise DomainError("Kies het soort bespreking.", field="kind")
    if chair_type not in Meeting.Chair.values:
        raise DomainError("Kies het type voorzitterschap.", field="chair_type")
    if starts_at <= timezone.now():
        raise DomainError(
            "Een bespreking kan niet in het verleden worden gepland.", field="starts_at"
        )
    if ends_at <= starts_at:
        raise DomainError("De bespreking moet eindigen na het begin.", field="ends_at")
    if not location.strip() and not video_link.strip():
        raise DomainError("Vermeld een plaats of een videolink.", field="location")
    overlap = (
        Meeting.objects.select_for_update()
        .filter(table=table, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .first()
    )
    if overlap is not None:
        raise DomainError(
            f"Deze bespreking overlapt met een andere bespreking van de tafel ({timezone.localtime(overlap.starts_at):%d-%m-%Y %H:%M}).",
            field="starts_at",
        )
    if kind == Meeting.Kind.AD_HOC and len(cases) != 1:
        raise DomainError("Een ad-hocbespreking gaat over precies één casus.", field="cases")
    warnings: list[str] = []
    meeting = Meeting.objects.create(
        table=table,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=clean_text(
            location, field="location", label="De plaats", max_length=SHORT, required=False
        ),
        video_link=video_link.strip(),
        chair_type=chair_type,
        chair_name=clean_text(
            chair_name, field="chair_name", label="De voorzitter", max_length=SHORT, required=False
        ),
        created_by=actor,
    )
    for case in cases:
        agenda_add(meeting=meeting, case=case, actor=actor, membership=membership)
        if (
            kind == Meeting.Kind.AD_HOC
            and case.admitted_on
            and (timezone.localtime(starts_at).date() - case.admitted_on).days > 7
        ):
            warnings.append(
                f"{case.reference}: de ad-hocbespreking valt later dan een week na toelating (Tien in Twente: binnen een week)."
            )
    return meeting, warnings


@transaction.atomic
def agenda_add(*, meeting: Meeting, case: Case, actor: User, membership: Membership) -> AgendaItem:
    if case.table_id != meeting.table_id:
        raise DomainError(f"Casus {case.reference} hoort niet bij deze tafel.", field="cases")
    _require_state(case, State.ADMITTED, State.PLAN, State.FOLLOW_UP, action="Agenderen")
    if AgendaItem.objects.filter(meeting=meeting, case=case).exists():
        raise DomainError(f"Casus {case.reference} staat al op de agenda.", field="cases")
    item = AgendaItem.objects.create(meeting=meeting, case=case, position=meeting.items.count() + 1)
    _event(
        case,
        actor,
        membership,
        "agenda_add",
        f"Geagendeerd voor {timezone.localtime(meeting.starts_at):%d-%m-%Y %H:%M}",
    )
    return item


@transaction.atomic
def participant_add(
    *,
    item: AgendaItem,
    actor: User,
    membership: Membership,
    kind: str,
    person_name: str,
    organisation: Organisation | None = None,
    has_mandate: bool = False,
) -> Participant:
    if kind not in Participant.Kind.values:
        raise DomainError("Kies het soort deelnemer.", field="kind")
    if kind == Participant.Kind.ORGANISATION and organisation is None:
        raise DomainError("Kies de organisatie van de deelnemer.", field="organisation")
    return Participant.objects.create(
        item=item,
        kind=kind,
        organisation=organisation,
        has_mandate=has_mandate,
        person_name=clean_text(
            person_name,
            field="person_name",
            label="De naam van de deelnemer",
            max_length=SHORT,
            required=True,
        ),
    )


@transaction.atomic
def case_share_prepared(*, item: AgendaItem, actor: User, membership: Membership) -> AgendaItem:
    """Share the prepared case (timeline, parties, questions) with invited parties before the meeting."""
    case = item.case
    if item.meeting.starts_at <= timezone.now():
        raise DomainError("De bespreking is al begonnen; delen vooraf is niet meer mogelijk.")
    invited = [
        p
        for p in case.parties.filter(invited_at__isnull=False)
        if invited_with_consent(case, p.organisation_id)
    ]
    if not invited:
        raise DomainError("Nodig eerst minstens één partij uit waarvoor toestemming is vastgelegd.")
    if not case.questions.exists():
        raise DomainError("Zet eerst de vragen voor de bespreking klaar.")
    item.shared_at = timezone.now()
    item.save(update_fields=["shared_at"])
    _event(
        case,
        actor,
        membership,
        "share_prepared",
        f"Voorbereide casus gedeeld met {len(invited)} partij(en)",
    )
    for party in invited:
        notification_send(
            users=organisation_table_members(case, party.organisation_id),
            subject=f"Voorbereiding casus {case.reference} staat klaar",
            body=f"De tijdlijn en de vragen voor de bespreking van {timezone.localtime(item.meeting.starts_at):%d-%m-%Y %H:%M} staan klaar in Vangnet.",
            case_reference=case.reference,
        )
    return item


@dataclass(frozen=True)
class TaskInput:
    description: str
    organisation: Organisation
    due_on: date
    assignee: User | None = None


@transaction.atomic
def minutes_record(
    *,
    item: AgendaItem,
    actor: User,
    membership: Membership,
    discussed: str,
    decisions: str,
    tasks: Sequence[TaskInput] = (),
) -> AgendaItem:
    """Minutes per case: what was discussed, decisions, who does what by when."""
    case = Case.objects.select_for_update().get(pk=item.case_id)
    if item.meeting.starts_at > timezone.now():
        raise DomainError("Notulen kunnen pas tijdens of na de bespreking worden vastgelegd.")
    item.discussed = clean_text(
        discussed, field="discussed", label="Wat is besproken", max_length=LONG, required=True
    )
    item.decisions = clean_text(
        decisions, field="decisions", label="De besluiten", max_length=LONG, required=True
    )
    item.minutes_by = actor
    item.minutes_at = timezone.now()
    item.save()
    for t in tasks:
        if t.due_on < timezone.localdate():
            raise DomainError("Een actie kan geen einddatum in het verleden hebben.", field="tasks")
        Task.objects.create(
            case=case,
            agenda_item=item,
            organisation=t.organisation,
            assignee=t.assignee,
            due_on=t.due_on,
            description=clean_text(
                t.description, field="tasks", label="De actie", max_length=LONG, required=True
            ),
        )
    _event(case, actor, membership, "minutes", "Notulen vastgelegd")
    if case.state == State.ADMITTED:
        check_transition("plan_start", case.state)
        _enter_state(case, State.PLAN, actor=actor, role=membership.role, transition="plan_start")
        Plan.objects.get_or_create(case=case)
    return item


# --- the integral plan ------------------------------------------------------------------------

PLAN_FIELDS = {
    "regiebehandelaar": "Regiebehandelaar / casusregisseur",
    "procesregie": "Procesregie",
    "handover_from": "Warme overdracht van",
    "handover_to": "Warme overdracht naar",
    "handover_on": "Datum warme overdracht",
    "takeover_goals": "Tijdelijke overname: doelen",
    "takeover_return_condition": "Tijdelijke overname: terugkeervoorwaarde",
    "if_placement_fails": "Als de plaatsing mislukt",
}


def _plan_for(case: Case) -> Plan:
    _require_state(case, State.PLAN, State.FOLLOW_UP, action="Het plan wijzigen")
    plan, _ = Plan.objects.select_for_update().get_or_create(case=case)
    return plan


def _revise(plan: Plan, actor: User, summary: str, changes: list[dict[str, Any]]) -> PlanRevision:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    return PlanRevision.objects.create(
        plan=plan,
        version=plan.version,
        changed_by=actor,
        changed_at=timezone.now(),
        summary=summary[:300],
        changes=changes,
    )


def _may_direct(user: User, case: Case) -> bool:
    return granting_membership(actor_for(user), case, Permission.CHECK_IN) is not None


def _plan_editor(membership: Membership, case: Case) -> None:
    if not (membership.role == Role.COORDINATOR and membership.table_id == case.table_id):
        raise NotAllowed("Alleen de coördinator van de tafel wijzigt het integrale plan.")


@transaction.atomic
def plan_update(*, case: Case, actor: User, membership: Membership, values: dict[str, Any]) -> Plan:
    _plan_editor(membership, case)
    plan = _plan_for(case)
    changes = []
    for name, value in values.items():
        if name == "case_director":
            old = plan.case_director
            if value is not None and value != old and not _may_direct(value, case):
                raise DomainError(
                    "De casusregisseur moet de casus kunnen zien: de coördinator van de tafel of een "
                    "tafellid van een uitgenodigde organisatie met toestemming.",
                    field="case_director",
                )
            if value != old:
                changes.append(
                    {
                        "field": "Casusregisseur (gebruiker)",
                        "old": str(old or ""),
                        "new": str(value or ""),
                    }
                )
                plan.case_director = value
            continue
        if name == "regiebehandelaar_organisation":
            old_org = plan.regiebehandelaar_organisation
            if value != old_org:
                changes.append(
                    {
                        "field": "Organisatie regiebehandelaar",
                        "old": str(old_org or ""),
                        "new": str(value or ""),
                    }
                )
                plan.regiebehandelaar_organisation = value
            continue
        if name not in PLAN_FIELDS:
            raise DomainError(f"Onbekend onderdeel van het plan: {name}.")
        if name != "handover_on":
            value = clean_text(
                value, field=name, label=PLAN_FIELDS[name], max_length=LONG, required=False
            )
        old_value = getattr(plan, name)
        if value != old_value:
            changes.append(
                {"field": PLAN_FIELDS[name], "old": str(old_value or ""), "new": str(value or "")}
            )
            setattr(plan, name, value)
    if not changes:
        raise DomainError("Er is niets gewijzigd.")
    plan.save()
    _revise(plan, actor, "Plan bijgewerkt: " + ", ".join(c["field"] for c in changes), changes)
    return plan


@transaction.atomic
def goal_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    domain: str,
    description: str,
    organisation: Organisation | None,
    financing: str,
    contact: str = "",
) -> PlanGoal:
    _plan_editor(membership, case)
    plan = _plan_for(case)
    if domain not in LifeDomain.values:
        raise DomainError("Kies het levensdomein van het doel.", field="domain")
    if organisation is None:
        raise DomainError(
            "Een doel heeft altijd een verantwoordelijke organisatie.", field="organisation"
        )
    if financing not in Financing.values:
        raise DomainError("Kies de financiering van het doel.", field="financing")
    goal = PlanGoal.objects.create(
        plan=plan,
        domain=domain,
        organisation=organisation,
        financing=financing,
        description=clean_text(
            description, field="description", label="Het doel", max_length=LONG, required=True
        ),
        contact=clean_text(
            contact, field="contact", label="De contactpersoon", max_length=SHORT, required=False
        ),
    )
    _revise(
        plan,
        actor,
        f"Doel toegevoegd ({LifeDomain(domain).label}) voor {organisation}",
        [
            {
                "field": f"Doel {goal.pk}",
                "old": "",
                "new": f"{LifeDomain(domain).label}: {goal.description} — {organisation}, {Financing(financing).label}",
            }
        ],
    )
    notification_send(
        users=organisation_table_members(case, organisation.pk),
        subject=f"Nieuw doel voor uw organisatie in casus {case.reference}",
        body="Accepteer of weiger het doel in het integrale plan.",
        case_reference=case.reference,
    )
    return goal


@transaction.atomic
def goal_respond(
    *, goal: PlanGoal, actor: User, membership: Membership, accept: bool, note: str = ""
) -> PlanGoal:
    """The responsible organisation accepts or declines its goal; a decline returns to the coordinator."""
    goal = PlanGoal.objects.select_for_update().select_related("plan__case").get(pk=goal.pk)
    _require_state(goal.plan.case, State.PLAN, State.FOLLOW_UP, action="Reageren op een doel")
    if membership.organisation_id != goal.organisation_id:
        raise NotAllowed(
            "Alleen de verantwoordelijke organisatie kan dit doel accepteren of weigeren."
        )
    if goal.status not in {PlanGoal.Status.PROPOSED, PlanGoal.Status.DECLINED}:
        raise DomainError("Op dit doel is al gereageerd.")
    note = clean_text(
        note, field="note", label="De toelichting", max_length=LONG, required=not accept
    )
    old = goal.status
    goal.status = PlanGoal.Status.ACCEPTED if accept else PlanGoal.Status.DECLINED
    goal.response_note = note
    goal.responded_by = actor
    goal.responded_at = timezone.now()
    goal.save()
    case = goal.plan.case
    _revise(
        goal.plan,
        actor,
        f"Doel {'geaccepteerd' if accept else 'geweigerd'} door {membership.organisation}",
        [
            {
                "field": f"Status doel {goal.pk}",
                "old": PlanGoal.Status(old).label,
                "new": goal.get_status_display(),
            }
        ],
    )
    if not accept:
        notification_send(
            users=table_staff(case.table, Role.COORDINATOR),
            subject=f"Doel geweigerd in casus {case.reference}",
            body=f"{membership.organisation} weigerde een doel. Pas het plan aan.",
            case_reference=case.reference,
        )
    return goal


@transaction.atomic
def goal_set_status(
    *, goal: PlanGoal, actor: User, membership: Membership, status: str
) -> PlanGoal:
    _plan_editor(membership, goal.plan.case)
    _require_state(
        goal.plan.case, State.PLAN, State.FOLLOW_UP, action="De status van een doel wijzigen"
    )
    if status not in {
        PlanGoal.Status.IN_PROGRESS,
        PlanGoal.Status.ACHIEVED,
        PlanGoal.Status.STOPPED,
    }:
        raise DomainError("Kies een geldige status.")
    if goal.status in {PlanGoal.Status.PROPOSED, PlanGoal.Status.DECLINED}:
        raise DomainError("Een doel dat niet is geaccepteerd kan niet lopen of bereikt zijn.")
    old = goal.status
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    _revise(
        goal.plan,
        actor,
        f"Status doel {goal.pk} gewijzigd",
        [
            {
                "field": f"Status doel {goal.pk}",
                "old": PlanGoal.Status(old).label,
                "new": goal.get_status_display(),
            }
        ],
    )
    return goal


@transaction.atomic
def plan_adopt(
    *, case: Case, actor: User, membership: Membership, phase_months: int = 3, focus: str = ""
) -> FollowUpPhase:
    """The plan is adopted when every goal is accepted and someone holds the lead; follow-up starts."""
    _plan_editor(membership, case)
    case = _lock(case)
    check_transition("follow_up_start", case.state)
    plan = _plan_for(case)
    goals = list(plan.goals.all())
    if not goals:
        raise DomainError("Het plan heeft nog geen doelen.")
    open_goals = [g for g in goals if g.status != PlanGoal.Status.ACCEPTED]
    if open_goals:
        raise DomainError(
            f"{len(open_goals)} doel(en) zijn nog niet geaccepteerd door de verantwoordelijke organisatie."
        )
    if not plan.regiebehandelaar:
        raise DomainError("Leg vast wie regiebehandelaar of casusregisseur is.")
    for g in goals:
        g.status = PlanGoal.Status.IN_PROGRESS
        g.save(update_fields=["status", "updated_at"])
    _enter_state(
        case, State.FOLLOW_UP, actor=actor, role=membership.role, transition="follow_up_start"
    )
    return phase_add(
        case=case, actor=actor, membership=membership, months=phase_months, focus=focus
    )


@transaction.atomic
def phase_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    months: int,
    focus: str = "",
    starts_on: date | None = None,
) -> FollowUpPhase:
    _require_state(case, State.FOLLOW_UP, action="Een fase toevoegen")
    if not MIN_PHASE_MONTHS <= months <= MAX_PHASE_MONTHS:
        raise DomainError("Een fase duurt 3 tot 6 maanden.", field="months")
    last = case.phases.order_by("-number").first()
    start = starts_on or (last.ends_on if last else timezone.localdate())
    if last and start < last.ends_on:
        raise DomainError("Een nieuwe fase begint na het einde van de vorige.", field="starts_on")
    phase = FollowUpPhase.objects.create(
        case=case,
        number=(last.number + 1) if last else 1,
        starts_on=start,
        months=months,
        ends_on=phase_end(start, months),
        focus=clean_text(
            focus, field="focus", label="De focus van de fase", max_length=LONG, required=False
        ),
    )
    CheckIn.objects.bulk_create(
        CheckIn(phase=phase, due_on=d) for d in checkin_dates(start, months)
    )
    _event(
        case,
        actor,
        membership,
        "phase_add",
        f"Fase {phase.number}: {months} maanden, maandelijkse check-ins",
    )
    return phase


@dataclass(frozen=True)
class ProgressInput:
    goal_id: int
    progress: str
    note: str = ""


@transaction.atomic
def checkin_record(
    *,
    checkin: CheckIn,
    actor: User,
    membership: Membership,
    summary: str,
    progress: Sequence[ProgressInput],
) -> CheckIn:
    """At a check-in the case director (or coordinator) records progress per goal."""
    checkin = CheckIn.objects.select_for_update().select_related("phase__case").get(pk=checkin.pk)
    case = checkin.phase.case
    plan = case.plan
    is_coordinator = membership.role == Role.COORDINATOR and membership.table_id == case.table_id
    if not is_coordinator and plan.case_director_id != actor.pk:
        raise NotAllowed("Alleen de casusregisseur of de coördinator legt de voortgang vast.")
    if checkin.done_at is not None:
        raise DomainError("Deze check-in is al vastgelegd.")
    active = {
        g.pk: g
        for g in plan.goals.filter(
            status__in=[PlanGoal.Status.IN_PROGRESS, PlanGoal.Status.ACCEPTED]
        )
    }
    given = {p.goal_id: p for p in progress}
    if len(given) != len(progress):
        raise DomainError(
            "Leg de voortgang van elk doel één keer vast per check-in.", field="progress"
        )
    if set(given) != set(active):
        raise DomainError("Leg voor elk lopend doel de voortgang vast.", field="progress")
    for p in progress:
        if p.progress not in GoalProgress.Progress.values:
            raise DomainError("Kies de voortgang per doel.", field="progress")
    checkin.summary = clean_text(
        summary, field="summary", label="De samenvatting", max_length=LONG, required=True
    )
    checkin.done_at = timezone.now()
    checkin.done_by = actor
    checkin.save()
    GoalProgress.objects.bulk_create(
        GoalProgress(
            checkin=checkin,
            goal=active[p.goal_id],
            progress=p.progress,
            note=clean_text(
                p.note, field="progress", label="De notitie", max_length=LONG, required=False
            ),
        )
        for p in progress
    )
    for p in progress:
        if p.progress == GoalProgress.Progress.ACHIEVED:
            PlanGoal.objects.filter(pk=p.goal_id).update(status=PlanGoal.Status.ACHIEVED)
    _event(case, actor, membership, "checkin", f"Check-in van {checkin.due_on:%d-%m-%Y} vastgelegd")
    return checkin


@transaction.atomic
def task_complete(*, task: Task, actor: User, membership: Membership) -> Task:
    if task.done_at is not None:
        raise DomainError("Deze actie is al afgerond.")
    if membership.organisation_id != task.organisation_id and membership.role != Role.COORDINATOR:
        raise NotAllowed("Alleen de uitvoerende organisatie of de coördinator rondt een actie af.")
    task.done_at = timezone.now()
    task.save(update_fields=["done_at", "updated_at"])
    return task


# --- financing (insurer's medical adviser) ------------------------------------------------------


@transaction.atomic
def financing_request(
    *, case: Case, actor: User, membership: Membership, insurer: Organisation
) -> FinancingDecision:
    _plan_editor(membership, case)
    from vangnet.directory.models import OrganisationType

    if insurer.organisation_type != OrganisationType.INSURER:
        raise DomainError(
            "Een maatwerkarrangement wordt aangevraagd bij een zorgverzekeraar.", field="insurer"
        )
    if case.financing_decisions.filter(
        insurer=insurer, decision=FinancingDecision.Decision.REQUESTED
    ).exists():
        raise DomainError("Er loopt al een aanvraag bij deze zorgverzekeraar.", field="insurer")
    decision = FinancingDecision.objects.create(case=case, insurer=insurer, requested_by=actor)
    _event(
        case,
        actor,
        membership,
        "financing_request",
        f"Maatwerkarrangement aangevraagd bij {insurer}",
    )
    notification_send(
        users=[
            m.user
            for m in Membership.objects.filter(
                organisation=insurer, role=Role.MEDICAL_ADVISER, active=True
            ).select_related("user")
        ],
        subject=f"Aanvraag maatwerkarrangement voor casus {case.reference}",
        body="Toets de zeven criteria en neem een besluit over het maatwerkarrangement.",
        case_reference=case.reference,
    )
    return decision


@transaction.atomic
def financing_decide(
    *,
    decision: FinancingDecision,
    actor: User,
    membership: Membership,
    criteria_checks: dict[int, str],
    approved: bool,
    reason: str,
) -> FinancingDecision:
    decision = FinancingDecision.objects.select_for_update().get(pk=decision.pk)
    if membership.role != Role.MEDICAL_ADVISER or membership.organisation_id != decision.insurer_id:
        raise NotAllowed(
            "Alleen een medisch adviseur van deze zorgverzekeraar beslist over dit arrangement."
        )
    if decision.decision != FinancingDecision.Decision.REQUESTED:
        raise DomainError("Over deze aanvraag is al besloten.")
    numbers = set(Criterion.objects.values_list("number", flat=True))
    if set(criteria_checks) != numbers or any(
        v not in CriterionAssessment.Verdict.values for v in criteria_checks.values()
    ):
        raise DomainError(
            "Toets elk van de zeven criteria (voldaan, niet voldaan of onbekend).", field="criteria"
        )
    decision.reason = clean_text(
        reason, field="reason", label="De motivering", max_length=LONG, required=True
    )
    decision.criteria_checks = {str(k): v for k, v in sorted(criteria_checks.items())}
    decision.decision = (
        FinancingDecision.Decision.APPROVED if approved else FinancingDecision.Decision.DECLINED
    )
    decision.adviser = actor
    decision.decided_at = timezone.now()
    decision.save()
    case = decision.case
    _record(
        case,
        actor=actor,
        role=membership.role,
        transition="financing_decide",
        from_state=case.state,
        note=f"Maatwerkarrangement {decision.get_decision_display().lower()} door {membership.organisation}",
    )
    notification_send(
        users=table_staff(case.table, Role.COORDINATOR),
        subject=f"Besluit maatwerkarrangement casus {case.reference}: {decision.get_decision_display()}",
        body="De medisch adviseur heeft besloten over de financiering.",
        case_reference=case.reference,
    )
    return decision


# --- the offer term, suspension and escalation ---------------------------------------------------


def case_deadline(case: Case, *, today: date | None = None) -> date | None:
    """The date by which an admitted patient must be offered suitable care, suspensions included."""
    if case.admitted_on is None:
        return None
    today = today or timezone.localdate()
    suspensions = [EngineSuspension(s.starts_on, s.ended_on) for s in case.suspensions.all()]
    return term_deadline(
        admitted_on=case.admitted_on,
        term_days=case.table.offer_term_days,
        suspensions=suspensions,
        today=today,
    )


@transaction.atomic
def term_suspend(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    reason: str,
    starts_on: date,
    planned_end: date | None = None,
) -> TermSuspension:
    _plan_editor(membership, case)
    _require_state(case, *ACTIVE_STATES, action="De termijn opschorten")
    if case.suspensions.filter(ended_on__isnull=True).exists():
        raise DomainError("De termijn is al opgeschort.")
    if planned_end is not None and planned_end <= starts_on:
        raise DomainError("De geplande einddatum ligt niet na de begindatum.", field="planned_end")
    if starts_on > timezone.localdate() + timedelta(days=30):
        raise DomainError("Een opschorting begint uiterlijk over 30 dagen.", field="starts_on")
    if case.admitted_on is not None and starts_on < case.admitted_on:
        raise DomainError("Een opschorting begint niet vóór de toelating.", field="starts_on")
    suspension = TermSuspension.objects.create(
        case=case,
        starts_on=starts_on,
        planned_end=planned_end,
        created_by=actor,
        reason=clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True),
    )
    until = f" tot {planned_end:%d-%m-%Y}" if planned_end else ""
    _event(
        case,
        actor,
        membership,
        "term_suspend",
        f"Termijn opgeschort vanaf {starts_on:%d-%m-%Y}{until}: {suspension.reason}",
    )
    return suspension


@transaction.atomic
def term_resume(
    *,
    suspension: TermSuspension,
    actor: User,
    membership: Membership | None,
    on: date | None = None,
) -> TermSuspension:
    suspension = TermSuspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.ended_on is not None:
        raise DomainError("Deze opschorting is al beëindigd.")
    on = on or timezone.localdate()
    suspension.ended_on = max(on, suspension.starts_on)
    suspension.save(update_fields=["ended_on"])
    _record(
        suspension.case,
        actor=actor,
        role=membership.role if membership else "system",
        transition="term_resume",
        from_state=suspension.case.state,
        note=f"Termijn loopt weer vanaf {suspension.ended_on:%d-%m-%Y}",
    )
    return suspension


@transaction.atomic
def escalate(
    *, case: Case, actor: User, membership: Membership, to_level: int, reason: str, result: str = ""
) -> EscalationStep:
    """One step on the Zorgconsul ladder (up or down). Judges tempo, never the content of care."""
    _plan_editor(membership, case)
    case = _lock(case)
    _require_state(case, *ACTIVE_STATES, action="Escaleren")
    if to_level not in EscalationLevel.values:
        raise DomainError("Kies een escalatieniveau van 0 tot en met 4.", field="to_level")
    if to_level == case.escalation_level:
        raise DomainError("De casus staat al op dit niveau.", field="to_level")
    if to_level > case.escalation_level + 1:
        raise DomainError(
            "Escaleer één niveau tegelijk, zodat elke stap een kans krijgt.", field="to_level"
        )
    step = EscalationStep.objects.create(
        case=case,
        from_level=case.escalation_level,
        to_level=to_level,
        at=timezone.now(),
        by=actor,
        reason=clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True),
        result=clean_text(
            result, field="result", label="Het resultaat", max_length=LONG, required=False
        ),
    )
    case.escalation_level = to_level
    case.save(update_fields=["escalation_level", "updated_at"])
    label = EscalationLevel(to_level).label
    _event(
        case,
        actor,
        membership,
        "escalate" if step.direction == "op" else "de_escalate",
        f"Naar niveau {label}: {step.reason}",
    )
    return step


@transaction.atomic
def escalation_result(
    *, step: EscalationStep, actor: User, membership: Membership, result: str
) -> EscalationStep:
    _plan_editor(membership, step.case)
    step.result = clean_text(
        result, field="result", label="Het resultaat", max_length=LONG, required=True
    )
    EscalationStep.objects.filter(pk=step.pk).update(result=step.result)
    return step


# --- closure ------------------------------------------------------------------------------------


def _options(name: str) -> Any:
    from vangnet.monitor import codes

    return getattr(codes, name)


def _codes(name: str) -> set[str]:
    from vangnet.monitor import codes

    return {code for code, _label in getattr(codes, name)}


def _cancel_pending_rounds(case: Case) -> None:
    """A proposal made before closing or reopening can no longer be confirmed."""
    TriageRound.objects.filter(case=case, verdict=TriageRound.Verdict.PENDING).update(
        verdict=TriageRound.Verdict.CANCELLED
    )


def _sync_monitor_on_commit(case: Case) -> None:
    """The case's monitor questionnaire (if made) follows its outcome and closure codes."""

    def sync() -> None:
        from vangnet.monitor.services import monitor_record_sync_from_case

        monitor_record_sync_from_case(case=Case.objects.get(pk=case.pk))

    transaction.on_commit(sync)


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
    case = _lock(case)
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
    _enter_state(
        case,
        State.CLOSED,
        actor=actor,
        role=membership.role,
        transition="close",
        note=f"Uitkomst: {dict(_options('OUTCOMES'))[outcome]}",
    )
    _cancel_pending_rounds(case)
    for s in case.suspensions.filter(ended_on__isnull=True):
        s.ended_on = timezone.localdate()
        s.save(update_fields=["ended_on"])
    _sync_monitor_on_commit(case)
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
    _plan_editor(membership, case)
    case = _lock(case)
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
    _enter_state(case, target, actor=actor, role=membership.role, transition="reopen", note=reason)
    _cancel_pending_rounds(case)
    _sync_monitor_on_commit(case)
    notification_send(
        users=[case.referrer],
        subject=f"Casus {case.reference} is heropend",
        body="De tafel heeft de casus heropend.",
        case_reference=case.reference,
    )
    return case
