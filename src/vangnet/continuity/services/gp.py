"""The patient's GP: the practice recorded for the case, and the letters that tell it about the
case's steps (by hand, or by themselves after admission, adoption of the plan and closure), only
with the client's consent. A refused letter is logged in the access log."""

from __future__ import annotations

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
    case_event,
    lock_case,
    record_event,
    require_plan_editor,
    require_state,
    table_staff,
)
from vangnet.cases.workflow import Decision, State
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.directory.models import Organisation, OrganisationType

from ..models import (
    Audience,
    CaseGp,
    ContactPerson,
    Delivery,
    GpLetter,
    HandoverKind,
    LetterEvent,
    MedicationOverview,
)
from ..selectors import current_contacts, gp_consent, gp_practice, gp_users
from .common import GP_STATES, text_field


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
    gp_name = text_field(gp_name, "gp_name", "De naam van de huisarts", required=False)
    gp, _ = CaseGp.objects.update_or_create(
        case=case, defaults={"practice": practice, "gp_name": gp_name, "recorded_by": actor}
    )
    case_event(case, actor, membership, "gp_set", f"Huisartsenpraktijk: {practice}")
    return gp


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
