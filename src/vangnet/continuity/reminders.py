"""Reminders for a crisis card or medication overview past its review date (seed 003). Called by
the reminders job (`python -m vangnet reminders`); idempotent through the notifications' dedup
keys, which name the card version or overview and the review date: a new version or a new review
date gives a new reminder once, a rerun gives nothing."""

from __future__ import annotations

from datetime import date

from vangnet.accounts.models import Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case
from vangnet.cases.services.steps import table_staff
from vangnet.cases.workflow import State
from vangnet.common.dates import dutch_date

from .models import CrisisCard, MedicationOverview

REVIEW_STATES = (State.PLAN, State.FOLLOW_UP)


def _readers(case: Case) -> list[User]:
    users = table_staff(case.table, Role.COORDINATOR)
    plan = getattr(case, "plan", None)
    if plan is not None and plan.case_director is not None:
        users.append(plan.case_director)
    return users


def run(*, today: date) -> int:
    created = 0
    # Only the newest version of each case's card counts: older versions are history.
    newest: dict[int, CrisisCard] = {}
    for card in (
        CrisisCard.objects.filter(case__state__in=REVIEW_STATES, review_on__lt=today)
        .select_related("case__table", "case__plan__case_director")
        .order_by("case_id", "-version")
    ):
        newest.setdefault(card.case_id, card)
    for card in newest.values():
        if card.case.crisis_cards.filter(version__gt=card.version).exists():
            continue
        case = card.case
        created += len(
            notification_send(
                users=_readers(case),
                subject=f"Crisiskaart van casus {case.reference} is over de herzieningsdatum "
                f"({dutch_date(card.review_on)})",
                body="Bespreek de crisiskaart met de cliënt en leg een nieuwe versie vast.",
                case_reference=case.reference,
                dedup_key=f"crisis-card-review:{card.pk}:{card.review_on.isoformat()}",
            )
        )
    for overview in MedicationOverview.objects.filter(
        case__state__in=REVIEW_STATES, review_on__lt=today
    ).select_related("case__table", "case__plan__case_director"):
        case = overview.case
        created += len(
            notification_send(
                users=_readers(case),
                subject=f"Medicatieoverzicht van casus {case.reference} is over de "
                f"herzieningsdatum ({dutch_date(overview.review_on)})",
                body="Controleer het overzicht met de voorschrijver en de apotheek.",
                case_reference=case.reference,
                dedup_key=f"medication-review:{overview.pk}:{overview.review_on.isoformat()}",
            )
        )
    return created
