"""Writes for routed questions and public signals. Each service validates, runs in one
transaction, locks the row it moves, checks the transition in `workflow`, records who and why, and
notifies (references only, never patient data). Access logging happens at the boundary."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases import services as case_services
from vangnet.cases.models import Case, ReferrerType
from vangnet.cases.services import LONG, SHORT, table_staff
from vangnet.common.errors import (
    DomainError,
    DomainErrors,
    InvalidTransition,
    NotAllowed,
    raise_all,
)
from vangnet.common.validators import check_past_date, clean_text
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Municipality, Table

from .models import (
    AskerKind,
    Attempt,
    PublicAttempt,
    Question,
    QuestionConsent,
    QuestionEvent,
    RoutingCounter,
    Signal,
    SignalRelation,
)
from .workflow import (
    QUESTION_DEADLINE_DAYS,
    QUESTION_TRANSITIONS,
    SIGNAL_DEADLINE_DAYS,
    QuestionState,
    SignalState,
    question_target,
    signal_target,
)


class RateLimited(DomainError):
    """Too many uses of a public form from one address (maps to 429)."""

    status_code = 429

    def __init__(self) -> None:
        super().__init__(
            "U heeft dit formulier te vaak gebruikt. Probeer het over een uur opnieuw, of bel de "
            "tafel.",
            code="rate_limited",
        )


def _next_reference(prefix: str, today: date) -> str:
    counter, _ = RoutingCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=today.year
    )
    RoutingCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{prefix}-{today.year}-{counter.last:05d}"


def _zorgbemiddelaars(insurer_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=insurer_id, role=Role.ZORGBEMIDDELING, active=True
        ).select_related("user")
    ]


def _ucz_officers(organisation_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role=Role.UCZ_OFFICER, active=True
        ).select_related("user")
    ]


def _require_role(membership: Membership, user: User, role: str) -> None:
    if membership.user_id != user.pk or membership.role != role or not membership.active:
        raise NotAllowed()


def _insurer(insurer_id: int | None, *, field: str = "insurer") -> Organisation:
    insurer = (
        Organisation.objects.filter(
            pk=insurer_id, organisation_type=OrganisationType.INSURER
        ).first()
        if insurer_id
        else None
    )
    if insurer is None:
        raise DomainError("Kies de zorgverzekeraar van de patiënt uit de lijst.", field=field)
    return insurer


def _provider(
    provider_id: int | None, *, field: str = "provider", required: bool = True
) -> Organisation | None:
    if provider_id is None and not required:
        return None
    provider = Organisation.objects.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        raise DomainError("Kies de aanbieder uit de sociale kaart (organisaties).", field=field)
    return provider


# --- questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    asker_kind: str
    patient_name: str
    patient_birth_date: date
    patient_municipality_code: str
    insurer_id: int | None
    question: str
    consent_by: str
    contact: str = ""


def _move(question: Question, transition: str, *, user: User, role: str, note: str = "") -> None:
    """Move a locked question along `transition`, set its deadline, record the step."""
    target = question_target(transition, question.state)
    if target is None:
        raise InvalidTransition(
            f"Dit kan niet meer: de vraag heeft de status '{QuestionState(question.state).label}'."
        )
    now = timezone.now()
    from_state = question.state
    if target != from_state:
        question.state = target
        question.state_changed_at = now
        days = QUESTION_DEADLINE_DAYS.get(target)
        question.deadline = timezone.localdate() + timedelta(days=days) if days else None
        if target in (QuestionState.SOLVED, QuestionState.REGISTERED, QuestionState.WITHDRAWN):
            question.closed_at = now
    question.save()
    QuestionEvent.objects.create(
        question=question,
        actor=user,
        role=role,
        transition=transition,
        from_state=from_state,
        to_state=target,
        note=note,
        at=now,
    )


def _lock(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def _acting(question: Question, transition: str, user: User, membership: Membership) -> None:
    """The role the transition needs, at the organisation the question is with."""
    role = QUESTION_TRANSITIONS[transition][2]
    _require_role(membership, user, role)
    if (
        role == Role.UCZ_OFFICER
        and membership.organisation_id != question.recorded_by_organisation_id
    ):
        raise NotAllowed()
    if role == Role.ZORGBEMIDDELING and not (
        membership.organisation_id == question.handed_to_id == question.insurer_id
    ):
        raise NotAllowed()


@transaction.atomic
def question_record(*, user: User, membership: Membership, data: QuestionInput) -> Question:
    """The UCZ records a citizen's or professional's question, with consent (minimum data)."""
    _require_role(membership, user, Role.UCZ_OFFICER)
    today = timezone.localdate()
    errors: list[DomainError] = []

    def check(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except DomainError as exc:
            errors.append(exc)
            return None

    if data.asker_kind not in AskerKind.values:
        errors.append(DomainError("Kies wie de vraag stelt.", field="asker_kind"))
    if data.consent_by not in QuestionConsent.values:
        errors.append(
            DomainError(
                "Zonder toestemming van de patiënt of een vertegenwoordiger kan de vraag niet "
                "worden vastgelegd of doorgegeven.",
                field="consent_by",
            )
        )
    name = check(
        lambda: clean_text(
            data.patient_name,
            field="patient_name",
            label="De naam van de patiënt",
            max_length=SHORT,
            required=True,
        )
    )
    check(
        lambda: check_past_date(
            data.patient_birth_date,
            field="patient_birth_date",
            label="De geboortedatum",
            today=today,
        )
    )
    if data.patient_birth_date.year < 1900:
        errors.append(DomainError("De geboortedatum is niet geldig.", field="patient_birth_date"))
    municipality = Municipality.objects.filter(code=data.patient_municipality_code).first()
    if municipality is None:
        errors.append(DomainError("Deze woongemeente is onbekend.", field="patient_municipality"))
    insurer = check(lambda: _insurer(data.insurer_id))
    text = check(
        lambda: clean_text(
            data.question, field="question", label="De vraag", max_length=LONG, required=True
        )
    )
    contact = check(
        lambda: clean_text(
            data.contact, field="contact", label="Het contact", max_length=200, required=False
        )
    )
    raise_all(errors)
    assert municipality is not None
    now = timezone.now()
    question = Question.objects.create(
        reference=_next_reference("VR", today),
        state=QuestionState.RECORDED,
        state_changed_at=now,
        deadline=today + timedelta(days=QUESTION_DEADLINE_DAYS[QuestionState.RECORDED]),
        recorded_by=user,
        recorded_by_organisation=membership.organisation,
        asker_kind=data.asker_kind,
        patient_name=name,
        patient_birth_date=data.patient_birth_date,
        patient_municipality=municipality,
        insurer=insurer,
        question=text,
        contact=contact or "",
        consent_by=data.consent_by,
        consent_recorded_at=now,
    )
    QuestionEvent.objects.create(
        question=question,
        actor=user,
        role=Role.UCZ_OFFICER,
        transition="record",
        from_state="",
        to_state=question.state,
        note="Vraag en toestemming vastgelegd",
        at=now,
    )
    return question


@transaction.atomic
def question_hand_over(
    *, question: Question, user: User, membership: Membership, insurer_id: int | None
) -> Question:
    """The UCZ hands the question to the zorgbemiddeling of the patient's own insurer (seed 004
    §5b: 'waar de betreffende persoon verzekerd is') — no other insurer."""
    question = _lock(question)
    _acting(question, "hand_over", user, membership)
    target = _insurer(insurer_id)
    if target.pk != question.insurer_id:
        raise DomainError(
            f"U kunt de vraag alleen overdragen aan de zorgbemiddeling van de eigen "
            f"zorgverzekeraar van de patiënt ({question.insurer.name}), niet aan {target.name}. "
            "Is de patiënt ergens anders verzekerd? Leg de vraag dan opnieuw vast met die verzekeraar.",
            field="insurer",
        )
    receivers = _zorgbemiddelaars(target.pk)
    if not receivers:
        raise DomainError(
            f"{target.name} heeft nog geen zorgbemiddelaar in Vangnet; neem telefonisch contact op.",
            field="insurer",
        )
    question.handed_to = target
    _move(
        question,
        "hand_over",
        user=user,
        role=Role.UCZ_OFFICER,
        note=f"Overgedragen aan {target.name}",
    )
    notification_send(
        users=receivers,
        subject=f"Nieuwe vraag {question.reference} van de UCZ",
        body="Een verzekerde van u heeft een complexe zorgvraag. Pak de vraag op in Vangnet.",
    )
    return question


@transaction.atomic
def question_take_up(*, question: Question, user: User, membership: Membership) -> Question:
    question = _lock(question)
    _acting(question, "take_up", user, membership)
    question.taken_by = user
    _move(question, "take_up", user=user, role=Role.ZORGBEMIDDELING, note="Opgepakt")
    return question


@transaction.atomic
def question_send_back(
    *, question: Question, user: User, membership: Membership, reason: str
) -> Question:
    """Zorgbemiddeling returns a question (e.g. not its insured); the UCZ checks and hands over again."""
    question = _lock(question)
    _acting(question, "send_back", user, membership)
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    question.handed_to = None
    question.taken_by = None
    _move(question, "send_back", user=user, role=Role.ZORGBEMIDDELING, note=reason)
    notification_send(
        users=_ucz_officers(question.recorded_by_organisation_id),
        subject=f"Vraag {question.reference} is teruggestuurd door zorgbemiddeling",
        body="Bekijk de reden en draag de vraag opnieuw over.",
    )
    return question


@transaction.atomic
def question_withdraw(
    *, question: Question, user: User, membership: Membership, reason: str
) -> Question:
    question = _lock(question)
    _acting(question, "withdraw", user, membership)
    reason = clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True)
    handed_to = question.handed_to_id
    _move(question, "withdraw", user=user, role=Role.UCZ_OFFICER, note=reason)
    if handed_to:
        notification_send(
            users=_zorgbemiddelaars(handed_to),
            subject=f"Vraag {question.reference} is ingetrokken door de UCZ",
            body="U hoeft niets meer te doen voor deze vraag.",
        )
    return question


@transaction.atomic
def attempt_add(
    *,
    question: Question,
    user: User,
    membership: Membership,
    provider_id: int | None,
    tried_on: date,
    what: str,
    result: str,
) -> Attempt:
    """Zorgbemiddeling records what it tried, with which provider (a directory organisation)."""
    question = _lock(question)
    _acting(question, "attempt", user, membership)
    errors: list[DomainError] = []
    provider = None
    try:
        provider = _provider(provider_id)
    except DomainError as exc:
        errors.append(exc)
    try:
        check_past_date(
            tried_on, field="tried_on", label="De datum van de poging", today=timezone.localdate()
        )
        if tried_on < question.created_at.date() - timedelta(days=365):
            raise DomainError(
                "De datum van de poging ligt meer dan een jaar voor de vraag.", field="tried_on"
            )
    except DomainError as exc:
        errors.append(exc)
    texts = {}
    for field, label in (("what", "Wat er is geprobeerd"), ("result", "Wat het opleverde")):
        try:
            texts[field] = clean_text(
                {"what": what, "result": result}[field],
                field=field,
                label=label,
                max_length=LONG,
                required=True,
            )
        except DomainError as exc:
            errors.append(exc)
    raise_all(errors)
    assert provider is not None
    attempt = Attempt.objects.create(
        question=question, provider=provider, tried_on=tried_on, recorded_by=user, **texts
    )
    _move(
        question, "attempt", user=user, role=Role.ZORGBEMIDDELING, note=f"Geprobeerd bij {provider}"
    )
    return attempt


@transaction.atomic
def question_solve(
    *,
    question: Question,
    user: User,
    membership: Membership,
    outcome: str,
    provider_id: int | None = None,
) -> Question:
    """Zorgbemiddeling found care itself: recorded with the outcome, counted, no table needed."""
    question = _lock(question)
    _acting(question, "solve", user, membership)
    errors: list[DomainError] = []
    text = ""
    try:
        text = clean_text(
            outcome, field="outcome", label="De uitkomst", max_length=LONG, required=True
        )
    except DomainError as exc:
        errors.append(exc)
    provider = None
    try:
        provider = _provider(provider_id, field="solved_with", required=False)
    except DomainError as exc:
        errors.append(exc)
    raise_all(errors)
    question.outcome = text
    question.solved_with = provider
    _move(question, "solve", user=user, role=Role.ZORGBEMIDDELING, note="Opgelost")
    notification_send(
        users=_ucz_officers(question.recorded_by_organisation_id),
        subject=f"Vraag {question.reference} is opgelost door zorgbemiddeling",
        body="Zorgbemiddeling heeft passende zorg gevonden.",
    )
    return question


@dataclass(frozen=True)
class TableRegistrationInput:
    stuck_description: str
    best_solution: str
    timeline: str
    criteria: Sequence[int] = ()
    urgency: str = "regular"


@transaction.atomic
def question_register(
    *, question: Question, user: User, membership: Membership, data: TableRegistrationInput
) -> Case:
    """Zorgbemiddeling registers the question at the table through the registration desk, with
    what it tried attached (the table sees it on triage: the secondary principle)."""
    question = _lock(question)
    _acting(question, "register", user, membership)
    attempts = list(question.attempts.select_related("provider"))
    if not attempts:
        raise DomainError(
            "Leg eerst vast wat zorgbemiddeling heeft geprobeerd en bij welke aanbieders: de tafel "
            "komt pas in beeld als dat niet lukte.",
            field="attempts",
        )
    insurer = question.insurer
    registration = case_services.RegistrationInput(
        referrer_type=ReferrerType.CARE_MEDIATION,
        patient_name=question.patient_name,
        patient_birth_date=question.patient_birth_date,
        patient_municipality_code=question.patient_municipality.code,
        insurer_id=insurer.pk,
        consent_by=question.consent_by,
        stuck_description=data.stuck_description,
        best_solution=data.best_solution,
        timeline=data.timeline,
        urgency=data.urgency,
        criteria=list(data.criteria),
        party_actions=[
            case_services.PartyActionInput(
                organisation_name=a.provider.name[:SHORT],
                action=f"Via zorgbemiddeling {insurer.name} ({a.tried_on:%d-%m-%Y}): {a.what} — {a.result}"[
                    :LONG
                ],
            )
            for a in attempts
        ],
        prior_attempts=[
            case_services.PriorAttemptInput(
                by_organisation_id=insurer.pk,
                provider_id=a.provider_id,
                tried_on=a.tried_on,
                what=a.what,
                result=a.result,
            )
            for a in attempts
        ],
    )
    result = case_services.case_register(
        referrer=user,
        organisation=membership.organisation,
        data=registration,
        acting_role=Role.ZORGBEMIDDELING,
    )
    question.case = result.case
    _move(
        question,
        "register",
        user=user,
        role=Role.ZORGBEMIDDELING,
        note=f"Aangemeld bij {result.case.table} als {result.case.reference}",
    )
    notification_send(
        users=_ucz_officers(question.recorded_by_organisation_id),
        subject=f"Vraag {question.reference} is aangemeld bij de casuïstiektafel",
        body="Zorgbemiddeling vond geen passende zorg en heeft de vraag bij de tafel aangemeld.",
    )
    return result.case


# --- public signals ------------------------------------------------------------------------------

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed
CODE_LENGTH = 12


def _keyed(kind: str, value: str) -> str:
    key = settings.VANGNET_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"vangnet-{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def code_hash(code: str) -> str:
    return _keyed("signal-code", normalise_code(code))


def _format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def rate_limit(*, kind: str, address: str | None, limit: int) -> None:
    """At most `limit` uses of `kind` per address per hour; counted in the database, so every app
    server shares the count. Raises RateLimited (and stores nothing new) once reached."""
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    key = _keyed("address", address or "unknown")
    with transaction.atomic():
        PublicAttempt.objects.filter(at__lt=now - timedelta(days=1)).delete()
        used = PublicAttempt.objects.filter(kind=kind, address_key=key, at__gte=hour_ago).count()
        if used >= limit:
            raise RateLimited()
        PublicAttempt.objects.create(kind=kind, address_key=key, at=now)


@dataclass(frozen=True)
class SignalInput:
    table_number: int | None
    relation: str
    message: str
    contact: str


@transaction.atomic
def signal_submit(*, data: SignalInput) -> tuple[Signal, str]:
    """A patient or relative brings a signal to a table. Returns the signal and its receipt code,
    shown once; only a keyed hash of the code is stored."""
    errors: list[DomainError] = []
    table = Table.objects.filter(number=data.table_number).first() if data.table_number else None
    if table is None:
        errors.append(DomainError("Kies de tafel van uw regio.", field="table"))
    if data.relation not in SignalRelation.values:
        errors.append(DomainError("Kies of u de patiënt bent of een naaste.", field="relation"))
    texts = {}
    for field, label, size in (
        ("message", "Uw bericht", 2000),
        ("contact", "Hoe wij u bereiken", 200),
    ):
        try:
            texts[field] = clean_text(
                getattr(data, field), field=field, label=label, max_length=size, required=True
            )
        except DomainError as exc:
            errors.append(exc)
    raise_all(errors)
    assert table is not None
    today = timezone.localdate()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    signal = Signal.objects.create(
        reference=_next_reference("SG", today),
        code_hash=code_hash(raw),
        table=table,
        relation=data.relation,
        state=SignalState.NEW,
        state_changed_at=timezone.now(),
        deadline=today + timedelta(days=SIGNAL_DEADLINE_DAYS),
        **texts,
    )
    notification_send(
        users=table_staff(table, Role.COORDINATOR),
        subject=f"Nieuw signaal {signal.reference} van een patiënt of naaste",
        body="Beantwoord het signaal of zet het om in een aanmelding door een professional.",
    )
    return signal, _format_code(raw)


def signal_by_code(code: str) -> Signal | None:
    """The signal with this receipt code, or None — the caller answers both the same way."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH:
        return None
    return Signal.objects.filter(code_hash=code_hash(normalised)).select_related("table").first()


