"""Registration desk: a referrer registers a case; duplicate patients are linked by keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.accounts.services import notification_send
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases.models import (
    Case,
    ConsentBy,
    PartyAction,
    PriorAttempt,
    ReferenceCounter,
    ReferrerType,
    Urgency,
)
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    record_event,
    table_insurer_notify,
    table_staff,
)
from vangnet.cases.signals import announce_case_changed
from vangnet.cases.workflow import (
    OPEN_STATES,
    State,
)
from vangnet.common.errors import DomainError, NotAllowed, raise_all
from vangnet.common.validators import check_past_date, clean_bsn, clean_text
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Criterion, Municipality, Table
from vangnet.regions.selectors import table_for_municipality


@dataclass(frozen=True)
class PartyActionInput:
    organisation_name: str
    action: str


@dataclass(frozen=True)
class PriorAttemptInput:
    """What was tried before the table (e.g. by the insurer's zorgbemiddeling), and with whom."""

    by_organisation_id: int
    tried_on: date
    what: str
    result: str
    provider_id: int | None = None


@dataclass(frozen=True)
class RegistrationInput:
    referrer_type: str
    patient_name: str
    patient_birth_date: date
    patient_municipality_code: str
    insurer_id: int | None
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
    prior_attempts: Sequence[PriorAttemptInput] = ()


# Who may register a case besides a referrer: the insurer's zorgbemiddeling routes a question to
# the table (seed 004 §5b), a coordinator turns a public signal into a registration.
REGISTERING_ROLES = {Role.REFERRER, Role.ZORGBEMIDDELING, Role.COORDINATOR}


@dataclass
class RegistrationResult:
    case: Case
    linked: list[Case] = field(default_factory=list)


def _patient_key(value: str) -> str:
    key = settings.VANGNET_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"vangnet-patient:{value}".encode(), hashlib.sha256).hexdigest()


def patient_bsn_key(bsn: str) -> str:
    """The keyed hash that matches and finds a BSN without decrypting any stored one."""
    return _patient_key(f"bsn:{bsn}")


def _normalise_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().split())


def _next_reference(today: date) -> str:
    # The row lock makes the value read the latest one: the next number is this plus one.
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=today.year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return f"VN-{today.year}-{counter.last + 1:05d}"


@dataclass
class _Valid:
    municipality: Municipality
    criteria: list[Criterion]
    actions: list[PartyAction]
    patient_name: str
    insurer: Organisation
    stuck_description: str
    best_solution: str
    timeline: str
    table_choice_reason: str
    patient_bsn: str


_T = TypeVar("_T")


class _Errors:
    """Collects every rule violation of a registration, so the referrer sees them all at once."""

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def add(self, message: str, field: str) -> None:
        self.found.append(DomainError(message, field=field))

    def check(self, call: Callable[[], _T]) -> _T | None:
        try:
            return call()
        except DomainError as exc:
            self.found.append(exc)
            return None


