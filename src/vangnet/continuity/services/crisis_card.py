"""The crisis card (signalling plan): a new version per change, the earlier versions stay. It is
shared with the GP only with the client's consent for the recorded practice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.cases.models import Case
from vangnet.cases.services.steps import case_event, lock_case, require_plan_editor, require_state
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, raise_all

from .. import rules
from ..models import CrisisCard
from ..selectors import gp_consent, gp_practice
from .common import PLAN_STATES, text_field

MAX_CARD_CONTACTS = 6


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
        lambda: text_field(
            early_signs, "early_signs", "De vroege signalen", required=True, long=True
        )
    )
    what_helps = collect(
        lambda: text_field(what_helps, "what_helps", "Wat helpt", required=True, long=True)
    )
    client_words = collect(
        lambda: text_field(
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
                    lambda c=c, n=n: text_field(
                        c.who, "contacts", f"Wie (contact {n})", required=True
                    )
                ),
                "phone": collect(
                    lambda c=c, n=n: rules.check_phone(
                        c.phone, field="contacts", label=f"Het telefoonnummer van contact {n}"
                    )
                ),
                "hours": collect(
                    lambda c=c, n=n: text_field(
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