def _lock_signal(signal: Signal, transition: str, user: User, membership: Membership) -> Signal:
    _require_role(membership, user, Role.COORDINATOR)
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if membership.table_id != signal.table_id:
        raise NotAllowed()
    if signal_target(transition, signal.state) is None:
        raise InvalidTransition(
            f"Dit kan niet meer: het signaal heeft de status '{SignalState(signal.state).label}'."
        )
    return signal


@transaction.atomic
def signal_answer(*, signal: Signal, user: User, membership: Membership, answer: str) -> Signal:
    """The coordinator answers the signal; the sender reads the answer with the receipt code."""
    signal = _lock_signal(signal, "answer", user, membership)
    signal.answer = clean_text(
        answer, field="answer", label="Het antwoord", max_length=LONG, required=True
    )
    signal.state = SignalState.ANSWERED
    signal.state_changed_at = timezone.now()
    signal.handled_by = user
    signal.save()
    return signal


@transaction.atomic
def signal_register(
    *, signal: Signal, user: User, membership: Membership, data: case_services.RegistrationInput
) -> Case:
    """The coordinator turns the signal into a registration with a professional referrer: the
    coordinating institution registers it at its own table through the registration desk."""
    signal = _lock_signal(signal, "register", user, membership)
    if data.referrer_type not in ReferrerType.values:
        raise DomainErrors(
            [DomainError("Kies het type professionele verwijzer.", field="referrer_type")]
        )
    if data.table_number and data.table_number != signal.table.number:
        raise DomainError(
            "Een signaal wordt aangemeld bij de tafel waar het binnenkwam.", field="table"
        )
    result = case_services.case_register(
        referrer=user, organisation=membership.organisation, data=data, acting_role=Role.COORDINATOR
    )
    if result.case.table_id != signal.table_id:
        raise DomainError(
            f"De woongemeente hoort bij {result.case.table}, niet bij {signal.table}: stuur het "
            "signaal door of kies de tafel met een reden.",
            field="patient_municipality",
        )
    signal.case = result.case
    signal.state = SignalState.REGISTERED
    signal.state_changed_at = timezone.now()
    signal.handled_by = user
    signal.answer = signal.answer or (
        "Uw signaal is door de tafel als aanmelding in behandeling genomen. Een professional neemt "
        "contact met u op."
    )
    signal.save()
    return result.case
