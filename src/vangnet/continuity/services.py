"""Writes for continuity of care: the patient's GP practice, the crisis card (a new version per
change), the medication overview and its lines, the contact persons and warm handovers (both
append-only), and the letters to the GP. Each validates, runs in one transaction and records the
step in the case history; a refused GP letter is logged in the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
from vangnet.accounts.services import notification_send
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.models import Case, TriageRound
from vangnet.cases.services.steps import (
    LONG,
    SHORT,
    case_event,
    lock_case,
    record_event,
    require_plan_editor,
    require_state,
    table_staff,
)
from vangnet.cases.workflow import Decision, State
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed, raise_all
from vangnet.common.validators import clean_text
from vangnet.directory.models import Organisation, OrganisationType

from . import rules
from .models import (
    Audience,
    CaseGp,
    ContactPerson,
    CrisisCard,
    Delivery,
    GpLetter,
    Handover,
    HandoverKind,
    LetterEvent,
    MedicationLine,
    MedicationOverview,
)
from .selectors import current_contacts, gp_consent, gp_practice, gp_users

# Continuity is agreed while the plan is made and followed; the GP can be named from admission.
PLAN_STATES = (State.PLAN, State.FOLLOW_UP)
GP_STATES = (State.ADMITTED, State.PLAN, State.FOLLOW_UP)
HANDOVER_STATES = (State.PLAN, State.FOLLOW_UP, State.CLOSED)
MAX_CARD_CONTACTS = 6


def _text(value: str | None, field: str, label: str, *, required: bool, long: bool = False) -> str:
    return clean_text(
        value, field=field, label=label, max_length=LONG if long else SHORT, required=required
    )


@transaction.atomic
def gp_set(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    practice: Organisation | None,
    gp_name: str = "",
) -> CaseGp:
    """Record the patient's GP practice (and GP), who is told about the case's steps."""
    require_plan_editor(membership, case)
    require_state(case, *GP_STATES, action="De huisarts vastleggen")
    if practice is None or practice.organisation_type != OrganisationType.GP_PRACTICE:
        raise DomainError(
            "Kies een huisartsenpraktijk (een organisatie van het type huisartsenpraktijk).",
            field="practice",
        )
    gp_name = _text(gp_name, "gp_name", "De naam van de huisarts", required=False)
    gp, _ = CaseGp.objects.update_or_create(
        case=case, defaults={"practice": practice, "gp_name": gp_name, "recorded_by": actor}
    )
    case_event(case, actor, membership, "gp_set", f"Huisartsenpraktijk: {practice}")
    return gp


@dataclass(frozen=True)
class CardContact:
    who: str
    phone: str
    hours: str


@transaction.atomic
def crisis_card_save(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    early_signs: str,
    what_helps: str,
    client_words: str,
    contacts: list[CardContact],
    review_on: date | None,
    share_with_gp: bool,
) -> CrisisCard:
    """A new version of the signalling plan / crisis card. The earlier versions stay."""
    require_plan_editor(membership, case)
    require_state(case, *PLAN_STATES, action="De crisiskaart vastleggen")
    today = timezone.localdate()
    errors: list[DomainError] = []

    def collect(check: Any) -> Any:
        try:
            return check()
        except DomainError as exc:
            errors.append(exc)
            return None

    early_signs = collect(
        lambda: _text(early_signs, "early_signs", "De vroege signalen", required=True, long=True)
    )
    what_helps = collect(
        lambda: _text(what_helps, "what_helps", "Wat helpt", required=True, long=True)
    )
    client_words = collect(
        lambda: _text(
            client_words, "client_words", "De woorden van de cliënt", required=False, long=True
        )
    )
    rows = [c for c in contacts if (c.who or c.phone or c.hours).strip()]
    if not rows:
        errors.append(
            DomainError(
                "Noem minstens één persoon of dienst die de cliënt of naasten kunnen bellen, met "
                "telefoonnummer en bereikbaarheid.",
                field="contacts",
            )
        )
    if len(rows) > MAX_CARD_CONTACTS:
        errors.append(
            DomainError(f"Noem hoogstens {MAX_CARD_CONTACTS} contacten.", field="contacts")
        )
    cleaned = []
    for n, c in enumerate(rows[:MAX_CARD_CONTACTS], start=1):
        cleaned.append(
            {
                "who": collect(
                    lambda c=c, n=n: _text(c.who, "contacts", f"Wie (contact {n})", required=True)
                ),
                "phone": collect(
                    lambda c=c, n=n: rules.check_phone(
                        c.phone, field="contacts", label=f"Het telefoonnummer van contact {n}"
                    )
                ),
                "hours": collect(
                    lambda c=c, n=n: _text(
                        c.hours,
                        "contacts",
                        f"Bereikbaar (contact {n}; bijvoorbeeld 'dag en nacht')",
                        required=True,
                    )
                ),
            }
        )
    if review_on is None:
        errors.append(DomainError("Leg een herzieningsdatum vast.", field="review_on"))
    else:
        collect(lambda: rules.check_review_date(review_on, today=today, what="de crisiskaart"))
    if share_with_gp:
        practice = gp_practice(case)
        if practice is None:
            errors.append(
                DomainError(
                    "Leg eerst de huisartsenpraktijk van de cliënt vast om de kaart te delen.",
                    field="share_with_gp",
                )
            )
        elif not gp_consent(case, practice.pk, today=today):
            errors.append(
                DomainError(
                    f"De cliënt heeft geen geldige toestemming gegeven om te delen met {practice}: "
                    "leg eerst de toestemming vast (Voorbereiding), of deel de kaart niet.",
                    field="share_with_gp",
                )
            )
    raise_all(errors)
    assert review_on is not None
    lock_case(case)
    last = case.crisis_cards.order_by("-version").first()
    card = CrisisCard.objects.create(
        case=case,
        version=(last.version + 1) if last else 1,
        early_signs=early_signs,
        what_helps=what_helps,
        client_words=client_words,
        contacts=cleaned,
        review_on=review_on,
        share_with_gp=share_with_gp,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    shared = "; gedeeld met de huisarts" if share_with_gp else ""
    case_event(
        case,
        actor,
        membership,
        "crisis_card",
        f"Crisiskaart versie {card.version}, herzien uiterlijk {dutch_date(review_on)}{shared}",
    )
    return card


@transaction.atomic
def medication_overview_save(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    somatic_screening_by: str,
    pharmaceutical_care_by: str,
    review_on: date | None,
) -> MedicationOverview:
    """Who is responsible for somatic screening and for pharmaceutical care, and when the
    overview is reviewed next."""
    require_plan_editor(membership, case)
    require_state(case, *PLAN_STATES, action="Het medicatieoverzicht bijwerken")
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    for name, label, value in (
        (
            "somatic_screening_by",
            "Wie verantwoordelijk is voor de somatische screening",
            somatic_screening_by,
        ),
        (
            "pharmaceutical_care_by",
            "Wie verantwoordelijk is voor de farmaceutische zorg",
            pharmaceutical_care_by,
        ),
    ):
        try:
            values[name] = _text(value, name, label, required=True)
        except DomainError as exc:
            errors.append(exc)
    if review_on is None:
        errors.append(
            DomainError("Leg een herzieningsdatum van het overzicht vast.", field="review_on")
        )
    else:
        try:
            rules.check_review_date(
                review_on, today=timezone.localdate(), what="het medicatieoverzicht"
            )
        except DomainError as exc:
            errors.append(exc)
    raise_all(errors)
    overview, created = MedicationOverview.objects.update_or_create(
        case=case, defaults={**values, "review_on": review_on, "updated_by": actor}
    )
    case_event(
        case,
        actor,
        membership,
        "medication",
        f"Medicatieoverzicht {'aangelegd' if created else 'bijgewerkt'}: somatiek "
        f"{overview.somatic_screening_by}, farmacie {overview.pharmaceutical_care_by}, herzien "
        f"uiterlijk {dutch_date(overview.review_on)}",
    )
    return overview


@transaction.atomic
def medication_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    medicine: str,
    dose_amount: Decimal | str | None,
    dose_unit: str,
    frequency: str,
    prescriber: str,
    since: date | None,
    checked_on: date | None,
) -> MedicationLine:
    require_plan_editor(membership, case)
    require_state(case, *PLAN_STATES, action="Medicatie vastleggen")
    overview = MedicationOverview.objects.filter(case=case).first()
    if overview is None:
        raise DomainError(
            "Leg eerst vast wie verantwoordelijk is voor de somatische screening en de "
            "farmaceutische zorg, met een herzieningsdatum (medicatieoverzicht)."
        )
    today = timezone.localdate()
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    for name, label, value in (
        ("medicine", "Het medicijn", medicine),
        ("frequency", "Hoe vaak (bijvoorbeeld 2x per dag)", frequency),
        ("prescriber", "De voorschrijver", prescriber),
    ):
        try:
            values[name] = _text(value, name, label, required=True)[:200]
        except DomainError as exc:
            errors.append(exc)
    try:
        values["dose_amount"] = rules.check_dose(dose_amount, dose_unit)
    except DomainError as exc:
        errors.append(exc)
    if since is None:
        errors.append(DomainError("Vul in sinds wanneer de cliënt het gebruikt.", field="since"))
    if checked_on is None:
        errors.append(
            DomainError("Vul in wanneer het gebruik is gecontroleerd.", field="checked_on")
        )
    if since is not None and checked_on is not None:
        try:
            rules.check_medication_dates(
                since=since, checked_on=checked_on, birth_date=case.patient_birth_date, today=today
            )
        except DomainError as exc:
            errors.append(exc)
    raise_all(errors)
    assert since is not None and checked_on is not None
    line = MedicationLine.objects.create(
        overview=overview,
        dose_unit=dose_unit,
        since=since,
        checked_on=checked_on,
        **values,
    )
    overview.updated_by = actor
    overview.save(update_fields=["updated_by", "updated_at"])
    case_event(
        case, actor, membership, "medication", f"Medicijn toegevoegd: {line.medicine} {line.dose}"
    )
    return line


@transaction.atomic
def medication_stop(
    *,
    line: MedicationLine,
    actor: User,
    membership: Membership,
    stopped_on: date | None,
    reason: str,
) -> MedicationLine:
    """A medicine the client no longer uses leaves the current overview but stays on record."""
    line = (
        MedicationLine.objects.select_for_update().select_related("overview__case").get(pk=line.pk)
    )
    case = line.overview.case
    require_plan_editor(membership, case)
    require_state(case, *PLAN_STATES, action="Medicatie stoppen")
    if line.stopped_on is not None:
        raise DomainError("Dit medicijn is al gestopt.")
    if stopped_on is None:
        raise DomainError("Vul in wanneer het medicijn is gestopt.", field="stopped_on")
    rules.check_past(
        stopped_on, field="stopped_on", label="De stopdatum", today=timezone.localdate()
    )
    if stopped_on < line.since:
        raise DomainError("De stopdatum ligt vóór de startdatum.", field="stopped_on")
    line.stopped_on = stopped_on
    line.stop_reason = _text(reason, "reason", "De reden", required=True)[:300]
    line.save(update_fields=["stopped_on", "stop_reason", "updated_at"])
    case_event(
        case,
        actor,
        membership,
        "medication",
        f"Medicijn gestopt per {dutch_date(stopped_on)}: {line.medicine}",
    )
    return line


@transaction.atomic
def contact_person_set(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    audience: str,
    name: str,
    organisation: str,
    phone: str,
    reachable: str,
    until: str,
) -> ContactPerson:
    """The named contact person for the client and relatives, or for the GP, until the next
    step. The previous one stays in the history."""
    require_plan_editor(membership, case)
    require_state(case, *GP_STATES, action="Een contactpersoon vastleggen")
    if audience not in Audience.values:
        raise DomainError("Kies voor wie de contactpersoon is.", field="audience")
    errors: list[DomainError] = []
    values: dict[str, str] = {}
    for field, label, value in (
        ("name", "De naam van de contactpersoon", name),
        ("organisation", "De organisatie van de contactpersoon", organisation),
        ("reachable", "Wanneer bereikbaar", reachable),
        ("until", "Tot welke stap (bijvoorbeeld tot de start van de behandeling)", until),
    ):
        try:
            values[field] = _text(value, field, label, required=True)
        except DomainError as exc:
            errors.append(exc)
    try:
        values["phone"] = rules.check_phone(
            phone, field="phone", label="Het telefoonnummer van de contactpersoon"
        )
    except DomainError as exc:
        errors.append(exc)
    raise_all(errors)
    previous = current_contacts(case).get(audience)
    if previous is not None and all(getattr(previous, k) == v for k, v in values.items()):
        raise DomainError("Er is niets gewijzigd.")
    contact = ContactPerson.objects.create(
        case=case,
        audience=audience,
        recorded_by=actor,
        recorded_at=timezone.now(),
        **values,
    )
    case_event(
        case,
        actor,
        membership,
        "contact_person",
        f"Contactpersoon voor {Audience(audience).label.lower()}: {contact.name} "
        f"({contact.organisation}) tot {contact.until}",
    )
    return contact


@transaction.atomic
def handover_record(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    kind: str,
    handed_over_by: str,
    taken_over_by: str,
    taken_over_organisation: Organisation | None,
    spoke_on: date | None,
    agreed_aftercare: str,
    corrects: Handover | None = None,
) -> Handover:
    """A warm handover when care steps down to the GP or back to the social domain. Records are
    never changed: a correction is a new record naming the earlier one."""
    require_plan_editor(membership, case)
    require_state(case, *HANDOVER_STATES, action="Een warme overdracht vastleggen")
    if kind not in HandoverKind.values:
        raise DomainError("Kies het soort overdracht.", field="kind")
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    for field, label, value, long in (
        ("handed_over_by", "Wie droeg over", handed_over_by, False),
        ("taken_over_by", "Wie nam over", taken_over_by, False),
        ("agreed_aftercare", "Wat is afgesproken over hulp daarna", agreed_aftercare, True),
    ):
        try:
            values[field] = _text(value, field, label, required=True, long=long)
        except DomainError as exc:
            errors.append(exc)
    if taken_over_organisation is None:
        errors.append(
            DomainError(
                "Kies de organisatie die de zorg overneemt.", field="taken_over_organisation"
            )
        )
    elif (
        kind == HandoverKind.GP
        and taken_over_organisation.organisation_type != OrganisationType.GP_PRACTICE
    ):
        errors.append(
            DomainError(
                "Bij afschalen naar de huisarts neemt een huisartsenpraktijk de zorg over.",
                field="taken_over_organisation",
            )
        )
    if spoke_on is None:
        errors.append(DomainError("Vul in wanneer u elkaar spraken.", field="spoke_on"))
    else:
        try:
            rules.check_past(
                spoke_on,
                field="spoke_on",
                label="De datum van het gesprek",
                today=timezone.localdate(),
            )
        except DomainError as exc:
            errors.append(exc)
    if corrects is not None and corrects.case_id != case.pk:
        errors.append(DomainError("Die overdracht hoort niet bij deze casus.", field="corrects"))
    raise_all(errors)
    assert taken_over_organisation is not None and spoke_on is not None
    handover = Handover.objects.create(
        case=case,
        kind=kind,
        taken_over_organisation=taken_over_organisation,
        spoke_on=spoke_on,
        corrects=corrects,
        recorded_by=actor,
        recorded_at=timezone.now(),
        **values,
    )
    correction = (
        f" (correctie van de overdracht van {dutch_date(corrects.spoke_on)})" if corrects else ""
    )
    case_event(
        case,
        actor,
        membership,
        "handover",
        f"{HandoverKind(kind).label}: overgenomen door {handover.taken_over_by} "
        f"({taken_over_organisation}), gesproken op {dutch_date(handover.spoke_on)}{correction}",
    )
    return handover


# --- letters to the GP ------------------------------------------------------------------------

NO_CONSENT = (
    "De cliënt heeft geen geldige toestemming gegeven om {practice} te informeren. Er is geen "
    "brief gemaakt; leg eerst de toestemming voor deze praktijk vast (Voorbereiding)."
)


def letter_contents(case: Case, event: str) -> dict[str, Any]:
    """What the GP needs to know about this step, and nothing more: no BSN, no triage details,
    no minutes. Stored with the letter, so it shows what was sent."""
    plan = getattr(case, "plan", None)
    contacts = current_contacts(case)
    gp_contact = contacts.get(Audience.GP)
    client_contact = contacts.get(Audience.CLIENT)
    card = case.crisis_cards.first()
    medication = MedicationOverview.objects.filter(case=case).first()
    handover = case.handovers.select_related("taken_over_organisation").first()
    contents: dict[str, Any] = {
        "event": event,
        "event_label": str(LetterEvent(event).label),
        "table": str(case.table),
        "date": dutch_date(timezone.localdate()),
        "lead": (
            f"{plan.regiebehandelaar}"
            + (
                f" ({plan.regiebehandelaar_organisation})"
                if plan.regiebehandelaar_organisation
                else ""
            )
            if plan and plan.regiebehandelaar
            else ""
        ),
        "gp_contact": _contact_dict(gp_contact),
        "client_contact": _contact_dict(client_contact),
    }
    if event in (LetterEvent.PLANNED, LetterEvent.CLOSED) and medication is not None:
        contents["somatic_screening_by"] = medication.somatic_screening_by
        contents["pharmaceutical_care_by"] = medication.pharmaceutical_care_by
    if (
        event in (LetterEvent.PLANNED, LetterEvent.CLOSED)
        and card is not None
        and card.share_with_gp
    ):
        contents["crisis_card"] = {
            "early_signs": card.early_signs,
            "what_helps": card.what_helps,
            "contacts": card.contacts,
            "review_on": dutch_date(card.review_on),
        }
    if event == LetterEvent.CLOSED and handover is not None:
        contents["handover"] = {
            "kind": str(HandoverKind(handover.kind).label),
            "taken_over_by": f"{handover.taken_over_by} ({handover.taken_over_organisation})",
            "spoke_on": dutch_date(handover.spoke_on),
            "agreed_aftercare": handover.agreed_aftercare,
        }
    return contents


def _contact_dict(c: ContactPerson | None) -> dict[str, str] | None:
    if c is None:
        return None
    return {
        "name": c.name,
        "organisation": c.organisation,
        "phone": c.phone,
        "reachable": c.reachable,
        "until": c.until,
    }


def _letter(case: Case, event: str, practice: Organisation, created_by: User | None) -> GpLetter:
    users = gp_users(practice)
    letter = GpLetter.objects.create(
        case=case,
        event=event,
        practice=practice,
        delivery=Delivery.VANGNET if users else Delivery.PDF,
        contents=letter_contents(case, event),
        created_at=timezone.now(),
        created_by=created_by,
    )
    label = LetterEvent(event).label.lower()
    if users:
        # The notification names the reference only; the letter itself is behind the login.
        notification_send(
            users=users,
            subject=f"Bericht over uw patiënt: casus {case.reference} – {label}",
            body="Open de brief onder Huisartsberichten in Vangnet.",
            case_reference=case.reference,
        )
    else:
        notification_send(
            users=table_staff(case.table, Role.COORDINATOR),
            subject=f"Brief aan de huisarts klaar: casus {case.reference} – {label}",
            body="De praktijk heeft geen account in Vangnet: download de brief als pdf en "
            "verstuur hem (beveiligd).",
            case_reference=case.reference,
        )
    return letter


def _letter_allowed_for_state(case: Case, event: str) -> None:
    ok = {
        LetterEvent.ADMITTED: case.admitted_on is not None,
        LetterEvent.PLANNED: case.phases.exists(),
        LetterEvent.CLOSED: case.state == State.CLOSED,
    }[LetterEvent(event)]
    if not ok:
        raise DomainError(
            f"Een brief '{LetterEvent(event).label.lower()}' past niet bij deze casus: die stap "
            "is (nog) niet gezet.",
            field="event",
        )


def gp_letter_create(
    *, case: Case, actor: User, membership: Membership, event: str, channel: str = "web"
) -> GpLetter:
    """The coordinator makes a letter to the GP (e.g. once the practice or the consent is
    recorded after the step). Without the client's consent it is refused and the refusal is
    logged in the access log (outside the transaction, so the log row stays)."""
    require_plan_editor(membership, case)
    if event not in LetterEvent.values:
        raise DomainError("Kies waarover de brief gaat.", field="event")
    practice = gp_practice(case)
    if practice is None:
        raise DomainError("Leg eerst de huisartsenpraktijk van de cliënt vast.", field="practice")
    if not gp_consent(case, practice.pk):
        access_log_write(
            actor=actor_for(actor),
            action=Action.EXPORT,
            outcome=Outcome.DENIED,
            case_id=case.pk,
            case_reference=case.reference,
            membership=membership,
            channel=channel,
            detail="huisartsbrief zonder toestemming",
        )
        raise NotAllowed(NO_CONSENT.format(practice=practice))
    letter = _create_letter(
        case=case, actor=actor, membership=membership, event=event, practice=practice
    )
    # Making a letter puts case data on its way out of Vangnet: an export in the access log.
    access_log_write(
        actor=actor_for(actor),
        action=Action.EXPORT,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        channel=channel,
        detail=f"huisartsbrief {letter.pk} gemaakt",
    )
    return letter


@transaction.atomic
def _create_letter(
    *, case: Case, actor: User, membership: Membership, event: str, practice: Organisation
) -> GpLetter:
    case = lock_case(case)
    _letter_allowed_for_state(case, event)
    letter = _letter(case, event, practice, actor)
    case_event(
        case,
        actor,
        membership,
        "gp_letter",
        f"Huisarts ({practice}) geïnformeerd: {LetterEvent(event).label.lower()} "
        f"({Delivery(letter.delivery).label.lower()})",
    )
    return letter


def _admitted_by_last_triage(case: Case) -> bool:
    last = case.triage_rounds.filter(verdict=TriageRound.Verdict.CONFIRMED).order_by("pk").last()
    return last is not None and last.decision == Decision.ADMIT


STEP_EVENTS = {
    "triage": LetterEvent.ADMITTED,
    "plan_adopted": LetterEvent.PLANNED,
    "closure": LetterEvent.CLOSED,
}


@transaction.atomic
def gp_letter_on_step(*, case: Case, step: str) -> GpLetter | None:
    """After a case step (admission, adoption of the plan, closure) the GP is informed by
    itself — with consent. Without a known practice or without consent the coordinator is told,
    and a withheld letter is recorded in the case history. Idempotent: one letter per step."""
    event = STEP_EVENTS.get(step)
    if event is None:
        return None
    if event == LetterEvent.ADMITTED and not _admitted_by_last_triage(case):
        return None  # another triage outcome: the table did not take the case
    case = lock_case(case)
    if case.gp_letters.filter(event=event, created_at__gte=case.state_changed_at).exists():
        return None
    step_event = case.events.order_by("-at", "-id").first()
    practice = gp_practice(case)
    label = LetterEvent(event).label.lower()
    coordinators = table_staff(case.table, Role.COORDINATOR)
    if practice is None:
        notification_send(
            users=coordinators,
            subject=f"Huisarts niet geïnformeerd: casus {case.reference} – {label}",
            body="De huisartsenpraktijk van de cliënt is niet bekend. Leg haar vast in het "
            "integraal plan en maak de brief.",
            case_reference=case.reference,
            dedup_key=f"gp-letter:{case.pk}:{event}:no-practice:{case.state_changed_at:%Y%m%d%H%M%S}",
        )
        return None
    if not gp_consent(case, practice.pk):
        if step_event is not None:
            record_event(
                case,
                actor=step_event.actor,
                role="",
                transition="gp_letter_withheld",
                from_state=case.state,
                note=f"Geen brief aan {practice} ({label}): geen toestemming van de cliënt",
            )
        notification_send(
            users=coordinators,
            subject=f"Huisarts niet geïnformeerd: casus {case.reference} – {label}",
            body="Er is geen geldige toestemming om de huisartsenpraktijk te informeren. Vraag "
            "de cliënt om toestemming en maak dan de brief.",
            case_reference=case.reference,
            dedup_key=f"gp-letter:{case.pk}:{event}:no-consent:{case.state_changed_at:%Y%m%d%H%M%S}",
        )
        return None
    letter = _letter(case, event, practice, None)
    if step_event is not None:
        record_event(
            case,
            actor=step_event.actor,
            role="",
            transition="gp_letter",
            from_state=case.state,
            note=f"Huisarts ({practice}) geïnformeerd: {label} "
            f"({Delivery(letter.delivery).label.lower()})",
        )
    return letter
