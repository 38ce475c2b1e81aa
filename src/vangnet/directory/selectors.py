"""Reads of the sociale kaart: search (free text, filters, distance, waiting time), the public
region page and an organisation's own entries.

Distance: every location carries its municipality's point (`geo.py`). The database orders and
filters by the equirectangular approximation around the origin (portable SQL, no trigonometric
functions; within the Netherlands it differs from the great circle by well under 1 %), and the
page shows the exact haversine distance for its rows. A service without a location (e-health,
telephone) counts as distance 0 where its area covers the origin and is left out elsewhere.

Free text: PostgreSQL full-text search (Dutch configuration, a stored tsvector with a GIN index,
migration 0004);
on SQLite every word must occur in the offer's search text (case-insensitive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from vangnet.accounts.selectors import Actor
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.regions.models import Municipality, Table
from vangnet.regions.selectors import municipalities_of_table, table_for_municipality

from . import access
from .geo import EARTH_RADIUS_KM, haversine_km
from .models import (
    PUBLIC_KINDS,
    EntryChange,
    Location,
    MunicipalityPoint,
    Offer,
    OfferKind,
    ServedArea,
)

PAGE_SIZE = 20
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


@dataclass
class SearchParams:
    q: str = ""
    kind: str = ""
    group: str = ""
    financing: str = ""
    age: int | None = None
    lvb: bool = False
    forensic: bool = False
    table: int | None = None
    origin: str = ""  # municipality code
    max_km: float | None = None
    sort: str = "name"  # name, distance, wait
    page: int = 1


@dataclass
class Row:
    offer: Offer
    distance_km: float | None
    stale: bool

    @property
    def location(self) -> Location:
        return self.offer.location

    @property
    def expected_wait(self) -> str:
        return expected_wait_text(self.offer)


@dataclass
class SearchResult:
    rows: list[Row]
    page: Page[Any]
    total: int
    origin: Municipality | None = None
    origin_note: str = ""
    notes: list[str] = field(default_factory=list)


def expected_wait_text(offer: Offer) -> str:
    if offer.stated_wait_weeks is not None:
        weeks = offer.stated_wait_weeks
        return f"{weeks} {'week' if weeks == 1 else 'weken'} (opgave aanbieder)"
    if offer.observed_wait_weeks is not None:
        month = offer.observed_wait_month
        when = f" {month:%m-%Y}" if month else ""
        value = f"{offer.observed_wait_weeks:.1f}".replace(".", ",")
        return f"ca. {value} weken (wachtlijstgegevens{when})"
    return "onbekend"


def _base() -> QuerySet[Offer]:
    return Offer.objects.select_related(
        "location__organisation",
        "location__municipality",
        "location__served_province",
        "location__served_table",
    ).prefetch_related("diagnosis_groups")


def _serves(municipality: Municipality, *, on: date) -> Q:
    """Remote services whose area covers the municipality."""
    table = table_for_municipality(municipality=municipality, on=on)
    condition = Q(location__served_area=ServedArea.NATIONAL) | Q(
        location__served_area=ServedArea.PROVINCE,
        location__served_province_id=municipality.province_id,
    )
    if table is not None:
        condition |= Q(location__served_area=ServedArea.REGION, location__served_table=table)
    return Q(location__remote=True) & condition


def _in_table(table: Table, *, on: date) -> Q:
    municipalities = municipalities_of_table(table=table, on=on)
    provinces = municipalities.values("province_id")
    return Q(location__remote=False, location__municipality__in=municipalities) | (
        Q(location__remote=True)
        & (
            Q(location__served_area=ServedArea.NATIONAL)
            | Q(location__served_area=ServedArea.PROVINCE, location__served_province__in=provinces)
            | Q(location__served_area=ServedArea.REGION, location__served_table=table)
        )
    )


def _text_filter(qs: QuerySet[Offer], q: str) -> QuerySet[Offer]:
    words = [w for w in q.split() if w]
    if not words:
        return qs
    if connection.vendor == "postgresql":
        # `search_vector` is the stored generated column of migration 0004 (GIN-indexed).
        match = RawSQL(
            "directory_offer.search_vector @@ plainto_tsquery('dutch'::regconfig, %s)",
            [" ".join(words)],
            output_field=BooleanField(),
        )
        return qs.filter(match)
    for word in words:
        qs = qs.filter(search_text__icontains=word)
    return qs


def search(
    actor: Actor, params: SearchParams, *, on: date | None = None, api: bool = False
) -> SearchResult:
    """The search page is for the roles that look for care; the API reads for every signed-in
    user with a membership (`api=True`)."""
    if api:
        if not access.can_read(actor):
            raise NotAllowed(
                "Alleen gebruikers met een lidmaatschap kunnen de sociale kaart lezen."
            )
    else:
        access.require_search(actor)
    on = on or timezone.localdate()
    qs = _text_filter(_base(), params.q[:200])
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.financing:
        qs = qs.filter(financing=params.financing)
    if params.group:
        qs = qs.filter(
            pk__in=Offer.objects.filter(diagnosis_groups__code=params.group).values("pk")
        )
    if params.age is not None:
        qs = qs.filter(Q(age_min__isnull=True) | Q(age_min__lte=params.age)).filter(
            Q(age_max__isnull=True) | Q(age_max__gte=params.age)
        )
    if params.lvb:
        qs = qs.filter(lvb=True)
    if params.forensic:
        qs = qs.filter(forensic=True)
    if params.table is not None:
        table = Table.objects.filter(number=params.table).first()
        if table is None:
            raise NotFound("Deze tafelregio bestaat niet.")
        qs = qs.filter(_in_table(table, on=on))

    origin = point = None
    if params.origin:
        origin = Municipality.objects.filter(code=params.origin).select_related("point").first()
        if origin is None:
            raise DomainError("Onbekende gemeente voor de afstand.", field="origin")
        point = MunicipalityPoint.objects.filter(municipality=origin).first()
    if params.sort == "distance" and point is None:
        raise DomainError("Kies een gemeente om op afstand te sorteren.", field="origin")
    if params.max_km is not None and point is None:
        raise DomainError("Kies een gemeente voor de maximale afstand.", field="origin")

    if point is not None and origin is not None:
        kx = KM_PER_DEGREE * math.cos(math.radians(point.latitude))
        dy = ExpressionWrapper(
            (F("location__latitude") - Value(point.latitude)) * Value(KM_PER_DEGREE),
            output_field=FloatField(),
        )
        dx = ExpressionWrapper(
            (F("location__longitude") - Value(point.longitude)) * Value(kx),
            output_field=FloatField(),
        )
        qs = qs.annotate(
            d2=Case(
                When(location__remote=True, then=Value(0.0)),
                default=ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField()),
                output_field=FloatField(),
            )
        )
        physical = Q(location__remote=False, location__latitude__isnull=False)
        if params.max_km is not None:
            physical &= Q(d2__lte=params.max_km**2)
        qs = qs.filter(physical | _serves(origin, on=on))

    if params.sort == "distance":
        qs = qs.order_by("d2", "name", "pk")
    elif params.sort == "wait":
        qs = qs.annotate(
            wait=Coalesce(Cast("stated_wait_weeks", FloatField()), "observed_wait_weeks")
        ).order_by(F("wait").asc(nulls_last=True), "name", "pk")
    else:
        qs = qs.order_by("name", "location__organisation__name", "pk")

    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(params.page)
    now = timezone.now()
    rows = []
    for offer in page.object_list:
        loc = offer.location
        distance = None
        if point is not None and not loc.remote and loc.latitude is not None:
            assert loc.longitude is not None
            distance = haversine_km(point.latitude, point.longitude, loc.latitude, loc.longitude)
        rows.append(Row(offer, distance, offer.is_stale(now) or loc.is_stale(now)))
    note = ""
    if point is not None and point.rule == "nearby":
        note = (
            f"Voor {origin} telt de afstand vanaf {point.place}: GeoNames kent geen plaats in "
            "deze gemeente zelf."
        )
    return SearchResult(rows, page, paginator.count, origin, note)


@dataclass
class PublicSection:
    kind: str
    label: str
    offers: list[Row]


def region_public(
    table_number: int, *, on: date | None = None
) -> tuple[Table, list[PublicSection]]:
    """The low-threshold offers of a table region for clients and relatives (no login)."""
    on = on or timezone.localdate()
    table = Table.objects.filter(number=table_number).first()
    if table is None:
        raise NotFound("Deze regio bestaat niet.")
    qs = (
        _base()
        .filter(kind__in=PUBLIC_KINDS)
        .filter(_in_table(table, on=on))
        .order_by("location__municipality__name", "name", "pk")
    )
    now = timezone.now()
    sections: dict[str, list[Row]] = {k: [] for k in PUBLIC_KINDS}
    for offer in qs:
        sections[offer.kind].append(
            Row(offer, None, offer.is_stale(now) or offer.location.is_stale(now))
        )
    labels = dict(OfferKind.choices)
    return table, [PublicSection(k, str(labels[k]), rows) for k, rows in sections.items() if rows]


def own_entries(actor: Actor) -> QuerySet[Location]:
    """The locations (with offers) an editor may change."""
    ids = access.editor_organisation_ids(actor)
    return (
        Location.objects.filter(organisation_id__in=ids)
        .select_related("organisation", "municipality")
        .prefetch_related("offers__diagnosis_groups")
        .order_by("organisation__name", "name")
    )


def offer_history(offer: Offer) -> QuerySet[EntryChange]:
    return EntryChange.objects.filter(entity="offer", entity_id=offer.pk).select_related(
        "changed_by"
    )


def offer_for_read(actor: Actor, pk: int) -> Offer:
    if not access.can_read(actor):
        raise NotFound("Dit aanbod bestaat niet.")
    offer = _base().filter(pk=pk).first()
    if offer is None:
        raise NotFound("Dit aanbod bestaat niet.")
    return offer