def _validate_registration(
    data: RegistrationInput, municipality: Municipality | None, today: date, errors: _Errors
) -> _Valid | None:
    if data.referrer_type not in ReferrerType.values:
        errors.add("Kies het type verwijzer.", "referrer_type")
    if data.consent_by not in ConsentBy.values:
        errors.add(
            "Zonder toestemming van de patiënt of een vertegenwoordiger kan de casus niet worden aangemeld.",
            "consent_by",
        )
    if data.urgency not in Urgency.values:
        errors.add("Kies de urgentie.", "urgency")
    birth = data.patient_birth_date
    errors.check(
        lambda: check_past_date(
            birth, field="patient_birth_date", label="De geboortedatum", today=today
        )
    )
    if birth.year < 1900:
        errors.add("De geboortedatum is niet geldig.", "patient_birth_date")
    if municipality is None:
        errors.add("Deze woongemeente is onbekend.", "patient_municipality")
    criteria = list(Criterion.objects.filter(number__in=data.criteria))
    if len(criteria) != len(set(data.criteria)):
        errors.add("Onbekend criterium gekozen.", "criteria")
    texts = {
        "patient_name": ("De naam van de patiënt", SHORT, True),
        "stuck_description": ("Wat er vastloopt en waarom", LONG, True),
        "best_solution": ("De beste oplossing volgens de verwijzer", LONG, True),
        "timeline": ("De tijdlijn van de zorg", LONG, True),
        "table_choice_reason": ("De reden voor een andere tafel", LONG, False),
    }
    valid_texts: dict[str, Any] = {
        name: errors.check(
            lambda name=name, label=label, size=size, required=required: clean_text(  # type: ignore[misc]
                getattr(data, name), field=name, label=label, max_length=size, required=required
            )
        )
        for name, (label, size, required) in texts.items()
    }
    valid_texts["patient_bsn"] = errors.check(
        lambda: clean_bsn(data.patient_bsn, field="patient_bsn")
    )
    actions = []
    for i, pa in enumerate(data.party_actions, start=1):
        org = errors.check(
            lambda i=i, pa=pa: clean_text(  # type: ignore[misc]
                pa.organisation_name,
                field="party_actions",
                label=f"Organisatie bij actie {i}",
                max_length=SHORT,
                required=True,
            )
        )
        what = errors.check(
            lambda i=i, pa=pa: clean_text(  # type: ignore[misc]
                pa.action,
                field="party_actions",
                label=f"Wat organisatie {i} deed",
                max_length=LONG,
                required=True,
            )
        )
        if org is not None and what is not None:
            actions.append(PartyAction(organisation_name=org, action=what))
    if not data.party_actions:
        errors.add("Vermeld wat elke partij al heeft gedaan (minstens één).", "party_actions")
    insurer = (
        Organisation.objects.filter(pk=data.insurer_id, organisation_type=OrganisationType.INSURER)
        .only("pk", "name")
        .first()
        if data.insurer_id
        else None
    )
    if insurer is None:
        errors.add("Kies de zorgverzekeraar van de patiënt uit de lijst.", "insurer")
    if errors.found or municipality is None or insurer is None:
        return None
    return _Valid(
        municipality=municipality,
        criteria=criteria,
        actions=actions,
        insurer=insurer,
        **valid_texts,
    )


def _chosen_table(
    data: RegistrationInput, municipality: Municipality, reason: str, today: date, errors: _Errors
) -> tuple[Table | None, Table | None]:
    """The proposed table (from the municipality) and the one registered at."""
    proposed = table_for_municipality(municipality=municipality, on=today)
    if proposed is None:
        errors.add("Voor deze gemeente is geen tafel ingedeeld.", "patient_municipality")
        return None, None
    table = proposed
    if data.table_number and data.table_number != proposed.number:
        chosen = Table.objects.filter(number=data.table_number).first()
        if chosen is None:
            errors.add("Deze tafel bestaat niet.", "table")
            return proposed, None
        table = chosen
        if not reason.strip():
            errors.add(
                f"Geef een reden waarom u aanmeldt bij {table} in plaats van {proposed}.",
                "table_choice_reason",
            )
    return proposed, table


