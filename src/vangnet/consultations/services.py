"""Recording consultations and the advice given."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text

from .models import Consultation


def _check(membership: Membership) -> None:
    if membership.role not in {Role.COORDINATOR, Role.TABLE_MEMBER} or membership.table_id is None:
        raise NotAllowed("Alleen de coördinator of een tafellid legt consultaties vast.")


@transaction.atomic
def consultation_record(
    *,
    actor: User,
    membership: Membership,
    requested_on: date,
    requester_type: str,
    question: str,
    requester_organisation: str = "",
    anonymous: bool = True,
    patient_name: str = "",
    consent_recorded: bool = False,
    advice: str = "",
    minutes_spent: int = 0,
) -> Consultation:
    _check(membership)
    assert membership.table_id is not None  # checked by _check
    if requested_on > timezone.localdate():
        raise DomainError("De datum van de vraag ligt in de toekomst.", field="requested_on")
    if requester_type not in Consultation.RequesterType.values:
        raise DomainError("Kies wie de vraag stelde.", field="requester_type")
    patient_name = clean_text(
        patient_name,
        field="patient_name",
        label="De naam van de patiënt",
        max_length=200,
        required=False,
    )
    if anonymous and patient_name:
        raise DomainError(
            "Een anonieme consultatie bevat geen naam van de patiënt.", field="patient_name"
        )
    if not anonymous and not consent_recorded:
        raise DomainError(
            "Een consultatie op naam kan alleen met toestemming van de patiënt.",
            field="consent_recorded",
        )
    if not 0 <= minutes_spent <= 24 * 60:
        raise DomainError("De bestede tijd ligt tussen 0 en 1440 minuten.", field="minutes_spent")
    advice = clean_text(advice, field="advice", label="Het advies", max_length=5000, required=False)
    return Consultation.objects.create(
        table_id=membership.table_id,
        requested_on=requested_on,
        requester_type=requester_type,
        requester_organisation=clean_text(
            requester_organisation,
            field="requester_organisation",
            label="De organisatie",
            max_length=200,
            required=False,
        ),
        anonymous=anonymous,
        patient_name=patient_name,
        consent_recorded=consent_recorded and not anonymous,
        question=clean_text(
            question, field="question", label="De vraag", max_length=5000, required=True
        ),
        advice=advice,
        given_by=actor if advice else None,
        answered_on=timezone.localdate() if advice else None,
        minutes_spent=minutes_spent,
        recorded_by=actor,
    )


@transaction.atomic
def consultation_answer(
    *,
    consultation: Consultation,
    actor: User,
    membership: Membership,
    advice: str,
    minutes_spent: int,
) -> Consultation:
    _check(membership)
    if membership.table_id != consultation.table_id:
        raise NotAllowed()
    consultation.advice = clean_text(
        advice, field="advice", label="Het advies", max_length=5000, required=True
    )
    if not 0 <= minutes_spent <= 24 * 60:
        raise DomainError("De bestede tijd ligt tussen 0 en 1440 minuten.", field="minutes_spent")
    consultation.minutes_spent = minutes_spent
    consultation.given_by = actor
    consultation.answered_on = timezone.localdate()
    consultation.save()
    return consultation
