"""Reads of the transfer mechanism, filtered for the acting user (rules in `access.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vangnet.accounts.selectors import Actor
from vangnet.common.pagination import Page, keyset_page, keyset_page_by
from vangnet.directory.models import Location, Organisation
from vangnet.waitlists.models import LargestBreach, RegionKind

from . import access
from .models import (
    CAPACITY_STALE_AFTER_DAYS,
    Candidate,
    CandidateState,
    Capacity,
    Proposal,
    ProposalState,
    Transfer,
    TransferState,
)
from .proposals import capacity_left

Region = tuple[str, str]


def region_label(region: Region) -> str:
    kind, code = region
    try:
        kind_label = str(RegionKind(kind).label)
    except ValueError:
        kind_label = kind
    name = region_name(region)
    return f"{kind_label} {name}" if name else f"{kind_label} {code}"


def region_name(region: Region) -> str:
    from vangnet.regions.models import Province, SafetyRegion, Table

    kind, code = region
    if kind == RegionKind.SAFETY_REGION:
        return SafetyRegion.objects.filter(code=code).values_list("name", flat=True).first() or ""
    if kind == RegionKind.PROVINCE:
        return Province.objects.filter(code=code).values_list("name", flat=True).first() or ""
    if kind == RegionKind.TABLE and code.isdigit():
        return Table.objects.filter(number=int(code)).values_list("name", flat=True).first() or ""
    return ""


def candidates_qs() -> QuerySet[Candidate]:
    return Candidate.objects.select_related(
        "diagnosis_group", "municipality", "current_provider", "put_forward_organisation"
    )


def visible_candidates(actor: Actor) -> QuerySet[Candidate]:
    return candidates_qs().filter(pk__in=access.visible_candidates(actor).values("pk"))


def candidate_by_reference(reference: str) -> Candidate | None:
    return (
        candidates_qs()
        .prefetch_related("transfers__receiving_location", "refused_providers")
        .filter(reference=reference)
        .first()
    )


@dataclass
class CapacityRow:
    capacity: Capacity
    stale: bool
    left: int


# Every list here is paged by keyset with a visible "Meer tonen" (issue 12: no silent caps).
# Capacity is ordered by organisation, location, group and week for reading: it pages on all
# of them with the id last, and its cursor names only the last row's id (no names in a URL).
PAGE_SIZE = 50


CAPACITY_ORDER = (
    "location__organisation__name",
    "location__name",
    "diagnosis_group__position",
    "week",
    "pk",
)


def capacity_qs(qs: QuerySet[Capacity]) -> QuerySet[Capacity]:
    return (
        qs.filter(valid_until__gte=timezone.localdate())
        .select_related("location__organisation", "diagnosis_group")
        .order_by(*CAPACITY_ORDER)
    )


def capacity_rows(rows: Iterable[Capacity]) -> list[CapacityRow]:
    rows = list(rows)
    left = capacity_left(rows)
    now = timezone.now()
    return [CapacityRow(r, r.is_stale(now), left[r.pk]) for r in rows]


def capacity_page(
    qs: QuerySet[Capacity], cursor: str | None
) -> tuple[Page[Capacity], list[CapacityRow]]:
    page = keyset_page_by(
        capacity_qs(qs),
        order=CAPACITY_ORDER,
        cursor=cursor,
        size=PAGE_SIZE,
        name="capaciteit",
        anchor=True,
    )
    return page, capacity_rows(page.rows)


def region_capacity_qs(region: Region) -> QuerySet[Capacity]:
    from vangnet.regions.selectors import region_grouping

    grouping = region_grouping(region[0], on=timezone.localdate())
    codes = [m for m, r in grouping.items() if r == region[1]]
    return Capacity.objects.filter(
        Q(location__municipality__code__in=codes) | Q(location__remote=True)
    )


def own_locations(actor: Actor) -> QuerySet[Location]:
    orgs = {m.organisation_id for m in access.capacity_memberships(actor)}
    return Location.objects.filter(organisation_id__in=orgs).select_related("organisation")


def own_capacity_qs(actor: Actor) -> QuerySet[Capacity]:
    return Capacity.objects.filter(location__in=own_locations(actor))


@dataclass
class LeadProvider:
    provider: Organisation
    period: object
    over_norm: int


def lead_provider(region: Region) -> LeadProvider | None:
    """The region's provider with the largest Treeknorm breaches in the latest month (seed 002:
    it takes the lead in setting up the transfer mechanism)."""
    row = (
        LargestBreach.objects.filter(region_kind=region[0], region_code=region[1])
        .select_related("provider")
        .order_by("-period", "-over_norm")
        .first()
    )
    if row is None:
        return None
    return LeadProvider(row.provider, row.period, row.over_norm)


@dataclass
class Desk:
    region: Region
    label: str
    counts: dict[str, int]
    by_state: dict[str, list[Candidate]]
    screening: list[Candidate]
    capacity: list[CapacityRow]
    capacity_total: int
    proposal: Proposal | None
    transfers: dict[str, list[Transfer]] = field(default_factory=dict)
    transfer_counts: dict[str, int] = field(default_factory=dict)
    lead: LeadProvider | None = None
    stale_after_days: int = CAPACITY_STALE_AFTER_DAYS


# Each section of the desk page shows its first rows and "de eerste N van M" with a link to
# the full, paged list of that section (`desk_candidates`, `desk_transfers`, region capacity).
LIST_LIMIT = 100

# Orders of the paged lists; the desk sections show the first rows in the same order.
CANDIDATE_ORDER = ("waiting_since", "pk")
TRANSFER_ORDER = ("-updated_at", "-pk")


def region_candidates(region: Region) -> QuerySet[Candidate]:
    return candidates_qs().filter(region_kind=region[0], region_code=region[1])


def region_transfers(region: Region) -> QuerySet[Transfer]:
    return Transfer.objects.filter(
        candidate__region_kind=region[0], candidate__region_code=region[1]
    ).select_related("candidate", "receiving_location__organisation")


def desk_candidates(region: Region, state: str, cursor: str | None) -> Page[Candidate]:
    return keyset_page(
        region_candidates(region).filter(state=state),
        field="waiting_since",
        cursor=cursor,
        size=PAGE_SIZE,
        descending=False,
    )


def desk_transfers(region: Region, state: str, cursor: str | None) -> Page[Transfer]:
    return keyset_page(
        region_transfers(region).filter(state=state),
        field="updated_at",
        cursor=cursor,
        size=PAGE_SIZE,
    )


def desk(region: Region) -> Desk:
    """The desk page of a region (the caller checked `access.require_desk`). A fixed number of
    queries: one count per kind of list plus one query per state, whatever the region holds."""
    qs = region_candidates(region)
    by_state: dict[str, list[Candidate]] = {s: [] for s in CandidateState.values}
    counts = {s: 0 for s in CandidateState.values}
    for row in qs.values("state").order_by().annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    for s in CandidateState.values:
        if counts[s]:
            by_state[s] = list(qs.filter(state=s).order_by(*CANDIDATE_ORDER)[:LIST_LIMIT])
    transfer_qs = region_transfers(region)
    transfer_counts = {s: 0 for s in TransferState.values}
    for row in transfer_qs.values("state").order_by().annotate(n=Count("id")):
        transfer_counts[row["state"]] = row["n"]
    transfers: dict[str, list[Transfer]] = {s: [] for s in TransferState.values}
    for s in TransferState.values:
        if transfer_counts[s]:
            transfers[s] = list(transfer_qs.filter(state=s).order_by(*TRANSFER_ORDER)[:LIST_LIMIT])
    capacity = capacity_qs(region_capacity_qs(region))
    proposal = (
        Proposal.objects.filter(
            region_kind=region[0], region_code=region[1], state=ProposalState.OPEN
        )
        .order_by("-created_at")
        .first()
    )
    return Desk(
        region=region,
        label=region_label(region),
        counts=counts,
        by_state=by_state,
        screening=by_state[CandidateState.AWAITING_SCREENING],
        capacity=capacity_rows(capacity[:LIST_LIMIT]),
        capacity_total=capacity.count(),
        proposal=proposal,
        transfers=transfers,
        transfer_counts=transfer_counts,
        lead=lead_provider(region),
    )


def screening_queue(actor: Actor, cursor: str | None) -> Page[Candidate]:
    """Oldest first, so the one waiting longest is screened first."""
    regions = access.screener_regions(actor)
    q = Q(pk__in=[])
    for (kind, code), m in regions.items():
        q |= Q(region_kind=kind, region_code=code) & ~Q(
            put_forward_organisation_id=m.organisation_id
        )
    return keyset_page(
        candidates_qs()
        .filter(q, state=CandidateState.AWAITING_SCREENING)
        .exclude(put_forward_by=actor.user),
        field="created_at",
        cursor=cursor,
        size=PAGE_SIZE,
        descending=False,
    )


def visible_transfers(actor: Actor) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(candidate__in=access.visible_candidates(actor).values("pk"))
        .select_related("candidate", "receiving_location__organisation")
        .order_by("-updated_at")
    )
