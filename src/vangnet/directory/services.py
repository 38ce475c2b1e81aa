"""Writes of the directory: registering and updating providers from a CSV file, and the
sociale kaart's locations and offers (every change versioned in `EntryChange`).

`organisation_import` reads `agb,name,municipality_code,organisation_type` (UTF-8, comma), checks
every line first and then writes everything in one transaction: a file with any bad line
changes nothing, and importing the same file twice changes nothing the second time.

An empty `municipality_code` is allowed but warned about in the report: region pages (hotspots,
registration pauses) place a provider by its municipality, so a provider without one is missing
from them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from vangnet.common.csvtext import csv_error_message
from vangnet.common.errors import DomainError
from vangnet.common.validators import contains_markup
from vangnet.regions.models import Municipality

from .access import require_editor
from .models import (
    EntryChange,
    Location,
    MunicipalityPoint,
    Offer,
    Organisation,
    OrganisationType,
)
from .validation import (
    EntryInvalid,
    LocationInput,
    OfferInput,
    Problem,
    ReferenceData,
    location_values,
    offer_values,
)

if TYPE_CHECKING:
    from vangnet.accounts.models import User
    from vangnet.accounts.selectors import Actor

COLUMNS = ("agb", "name", "municipality_code", "organisation_type")


@dataclass(frozen=True)
class LineProblem:
    line: int
    column: str
    message: str

    def as_text(self) -> str:
        column = f", kolom {self.column}" if self.column else ""
        return f"regel {self.line}{column}: {self.message}"


class OrganisationImportRejected(DomainError):
    def __init__(self, message: str, problems: list[LineProblem] | None = None) -> None:
        super().__init__(message, code="import_rejected")
        self.problems = problems or []


@dataclass
class OrganisationImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[LineProblem] = field(default_factory=list)


NO_MUNICIPALITY = (
    "geen vestigingsgemeente: deze aanbieder ontbreekt in de overzichten per regio "
    "(hotspots, aanmeldpauzes)"
)


def _type_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in OrganisationType.choices:
        lookup[value] = value
        lookup[str(label).lower()] = value
    return lookup


def _rows(data: bytes) -> tuple[list[str], csv.DictReader[str]]:
    if not data.strip():
        raise OrganisationImportRejected("Het bestand is leeg.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrganisationImportRejected(
            "Het bestand is geen UTF-8-tekst. Sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise OrganisationImportRejected(
            f"De kopregel is onleesbaar: {csv_error_message(exc)}."
        ) from None
    if len(header) == 1 and ";" in header[0]:
        raise OrganisationImportRejected("Het scheidingsteken is een puntkomma; gebruik een komma.")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OrganisationImportRejected(
            "De kopregel klopt niet (ontbrekend: "
            + ", ".join(missing)
            + "). Verwacht: "
            + ",".join(COLUMNS)
            + "."
        )
    reader.fieldnames = header
    return header, reader


def organisation_import(*, data: bytes) -> OrganisationImportReport:
    """Register or update providers by AGB code. Raises OrganisationImportRejected with every
    problem by line when any line is bad."""
    _, reader = _rows(data)
    types = _type_lookup()
    municipalities = {m.code: m for m in Municipality.objects.all()}
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    clean: list[tuple[int, str, str, Municipality | None, str]] = []
    try:
        for record in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in record.items() if k}
            if not any(values.values()):
                continue
            errors = []
            agb = values.get("agb", "")
            if not re.fullmatch(r"\d{8}", agb):
                errors.append(LineProblem(line, "agb", "een AGB-code bestaat uit 8 cijfers"))
            elif agb in seen:
                errors.append(
                    LineProblem(line, "agb", f"AGB-code {agb} staat ook op regel {seen[agb]}")
                )
            else:
                seen[agb] = line
            name = values.get("name", "")
            if not name:
                errors.append(LineProblem(line, "name", "naam ontbreekt"))
            elif len(name) > 200:
                errors.append(LineProblem(line, "name", "naam is langer dan 200 tekens"))
            elif contains_markup(name):
                errors.append(LineProblem(line, "name", "naam bevat HTML of script"))
            code = values.get("municipality_code", "")
            municipality = municipalities.get(code) if code else None
            if code and municipality is None:
                errors.append(
                    LineProblem(line, "municipality_code", f"onbekende gemeente {code[:10]}")
                )
            kind = types.get(values.get("organisation_type", "").lower())
            if kind is None:
                errors.append(
                    LineProblem(
                        line,
                        "organisation_type",
                        "onbekend type; gebruik een van: " + ", ".join(OrganisationType.values),
                    )
                )
            if errors:
                problems.extend(errors)
                continue
            assert kind is not None
            clean.append((line, agb, name, municipality, kind))
    except csv.Error as exc:
        # The reader cannot say where the broken field ends: report this line and stop.
        problems.append(LineProblem(reader.line_num + 1, "", csv_error_message(exc)))
    if problems:
        lines = len({p.line for p in problems})
        raise OrganisationImportRejected(
            f"Het bestand is niet geïmporteerd: {lines} regel{'s' if lines != 1 else ''} met fouten.",
            problems,
        )
    if not clean:
        raise OrganisationImportRejected("Het bestand bevat geen gegevensregels.")
    report = OrganisationImportReport()
    code_of = {m.pk: code for code, m in municipalities.items()}
    with transaction.atomic():
        existing = {
            o.agb_code: o
            for o in Organisation.objects.select_for_update().filter(
                agb_code__in=[c[1] for c in clean]
            )
        }
        for line, agb, name, municipality, kind in clean:
            org = existing.get(agb)
            if municipality is None:
                was = code_of.get(org.municipality_id) if org and org.municipality_id else None
                cleared = f"; de vestigingsgemeente {was} wordt gewist" if was else ""
                report.warnings.append(
                    LineProblem(line, "municipality_code", NO_MUNICIPALITY + cleared)
                )
            if org is None:
                Organisation.objects.create(
                    agb_code=agb, name=name, municipality=municipality, organisation_type=kind
                )
                report.created.append(agb)
                continue
            new = (name, municipality.pk if municipality else None, kind)
            if (org.name, org.municipality_id, org.organisation_type) == new:
                report.unchanged.append(agb)
                continue
            org.name, org.municipality, org.organisation_type = name, municipality, kind
            org.save(update_fields=["name", "municipality", "organisation_type", "updated_at"])
            report.updated.append(agb)
    return report


# --- The sociale kaart: locations and offers, edited by the organisation's own editors -------


def _serial(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(getattr(value, "code", None) or getattr(value, "number", None) or value.pk)
    if isinstance(value, list | tuple):
        return sorted(_serial(v) for v in value)
    return value


def _diff(
    instance: models.Model, values: dict[str, Any], m2m: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(instance, name) if instance.pk else None
        if _serial(old) != _serial(new):
            changes[name] = [_serial(old), _serial(new)]
    for name, new_list in m2m.items():
        old_list = list(getattr(instance, name).all()) if instance.pk else []
        if _serial(old_list) != _serial(new_list):
            changes[name] = [_serial(old_list), _serial(new_list)]
    return changes


def _record(
    *,
    entity: str,
    instance: Location | Offer,
    organisation_id: int,
    action: str,
    changes: dict[str, list[Any]],
    user: User | None,
) -> EntryChange:
    return EntryChange.objects.create(
        organisation_id=organisation_id,
        entity=entity,
        entity_id=instance.pk,
        action=action,
        changes=changes,
        changed_by=user if user is not None and user.pk else None,
    )


def _point(municipality: Municipality | None) -> tuple[float | None, float | None]:
    if municipality is None:
        return None, None
    point = MunicipalityPoint.objects.filter(municipality=municipality).first()
    return (point.latitude, point.longitude) if point else (None, None)


def offer_search_text(offer: Offer) -> str:
    location = offer.location
    parts = [
        offer.name,
        offer.description,
        str(offer.get_kind_display()),
        location.organisation.name,
        location.name,
        location.municipality.name if location.municipality else "",
    ]
    return " ".join(p for p in parts if p)


def _refresh_search_text(location: Location) -> None:
    for offer in location.offers.select_related("location__organisation", "location__municipality"):
        text = offer_search_text(offer)
        if text != offer.search_text:
            Offer.objects.filter(pk=offer.pk).update(search_text=text)


def _valid(values_problems: tuple[dict[str, Any], list[Problem]]) -> dict[str, Any]:
    values, problems = values_problems
    if problems:
        raise EntryInvalid(problems)
    return values


def location_save(
    *,
    actor: Actor,
    organisation: Organisation,
    data: LocationInput,
    location: Location | None = None,
    channel: str = "web",
    ref: ReferenceData | None = None,
    action: str = EntryChange.Action.UPDATE,
) -> Location:
    """Create (`location=None`) or update a location of `organisation`; confirms it too."""
    org_id = location.organisation_id if location is not None else organisation.pk
    what = f"locatie {location.pk}" if location is not None else f"nieuwe locatie ({org_id})"
    require_editor(actor, org_id, what=what, channel=channel)
    values = _valid(location_values(data, ref or ReferenceData()))
    with transaction.atomic():
        if location is not None:
            location = Location.objects.select_for_update().get(pk=location.pk)
        instance = location or Location(organisation=organisation)
        changes = _diff(instance, values, {})
        creating = instance.pk is None
        for name, value in values.items():
            setattr(instance, name, value)
        instance.latitude, instance.longitude = _point(values["municipality"])
        instance.confirmed_at, instance.confirmed_by = timezone.now(), actor.user
        instance.save()
        _record(
            entity="location",
            instance=instance,
            organisation_id=org_id,
            action=EntryChange.Action.CREATE if creating else action,
            changes=changes,
            user=actor.user,
        )
        if not creating and changes:
            _refresh_search_text(instance)
    return instance


def offer_save(
    *,
    actor: Actor,
    location: Location,
    data: OfferInput,
    offer: Offer | None = None,
    channel: str = "web",
    ref: ReferenceData | None = None,
    action: str = EntryChange.Action.UPDATE,
) -> Offer:
    """Create (`offer=None`) or update an offer at `location`; confirms it too. Moving an offer
    to another location is allowed within the organisation only."""
    org_id = location.organisation_id
    what = f"aanbod {offer.pk}" if offer is not None else f"nieuw aanbod ({org_id})"
    require_editor(actor, org_id, what=what, channel=channel)
    if offer is not None and offer.location.organisation_id != org_id:
        require_editor(actor, offer.location.organisation_id, what=what, channel=channel)
    values = _valid(offer_values(data, ref or ReferenceData()))
    groups = values.pop("diagnosis_groups")
    values["location"] = location
    with transaction.atomic():
        if offer is not None:
            offer = Offer.objects.select_for_update().get(pk=offer.pk)
        instance = offer or Offer()
        changes = _diff(instance, values, {"diagnosis_groups": groups})
        creating = instance.pk is None
        for name, value in values.items():
            setattr(instance, name, value)
        instance.confirmed_at, instance.confirmed_by = timezone.now(), actor.user
        instance.search_text = offer_search_text(instance)
        instance.save()
        instance.diagnosis_groups.set(groups)
        _record(
            entity="offer",
            instance=instance,
            organisation_id=org_id,
            action=EntryChange.Action.CREATE if creating else action,
            changes=changes,
            user=actor.user,
        )
    return instance


def entry_confirm(*, actor: Actor, entry: Location | Offer, channel: str = "web") -> None:
    """The editor states the entry is still right: it is no longer stale for six months."""
    location = entry if isinstance(entry, Location) else entry.location
    entity = "location" if isinstance(entry, Location) else "offer"
    label = "locatie" if entity == "location" else "aanbod"
    require_editor(actor, location.organisation_id, what=f"{label} {entry.pk}", channel=channel)
    with transaction.atomic():
        now = timezone.now()
        type(entry).objects.filter(pk=entry.pk).update(confirmed_at=now, confirmed_by=actor.user)
        entry.confirmed_at, entry.confirmed_by = now, actor.user
        _record(
            entity=entity,
            instance=entry,
            organisation_id=location.organisation_id,
            action=EntryChange.Action.CONFIRM,
            changes={},
            user=actor.user,
        )


def offer_delete(*, actor: Actor, offer: Offer, channel: str = "web") -> None:
    org_id = offer.location.organisation_id
    require_editor(actor, org_id, what=f"aanbod {offer.pk}", channel=channel)
    with transaction.atomic():
        _record(
            entity="offer",
            instance=offer,
            organisation_id=org_id,
            action=EntryChange.Action.DELETE,
            changes={"name": [offer.name, None]},
            user=actor.user,
        )
        offer.delete()


def observed_waits_refresh() -> int:
    """Copy the median wait of the latest month of Vangnet's waiting-list data (registration to
    treatment start, per provider × diagnosis group) onto the offers of that provider, so pages
    can show and sort by it without computing it per request. Returns the offers changed."""
    from vangnet.waitlists import counting, selectors

    month = selectors.latest_month()
    if month is None:
        return 0
    rows = counting.provider_wait_rows(counting.Loader(), [month])
    by_provider: dict[int, dict[str, float]] = {}
    for r in rows:
        days = (r.median_wait_intake or 0.0) + (r.median_wait_treatment or 0.0)
        if r.median_wait_intake is None and r.median_wait_treatment is None:
            continue
        by_provider.setdefault(r.provider_id, {})[r.diagnosis_group] = round(days / 7, 1)
    changed = 0
    period = date(month[0], month[1], 1)
    offers = (
        Offer.objects.filter(location__organisation_id__in=list(by_provider))
        .prefetch_related("diagnosis_groups")
        .select_related("location")
    )
    for offer in offers:
        waits = by_provider[offer.location.organisation_id]
        codes = [g.code for g in offer.diagnosis_groups.all()] or list(waits)
        known = [waits[c] for c in codes if c in waits]
        # The longest wait of the offer's groups: a client should not be promised the shortest.
        value = max(known) if known else None
        if (offer.observed_wait_weeks, offer.observed_wait_month) != (
            value,
            period if value is not None else None,
        ):
            Offer.objects.filter(pk=offer.pk).update(
                observed_wait_weeks=value, observed_wait_month=period if value is not None else None
            )
            changed += 1
    return changed
