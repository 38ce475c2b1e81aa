"""Writes for cases. Each service validates, runs in one transaction, records the case history
and schedules notifications on commit. Access logging happens at the boundary (views, API)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import check_past_date, clean_bsn, clean_text
from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality, Table
from vangnet.regions.selectors import table_for_municipality

from .models import (
    Case,
    CaseEvent,
    ConsentBy,
    Criterion,
    CriterionAssessment,
    PartyAction,
    ReferenceCounter,
    ReferrerType,
    TriageRound,
    Urgency,
)
from .workflow import DECISION_TARGET, OPEN_STATES, Decision, State, check_transition

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


def _table_staff(table: Table, *roles: str) -> list[User]:
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
        patient_bsn=clean_bsn(data.patient_bsn),
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
        registered_at=now,
    )
    case.referrer_criteria.set(v.criteria)
    for pa in v.actions:
        pa.case = case
        pa.save()
    _record(case, actor=referrer, role=Role.REFERRER, transition="register", from_state="")

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
                users=_table_staff(other.table, Role.COORDINATOR),
                subject=f"Nieuwe aanmelding {case.reference} voor dezelfde patiënt als {other.reference}",
                body="Dezelfde patiënt heeft een lopende casus; de casussen zijn gekoppeld.",
                case_reference=other.reference,
            )

    notification_send(
        users=[referrer],
        subject=f"Aanmelding ontvangen: {case.reference}",
        body=f"Uw aanmelding is ontvangen door {table}. U hoort binnen een week of de tafel de casus oppakt.",
        case_reference=case.reference,
    )
    notification_send(
        users=_table_staff(table, Role.COORDINATOR),
        subject=f"Nieuwe aanmelding {case.reference}",
        body=f"Er staat een nieuwe aanmelding klaar voor triage bij {table}.",
        case_reference=case.reference,
    )
    return RegistrationResult(case=case, linked=matches)


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
    from_state = case.state
    case.state = State.TRIAGE_PROPOSED
    case.state_changed_at = timezone.now()
    case.save(update_fields=["state", "state_changed_at", "updated_at"])
    _record(
        case,
        actor=coordinator,
        role=membership.role,
        transition="triage_propose",
        from_state=from_state,
        note=f"Voorgesteld besluit: {Decision(decision).label}",
    )
    notification_send(
        users=[
            u
            for u in _table_staff(case.table, Role.SECOND_SCREENER, Role.COORDINATOR)
            if u.pk != coordinator.pk
        ],
        subject=f"Triagebesluit {case.reference} wacht op tweede beoordelaar",
        body="Een triagebesluit wacht op uw bevestiging (vier-ogenprincipe).",
        case_reference=case.reference,
    )
    return round_


def _pending_round(case: Case) -> TriageRound:
    round_ = (
        case.triage_rounds.select_for_update().filter(verdict=TriageRound.Verdict.PENDING).first()
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
    from_state = case.state
    case.state = DECISION_TARGET[round_.decision]
    case.state_changed_at = now
    case.save(update_fields=["state", "state_changed_at", "updated_at"])
    _record(
        case,
        actor=screener,
        role=membership.role,
        transition="triage_confirm",
        from_state=from_state,
        note=f"Besluit bevestigd: {Decision(round_.decision).label}",
    )
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
    from_state = case.state
    case.state = State.REGISTERED
    case.state_changed_at = timezone.now()
    case.save(update_fields=["state", "state_changed_at", "updated_at"])
    _record(
        case,
        actor=screener,
        role=membership.role,
        transition="triage_disagree",
        from_state=from_state,
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
        users=_table_staff(table, Role.COORDINATOR) + [case.referrer],
        subject=f"Casus {case.reference} is verplaatst naar {table}",
        body=f"De casus is overgedragen van {old} naar {table}.",
        case_reference=case.reference,
    )
    return case
