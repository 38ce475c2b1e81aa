"""Writes of the bestuurlijke overlegtafel: put a case before it (ladder level 4, or the regional
doorzettingsmacht), record its decision and deadline, and record that it was carried out.

Every service checks who acts (`access`), validates, runs in one transaction, records the case
history where a case is linked, and notifies the people who must act — board members by their
referral's number, coordinators by the case reference; never patient data in a notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case
from vangnet.cases.services import LONG, lock_case, record_event, table_staff
from vangnet.cases.workflow import ACTIVE_STATES
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed, raise_all
from vangnet.common.validators import clean_text
from vangnet.directory.models import Organisation
from vangnet.followup.models import EscalationLevel
from vangnet.monitor.identifying import find_identifying, find_name_parts
from vangnet.regions.models import Table

from .models import BoardReferral, Route

DEADLINE_MAX_DAYS = 365
# What a summary for the board must never hold (the general name check also flags clinicians'
# names, which a board may read; the patient's own name parts are checked apart).
REFUSED_KINDS = {"bsn", "date", "postcode", "phone", "email"}


def board_members(organisation_ids: Sequence[int]) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id__in=organisation_ids,
            role=Role.BOARD_MEMBER,
            active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def _texts(
    summary: str, question: str, case: Case | None
) -> tuple[str | None, str | None, list[DomainError]]:
    errors: list[DomainError] = []
    clean: dict[str, str | None] = {}
    for name, value, label in (
        ("summary", summary, "De samenvatting"),
        ("question", question, "De vraag aan de overlegtafel"),
    ):
        try:
            text = clean_text(value, field=name, label=label, max_length=LONG, required=True)
        except DomainError as exc:
            errors.append(exc)
            clean[name] = None
            continue
        found = [f for f in find_identifying(text) if f.kind in REFUSED_KINDS]
        if case is not None:
            found += find_name_parts(text, case.patient_name)
        if found:
            errors.append(
                DomainError(
                    f"{label} {found[0].message}. De overlegtafel krijgt alleen wat zij nodig "
                    "heeft: laat gegevens weg die naar de patiënt te herleiden zijn.",
                    field=name,
                )
            )
        clean[name] = text
    return clean["summary"], clean["question"], errors


def _organisations(organisations: Sequence[Organisation], errors: list[DomainError]) -> None:
    if not organisations:
        errors.append(
            DomainError(
                "Kies de betrokken organisaties en de zorgverzekeraar.", field="organisations"
            )
        )
    elif not board_members([o.pk for o in organisations]):
        errors.append(
            DomainError(
                "Geen van de gekozen organisaties heeft een bestuurder in Vangnet: de overlegtafel "
                "zou niemand bereiken. Kies (ook) een organisatie met een bestuurder.",
                field="organisations",
            )
        )


def _notify_board(referral: BoardReferral, subject: str) -> None:
    notification_send(
        users=board_members(list(referral.organisations.values_list("pk", flat=True))),
        subject=subject,
        body=(
            f"Agendapunt {referral.pk} van de bestuurlijke overlegtafel ({referral.table}). "
            "Lees de samenvatting en leg het besluit met een uiterste datum vast in Vangnet, "
            "onder 'Overlegtafel'."
        ),
    )


def _coordinating_membership(membership: Membership, table_id: int) -> None:
    if membership.role != Role.COORDINATOR or membership.table_id != table_id:
        raise NotAllowed("Alleen de coördinator van deze tafel kan dit doen.")


@transaction.atomic
def referral_from_ladder(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    summary: str,
    question: str,
    organisations: Sequence[Organisation],
) -> BoardReferral:
    """The coordinator puts a case at level 4 of the ladder before the overlegtafel."""
    _coordinating_membership(membership, case.table_id)
    case = lock_case(case)
    if case.state not in ACTIVE_STATES:
        raise DomainError("Alleen een lopende casus kan naar de bestuurlijke overlegtafel.")
    if case.escalation_level != EscalationLevel.ADMINISTRATIVE:
        raise DomainError(
            "Escaleer de casus eerst naar niveau 4 (bestuurlijke overlegtafel); elke stap op de "
            "ladder krijgt zijn kans."
        )
    if BoardReferral.objects.filter(case=case, decided_at__isnull=True).exists():
        raise DomainError(
            "Deze casus ligt al bij de bestuurlijke overlegtafel en wacht op een besluit."
        )
    clean_summary, clean_question, errors = _texts(summary, question, case)
    _organisations(organisations, errors)
    raise_all(errors)
    referral = BoardReferral.objects.create(
        route=Route.LADDER,
        table_id=case.table_id,
        case=case,
        summary=clean_summary or "",
        question=clean_question or "",
        submitted_by=actor,
        submitted_as=membership.role,
        submitted_by_organisation=membership.organisation,
    )
    referral.organisations.set(organisations)
    record_event(
        case,
        actor=actor,
        role=membership.role,
        transition="board_refer",
        from_state=case.state,
        note=f"Voorgelegd aan de bestuurlijke overlegtafel (agendapunt {referral.pk})",
    )
    _notify_board(referral, "Bestuurlijke overlegtafel: een casus wacht op uw besluit")
    return referral


@transaction.atomic
def referral_doorzettingsmacht(
    *,
    actor: User,
    membership: Membership,
    table: Table,
    summary: str,
    question: str,
    organisations: Sequence[Organisation],
    case: Case | None = None,
) -> BoardReferral:
    """Regional doorzettingsmacht: a board member (for a situation their organisation knows, with
    no patient data) or a coordinator (a case of their table, whatever its rung) brings a case
    before the overlegtafel from outside the table's ladder. Marked as such."""
    if membership.role == Role.BOARD_MEMBER:
        if case is not None:
            raise NotAllowed(
                "Een bestuurder brengt een situatie in zonder casus; de coördinator koppelt "
                "haar aan een casus van de tafel."
            )
    elif membership.role == Role.COORDINATOR:
        _coordinating_membership(membership, table.pk)
        if case is not None:
            if case.table_id != table.pk:
                raise NotAllowed("Deze casus hoort niet bij uw tafel.")
            case = lock_case(case)
            if case.state not in ACTIVE_STATES:
                raise DomainError("Alleen een lopende casus kan naar de bestuurlijke overlegtafel.")
    else:
        raise NotAllowed(
            "Alleen bestuurders en tafelcoördinatoren kunnen een casus via de regionale "
            "doorzettingsmacht inbrengen."
        )
    clean_summary, clean_question, errors = _texts(summary, question, case)
    chosen = list(organisations)
    if membership.role == Role.BOARD_MEMBER and membership.organisation not in chosen:
        chosen.append(membership.organisation)  # who brings it in sits at the table too
    _organisations(chosen, errors)
    raise_all(errors)
    referral = BoardReferral.objects.create(
        route=Route.DOORZETTINGSMACHT,
        table=table,
        case=case,
        summary=clean_summary or "",
        question=clean_question or "",
        submitted_by=actor,
        submitted_as=membership.role,
        submitted_by_organisation=membership.organisation,
    )
    referral.organisations.set(chosen)
    if case is not None:
        record_event(
            case,
            actor=actor,
            role=membership.role,
            transition="board_refer",
            from_state=case.state,
            note=f"Via de regionale doorzettingsmacht voorgelegd (agendapunt {referral.pk})",
        )
    _notify_board(referral, "Bestuurlijke overlegtafel: ingebracht via de doorzettingsmacht")
    notification_send(
        users=[u for u in table_staff(table, Role.COORDINATOR) if u.pk != actor.pk],
        subject=f"Agendapunt {referral.pk} ingebracht bij de bestuurlijke overlegtafel",
        body="Via de regionale doorzettingsmacht is een casus voor uw regio ingebracht.",
        case_reference=case.reference if case else "",
    )
    return referral


