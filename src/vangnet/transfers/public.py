"""The public page of a region's transfer desk (criterion g): how clients, supporters, GPs and
insurers reach it. No personal data: organisations, their public contact details, and offers of
the sociale kaart; the process owner is named by organisation, not by person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from vangnet.common.errors import NotFound
from vangnet.directory.models import Location, Offer, OfferKind, Organisation, ServedArea
from vangnet.regions.selectors import region_grouping
from vangnet.waitlists.models import LargestBreach, ProcessOwnerRegion, RegionKind

from .client import Help, _help, region_name


@dataclass
class DeskContact:
    organisation: str
    email: str
    phone: str
    website: str


@dataclass
class DeskPage:
    kind: str
    code: str
    name: str
    owners: list[DeskContact]
    lead_provider: str
    lead_period: str
    client_support: list[Help]


def desk_regions() -> list[tuple[str, str, str]]:
    """(kind, code, name) of every region with a process owner: the public index."""
    pairs = sorted(
        set(
            ProcessOwnerRegion.objects.filter(membership__active=True).values_list(
                "region_kind", "region_code"
            )
        )
    )
    return [(k, c, region_name(k, c)) for k, c in pairs]


def _contact(org: Organisation, municipalities: list[str]) -> DeskContact:
    location = (
        Location.objects.filter(organisation=org)
        .filter(Q(municipality__code__in=municipalities) | Q(remote=True))
        .exclude(phone="")
        .order_by("remote", "name")
        .first()
    ) or Location.objects.filter(organisation=org).exclude(phone="").order_by("name").first()
    return DeskContact(
        organisation=org.name,
        email=org.email,
        phone=location.phone if location else "",
        website=location.website if location else "",
    )


def desk_page(kind: str, code: str) -> DeskPage:
    if kind not in RegionKind.values:
        raise NotFound("Deze regio bestaat niet.")
    grouping = region_grouping(kind, on=timezone.localdate())
    municipalities = [m for m, r in grouping.items() if r == code]
    if not municipalities:
        raise NotFound("Deze regio bestaat niet.")
    owner_orgs = Organisation.objects.filter(
        pk__in=ProcessOwnerRegion.objects.filter(
            region_kind=kind, region_code=code, membership__active=True
        ).values("membership__organisation_id")
    ).order_by("name")
    lead = (
        LargestBreach.objects.filter(region_kind=kind, region_code=code)
        .select_related("provider")
        .order_by("-period", "-over_norm")
        .first()
    )
    support = (
        Offer.objects.filter(kind=OfferKind.CLIENT_SUPPORT)
        .filter(
            Q(location__remote=False, location__municipality__code__in=municipalities)
            | Q(location__remote=True, location__served_area=ServedArea.NATIONAL)
        )
        .select_related("location__organisation", "location__municipality")
        .order_by("location__remote", "name", "pk")[:6]
    )
    return DeskPage(
        kind=kind,
        code=code,
        name=region_name(kind, code),
        owners=[_contact(o, municipalities) for o in owner_orgs],
        lead_provider=lead.provider.name if lead else "",
        lead_period=f"{lead.period:%m-%Y}" if lead else "",
        client_support=[_help(o) for o in support],
    )
