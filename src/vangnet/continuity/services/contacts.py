"""The contact persons (for the client and relatives, and for the GP) and the warm handovers
when care steps down. Both are append-only: a change or a correction is a new record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.cases.models import Case
from vangnet.cases.services.steps import case_event, require_plan_editor, require_state
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, raise_all
from vangnet.directory.models import Organisation, OrganisationType

from .. import rules
from ..models import Audience, ContactPerson, Handover, HandoverKind
from ..selectors import current_contacts
from .common import GP_STATES, HANDOVER_STATES, text_field


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
            values[field] = text_field(value, field, label, required=True)
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
            values[field] = text_field(value, field, label, required=True, long=long)
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