@transaction.atomic
def referral_decide(
    *,
    referral: BoardReferral,
    actor: User,
    membership: Membership,
    decision: str,
    deadline: date | None,
) -> BoardReferral:
    """A board member of an organisation at the table records its decision and deadline."""
    referral = BoardReferral.objects.select_for_update().get(pk=referral.pk)
    if (
        membership.role != Role.BOARD_MEMBER
        or not referral.organisations.filter(pk=membership.organisation_id).exists()
    ):
        raise NotAllowed(
            "Alleen een bestuurder van een betrokken organisatie legt het besluit vast."
        )
    if referral.decided_at is not None:
        raise DomainError("Over dit agendapunt is al besloten.")
    errors: list[DomainError] = []
    try:
        text = clean_text(
            decision, field="decision", label="Het besluit", max_length=LONG, required=True
        )
    except DomainError as exc:
        errors.append(exc)
        text = ""
    today = timezone.localdate()
    if deadline is None:
        errors.append(
            DomainError("Geef aan wanneer het besluit uitgevoerd moet zijn.", field="deadline")
        )
    elif deadline < today:
        errors.append(DomainError("De uiterste datum ligt in het verleden.", field="deadline"))
    elif deadline > today + timedelta(days=DEADLINE_MAX_DAYS):
        errors.append(DomainError("Kies een uiterste datum binnen een jaar.", field="deadline"))
    raise_all(errors)
    assert deadline is not None
    referral.decision = text
    referral.deadline = deadline
    referral.decided_at = timezone.now()
    referral.decided_by = actor
    referral.decided_by_organisation = membership.organisation
    referral.save()
    case = referral.case
    if case is not None:
        record_event(
            case,
            actor=actor,
            role=membership.role,
            transition="board_decide",
            from_state=case.state,
            note=f"Besluit bestuurlijke overlegtafel, uit te voeren uiterlijk {dutch_date(deadline)}",
        )
    notification_send(
        users=table_staff(referral.table, Role.COORDINATOR),
        subject=(
            f"Besluit bestuurlijke overlegtafel (agendapunt {referral.pk}): uitvoeren uiterlijk "
            f"{dutch_date(deadline)}"
        ),
        body="De bestuurlijke overlegtafel heeft besloten. Lees het besluit in Vangnet.",
        case_reference=case.reference if case else "",
    )
    return referral


@transaction.atomic
def referral_carried_out(
    *, referral: BoardReferral, actor: User, membership: Membership, note: str
) -> BoardReferral:
    """The coordinator records that the decision was carried out; the reminders stop."""
    referral = BoardReferral.objects.select_for_update().get(pk=referral.pk)
    _coordinating_membership(membership, referral.table_id)
    if referral.decided_at is None:
        raise DomainError("Er is nog geen besluit om uit te voeren.")
    if referral.carried_out_at is not None:
        raise DomainError("Dit besluit is al als uitgevoerd vastgelegd.")
    referral.carried_out_note = clean_text(
        note, field="note", label="De toelichting", max_length=LONG, required=True
    )
    referral.carried_out_at = timezone.now()
    referral.carried_out_by = actor
    referral.save()
    if referral.case is not None:
        record_event(
            referral.case,
            actor=actor,
            role=membership.role,
            transition="board_carried_out",
            from_state=referral.case.state,
            note=f"Besluit bestuurlijke overlegtafel uitgevoerd (agendapunt {referral.pk})",
        )
    return referral