@transaction.atomic
def case_register(
    *,
    referrer: User,
    organisation: Organisation,
    data: RegistrationInput,
    acting_role: str = Role.REFERRER,
    membership: Membership | None = None,
) -> RegistrationResult:
    """Register a case at a table (the aanmeldloket). `acting_role`: a referrer; the insurer's
    zorgbemiddeling for its own insured; a table's coordinator for a public signal.
    `membership`: the referrer's active membership in that role for `organisation`, when the
    caller has it at hand (read this request); otherwise it is read here."""
    if acting_role not in REGISTERING_ROLES:
        acting = None
    elif membership is not None:
        acting = (
            membership
            if membership.user_id == referrer.pk
            and membership.organisation_id == organisation.pk
            and membership.role == acting_role
            and membership.active
            else None
        )
    else:
        acting = Membership.objects.filter(
            user=referrer, organisation=organisation, role=acting_role, active=True
        ).first()
    if acting is None:
        raise NotAllowed(
            "U kunt alleen aanmelden namens een organisatie waarvoor u verwijzer bent."
        )
    if acting_role == Role.ZORGBEMIDDELING and (
        organisation.organisation_type != OrganisationType.INSURER
        or data.insurer_id != organisation.pk
    ):
        raise NotAllowed("Zorgbemiddeling meldt alleen eigen verzekerden aan.")
    now = timezone.now()
    today = timezone.localdate()
    errors = _Errors()
    municipality = Municipality.objects.filter(code=data.patient_municipality_code).first()
    v = _validate_registration(data, municipality, today, errors)
    proposed = table = None
    if municipality is not None:
        reason = v.table_choice_reason if v else data.table_choice_reason
        proposed, table = _chosen_table(data, municipality, reason, today, errors)
    # Every problem at once: the referrer fixes them in one go (issue 11 §1).
    raise_all(errors.found)
    assert v is not None and proposed is not None and table is not None
    municipality = v.municipality
    bsn = v.patient_bsn
    key_bsn = patient_bsn_key(bsn) if bsn else ""
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
        insurer=v.insurer,
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
    # A new case has no criteria yet: add them without reading the (empty) set first.
    case.referrer_criteria.add(*v.criteria)
    for pa in v.actions:
        pa.case = case
    PartyAction.objects.bulk_create(v.actions)
    PriorAttempt.objects.bulk_create(
        PriorAttempt(
            case=case,
            by_organisation_id=a.by_organisation_id,
            provider_id=a.provider_id,
            tried_on=a.tried_on,
            what=a.what,
            result=a.result,
        )
        for a in data.prior_attempts
    )
    record_event(case, actor=referrer, role=acting_role, transition="register", from_state="")
    # The monitor is a by-product of the case work: a prefilled questionnaire from the start.
    announce_case_changed(case, step="registration")

    # The same patient with an open case elsewhere: link the cases and tell both sides.
    # Only what the linking, the log and the notes use is read: most registrations match nothing.
    same_patient = Q(patient_key_name=key_name)
    if key_bsn:
        same_patient |= Q(patient_key_bsn=key_bsn)
    matches = list(
        Case.objects.filter(same_patient, state__in=OPEN_STATES)
        .exclude(pk=case.pk)
        .select_related("table")
        .only("reference", "registered_at", "table__number", "table__name")
    )
    coordinators: dict[int, list[User]] = {}  # per table, read once
    if matches:
        # Duplicate detection is for the tables only (issue 10 §1): the referrer learns nothing
        # about another case, so registering cannot be used to probe whether a person is known.
        case.linked_cases.add(*matches)
        refs = ", ".join(f"{m.reference} ({m.table})" for m in matches)
        record_event(
            case,
            actor=referrer,
            role=acting_role,
            transition="link",
            from_state=case.state,
            note=f"Gekoppeld aan lopende casus {refs}",
        )
        searcher = actor_for(referrer)
        for other in matches:
            # NEN 7513: the match is a search on the matched case, logged on that case.
            access_log_write(
                actor=searcher,
                action=Action.SEARCH,
                case_id=other.pk,
                case_reference=other.reference,
                membership=acting,
                detail="dubbele aanmelding gevonden",
            )
            if other.table_id not in coordinators:
                coordinators[other.table_id] = table_staff(other.table, Role.COORDINATOR)
            notification_send(
                users=coordinators[other.table_id],
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
    if table.pk not in coordinators:
        coordinators[table.pk] = table_staff(table, Role.COORDINATOR)
    notification_send(
        users=coordinators[table.pk],
        subject=f"Nieuwe aanmelding {case.reference}",
        body=f"Er staat een nieuwe aanmelding klaar voor triage bij {table}."
        + (
            " Dezelfde patiënt heeft een lopende casus ("
            + ", ".join(f"{m.reference} bij {m.table}" for m in matches)
            + "); de casussen zijn gekoppeld."
            if matches
            else ""
        ),
        case_reference=case.reference,
    )
    table_insurer_notify(
        case,
        roles=(Role.MEDICAL_ADVISER, Role.ZORGBEMIDDELING),
        subject=f"Nieuwe casus {case.reference} bij {table}",
        body="Uw zorgverzekeraar is namens alle zorgverzekeraars bij deze tafel betrokken. "
        "De tafel triëert de casus; u hoort de uitkomst.",
    )
    return RegistrationResult(case=case, linked=matches)
