"""The medication overview: who is responsible for somatic screening and pharmaceutical care,
and its lines; a stopped medicine leaves the current overview but stays on record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.cases.models import Case
from vangnet.cases.services.steps import case_event, require_plan_editor, require_state
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, raise_all

from .. import rules
from ..models import MedicationLine, MedicationOverview
from .common import PLAN_STATES, text_field


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
            values[name] = text_field(value, name, label, required=True)
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
            values[name] = text_field(value, name, label, required=True)[:200]
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
    line.stop_reason = text_field(reason, "reason", "De reden", required=True)[:300]
    line.save(update_fields=["stopped_on", "stop_reason", "updated_at"])
    case_event(
        case,
        actor,
        membership,
        "medication",
        f"Medicijn gestopt per {dutch_date(stopped_on)}: {line.medicine}",
    )
    return line
