"""Preparation: timeline, parties with mandate, the patient's consent per organisation and the
questions for the meeting."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case, CaseParty, Consent, ConsentBy, MeetingQuestion, TimelineEntry
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    case_event,
    organisation_table_members,
    require_state,
)
from vangnet.cases.workflow import (
    State,
)
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError
from vangnet.common.validators import check_past_date, clean_text
from vangnet.directory.models import Organisation


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
    require_state(case, State.ADMITTED, State.PLAN, State.FOLLOW_UP, action="Een partij toevoegen")
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
    case_event(
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
    case_event(party.case, actor, membership, "party_invite", f"{party.organisation} uitgenodigd")
    notification_send(
        users=organisation_table_members(party.case, party.organisation_id),
        subject=f"Uitnodiging voor casus {party.case.reference}",
        body="Uw organisatie is uitgenodigd om aan deze casus bij te dragen. U ziet de casus zolang de toestemming van de patiënt dit dekt.",
        case_reference=party.case.reference,
    )
    return party


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
    until = f" tot en met {dutch_date(valid_until)}" if valid_until else ""
    case_event(
        case,
        actor,
        membership,
        "consent_record",
        f"Toestemming om te delen met {organisation} vanaf {dutch_date(valid_from)}{until}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User, membership: Membership) -> Consent:
    if consent.withdrawn_at is not None:
        raise DomainError("Deze toestemming is al ingetrokken.")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    case_event(
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
