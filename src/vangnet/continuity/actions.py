"""Case-page actions of continuity of care: the GP practice, the crisis card, the medication
overview, contact persons, warm handovers and letters to the GP (coordinator only)."""

from __future__ import annotations

from typing import Any

from vangnet.accounts.models import Membership, User
from vangnet.cases.access import Permission
from vangnet.cases.actions import CaseAction, case_object
from vangnet.cases.models import Case

from . import services
from .forms import (
    ContactPersonForm,
    CrisisCardForm,
    GpForm,
    GpLetterForm,
    HandoverForm,
    MedicationLineForm,
    MedicationOverviewForm,
    MedicationStopForm,
    card_contacts,
)
from .models import Audience, Delivery, MedicationLine


def _gp(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    gp = services.gp_set(case=case, actor=user, membership=m, **d)
    return f"Huisartsenpraktijk vastgelegd: {gp.practice}."


def _card(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    card = services.crisis_card_save(
        case=case,
        actor=user,
        membership=m,
        early_signs=d["early_signs"],
        what_helps=d["what_helps"],
        client_words=d["client_words"],
        contacts=card_contacts(d),
        review_on=d["review_on"],
        share_with_gp=d["share_with_gp"],
    )
    return f"Crisiskaart vastgelegd (versie {card.version})."


def _overview(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.medication_overview_save(case=case, actor=user, membership=m, **d)
    return "Medicatieoverzicht bijgewerkt."


def _medicine(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    line = services.medication_add(case=case, actor=user, membership=m, **d)
    return f"{line.medicine} toegevoegd aan het medicatieoverzicht."


def _stop(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    line = case_object(MedicationLine, d["line"], overview__case=case)
    services.medication_stop(
        line=line, actor=user, membership=m, stopped_on=d["stopped_on"], reason=d["reason"]
    )
    return f"{line.medicine} is gestopt; het blijft zichtbaar in de geschiedenis."


def _contact(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    contact = services.contact_person_set(case=case, actor=user, membership=m, **d)
    return f"Contactpersoon voor {Audience(contact.audience).label.lower()} vastgelegd."


def _handover(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.handover_record(case=case, actor=user, membership=m, **d)
    return "Warme overdracht vastgelegd."


def _letter(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    letter = services.gp_letter_create(case=case, actor=user, membership=m, event=d["event"])
    if letter.delivery == Delivery.VANGNET:
        return f"Brief gemaakt; {letter.practice} heeft een melding in Vangnet gekregen."
    return f"Brief gemaakt; download de pdf en verstuur hem aan {letter.practice}."


ACTIONS: dict[str, CaseAction] = {
    "huisarts": CaseAction(Permission.MANAGE, GpForm, _gp),
    "crisiskaart": CaseAction(Permission.MANAGE, CrisisCardForm, _card),
    "medicatieoverzicht": CaseAction(Permission.MANAGE, MedicationOverviewForm, _overview),
    "medicijn": CaseAction(Permission.MANAGE, MedicationLineForm, _medicine),
    "medicijn-stoppen": CaseAction(Permission.MANAGE, MedicationStopForm, _stop),
    "contactpersoon": CaseAction(Permission.MANAGE, ContactPersonForm, _contact),
    "overdracht": CaseAction(Permission.MANAGE, HandoverForm, _handover),
    "huisartsbrief": CaseAction(Permission.MANAGE, GpLetterForm, _letter),
}
