"""Reads for continuity of care. Callers have checked that the reader may see the case (through
`cases.access.case_access`); the GP's own reads check the practice and the consent here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.cases.models import Case, Consent
from vangnet.cases.workflow import State
from vangnet.common.dates import dutch_date
from vangnet.directory.models import Organisation, OrganisationType

from .models import (
    Audience,
    CaseGp,
    ContactPerson,
    CrisisCard,
    GpLetter,
    Handover,
    MedicationOverview,
)

OPEN_FOR_CONTINUITY = (State.ADMITTED, State.PLAN, State.FOLLOW_UP)


def gp_practice(case: Case) -> Organisation | None:
    """The patient's GP practice: the one recorded for the case, or the referring organisation
    when a GP practice registered the case itself."""
    recorded = CaseGp.objects.filter(case=case).select_related("practice").first()
    if recorded is not None:
        return recorded.practice
    referrer = case.referrer_organisation
    if referrer.organisation_type == OrganisationType.GP_PRACTICE:
        return referrer
    return None


def gp_consent(case: Case, organisation_id: int, *, today: date | None = None) -> bool:
    """May case data be shared with this GP practice today? The same consent rule as for the
    table's organisations (`cases.access.invited_with_consent`): a consent for that organisation,
    started, not ended and not withdrawn. A practice that registered the case itself shares it
    under the registration's own consent."""
    if organisation_id == case.referrer_organisation_id:
        return True
    today = today or timezone.localdate()
    return (
        Consent.objects.filter(
            case=case,
            organisation_id=organisation_id,
            valid_from__lte=today,
            withdrawn_at__isnull=True,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )


def _consent_covers(consents: list[Consent], organisation_id: int, *, today: date) -> bool:
    """The rule of `gp_consent` applied to the case's consents already read."""
    return any(
        c.organisation_id == organisation_id
        and c.valid_from <= today
        and c.withdrawn_at is None
        and (c.valid_until is None or c.valid_until >= today)
        for c in consents
    )


def gp_users(practice: Organisation) -> list[Any]:
    """The practice's GPs in Vangnet (active memberships in the GP role)."""
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=practice, role=Role.GENERAL_PRACTITIONER, active=True
        ).select_related("user")
    ]


def crisis_card(case: Case) -> CrisisCard | None:
    return case.crisis_cards.select_related("recorded_by").first()


def current_contacts(case: Case) -> dict[str, ContactPerson]:
    """The newest contact person per audience."""
    current: dict[str, ContactPerson] = {}
    for c in ContactPerson.objects.filter(case=case).order_by("-recorded_at", "-id"):
        current.setdefault(c.audience, c)
    return current


@dataclass
class Continuity:
    """Everything the plan section shows of continuity, read in a bounded number of queries."""

    practice: Organisation | None
    gp: CaseGp | None
    gp_consent: bool
    card: CrisisCard | None
    card_versions: int
    medication: MedicationOverview | None
    lines: list[Any]
    contacts: dict[str, ContactPerson]
    handovers: list[Handover]
    letters: list[GpLetter]
    warnings: list[str] = field(default_factory=list)
    # Shown from admission on (the GP and the contact persons), and afterwards while it has data.
    visible: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.gp
            or self.card
            or self.medication
            or self.contacts
            or self.handovers
            or self.letters
        )

    @property
    def client_contact(self) -> ContactPerson | None:
        return self.contacts.get(Audience.CLIENT)

    @property
    def gp_contact(self) -> ContactPerson | None:
        return self.contacts.get(Audience.GP)


def case_continuity(
    case: Case,
    *,
    today: date | None = None,
    present: Mapping[str, int] | None = None,
    consents: list[Consent] | None = None,
) -> Continuity:
    """The case's continuity data. `present` (the case file's row counts per relation of the
    case, `casework.selectors.case_presence`) spares the queries of the empty ones; `consents`
    (all of the case's, when the caller has read them) the query of the GP's consent."""
    today = today or timezone.localdate()

    def has(name: str) -> bool:
        return present is None or bool(present[name])

    gp = CaseGp.objects.filter(case=case).select_related("practice").first() if has("gp") else None
    if gp is not None:
        practice: Organisation | None = gp.practice
    else:
        # As `gp_practice` without a recorded one (read just above): the referring GP practice.
        referrer = case.referrer_organisation
        practice = referrer if referrer.organisation_type == OrganisationType.GP_PRACTICE else None
    cards = list(case.crisis_cards.select_related("recorded_by")[:1]) if has("crisis_cards") else []
    medication = MedicationOverview.objects.filter(case=case).first() if has("medication") else None
    lines = list(medication.lines.all()) if medication else []
    result = Continuity(
        practice=practice,
        gp=gp,
        # Without any consent only the referring practice itself shares (`gp_consent`).
        gp_consent=bool(
            practice
            and (
                practice.pk == case.referrer_organisation_id
                or (
                    _consent_covers(consents, practice.pk, today=today)
                    if consents is not None
                    else has("consents") and gp_consent(case, practice.pk, today=today)
                )
            )
        ),
        card=cards[0] if cards else None,
        card_versions=cards[0].version if cards else 0,
        medication=medication,
        lines=lines,
        contacts=current_contacts(case) if has("contact_persons") else {},
        handovers=list(
            case.handovers.select_related("taken_over_organisation", "recorded_by", "corrects")
        )
        if has("handovers")
        else [],
        letters=list(case.gp_letters.select_related("practice", "created_by"))
        if has("gp_letters")
        else [],
    )
    result.warnings = review_warnings(result.card, result.medication, today=today)
    result.visible = case.state in OPEN_FOR_CONTINUITY or not result.empty
    return result


def review_warnings(
    card: CrisisCard | None, medication: MedicationOverview | None, *, today: date
) -> list[str]:
    """Dutch warnings for a crisis card or medication overview past its review date."""
    warnings = []
    if card is not None and card.review_on < today:
        warnings.append(
            f"De crisiskaart had op {dutch_date(card.review_on)} herzien moeten worden: bespreek "
            "haar met de cliënt en leg een nieuwe versie vast."
        )
    if medication is not None and medication.review_on < today:
        warnings.append(
            f"Het medicatieoverzicht had op {dutch_date(medication.review_on)} herzien moeten "
            "worden: controleer het met de voorschrijver en de apotheek."
        )
    return warnings


def case_review_warnings(case: Case, *, today: date | None = None) -> list[str]:
    today = today or timezone.localdate()
    return review_warnings(
        crisis_card(case), MedicationOverview.objects.filter(case=case).first(), today=today
    )


def gp_organisations(actor: Actor) -> set[int]:
    return actor.organisation_ids(Role.GENERAL_PRACTITIONER)


def gp_letters_for(actor: Actor, *, today: date | None = None) -> QuerySet[GpLetter]:
    """The letters to the actor's GP practices about cases whose consent still covers them:
    `gp_consent` in SQL (a practice that registered the case, or a current consent for it), so
    the inbox can page through all of them without a query per letter and without a cap."""
    today = today or timezone.localdate()
    consent = Consent.objects.filter(
        case_id=OuterRef("case_id"),
        organisation_id=OuterRef("practice_id"),
        valid_from__lte=today,
        withdrawn_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return (
        GpLetter.objects.filter(practice_id__in=gp_organisations(actor))
        .filter(Q(practice_id=F("case__referrer_organisation_id")) | Exists(consent))
        .select_related("case", "practice")
        .defer("contents")
    )
