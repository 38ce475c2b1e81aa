"""Proposals for a region's desk: screened candidates matched to fresh capacity by the exact
matching engine (`vangnet.engines.matching`), with the greedy rule as yardstick.

The instance (issue 14 §3): every SUITABLE candidate of the region; every capacity row (one
location × diagnosis group × week) that is fresh (published within 14 days), still valid and has
free slots left after the transfers that already hold one. A candidate may go to a capacity row

* of their diagnosis group, financed under their regime and within the age limits where the
  location's offers for that group state them (a location without such offers is taken at its
  word);
* at a location within their travel radius, in their own region, or in another region only when
  the client allows neighbouring regions; a remote (e-health) row serves its area (national, the
  province or the table region) at 0 km, and only clients who want e-health;
* not of a provider the client refuses.

Cost in tenths of a day (the engine's model, `engines/matching/instance.py`): the days beyond the
norm, ``current wait + 7 days handover + the row's expected wait - 98``, plus 0.1 day per km; the
client's preferred provider is cheaper by `PREFERRED_BONUS_DAYS`. Staying costs the days beyond
the norm at home: ``current wait + expected further wait at home - 98``. The engine chooses "stay"
when no transfer strictly helps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, InvalidTransition, NotFound
from vangnet.directory.models import Location, MunicipalityPoint, Offer, ServedArea
from vangnet.engines.matching import Problem, check_certificate, greedy, solve
from vangnet.engines.matching.instance import HANDOVER_DAYS, KM_COST_DAYS, NORM_DAYS
from vangnet.regions.models import Municipality, TableAssignment
from vangnet.regions.selectors import region_grouping

from . import access, workflow
from .models import (
    CAPACITY_STALE_AFTER_DAYS,
    Candidate,
    CandidateState,
    Capacity,
    FinancingRegime,
    LineDecision,
    Proposal,
    ProposalLine,
    ProposalState,
    Transfer,
    TransferEvent,
    TransferState,
)

PREFERRED_BONUS_DAYS = 5
FINANCING_OF_OFFER: dict[str, str] = {
    FinancingRegime.ZVW: "zvw",
    FinancingRegime.WLZ: "wlz",
    FinancingRegime.FORENSIC: "fz",
}

Region = tuple[str, str]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def fresh_capacity(today: date | None = None) -> Q:
    now = timezone.now()
    today = today or timezone.localdate()
    return Q(
        published_at__gte=now - timedelta(days=CAPACITY_STALE_AFTER_DAYS),
        valid_until__gte=today,
    )


def capacity_left(rows: list[Capacity]) -> dict[int, int]:
    """Free slots of each capacity row after the transfers that hold one."""
    held = dict(
        Transfer.objects.filter(
            capacity_id__in=[r.pk for r in rows], state__in=workflow.SLOT_STATES
        )
        .values("capacity_id")
        .annotate(n=Count("id"))
        .values_list("capacity_id", "n")
    )
    return {r.pk: max(0, r.free_slots - held.get(r.pk, 0)) for r in rows}


@dataclass
class Matching:
    """The engine's problem for a region and what each index stands for."""

    candidates: list[Candidate]
    rows: list[Capacity]
    problem: Problem
    km: dict[tuple[int, int], float]  # (candidate index, row index) -> km
    home_wait_days: list[int]
    current_wait_days: list[int]
    parameters: dict[str, float] = field(default_factory=dict)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _offer_rules(rows: list[Capacity]) -> dict[tuple[int, int], list[Offer]]:
    """(location, group) -> the location's offers for that group (for age and financing)."""
    loc_ids = {r.location_id for r in rows}
    group_ids = {r.diagnosis_group_id for r in rows}
    out: dict[tuple[int, int], list[Offer]] = {}
    through = Offer.diagnosis_groups.through
    links = through.objects.filter(
        offer__location_id__in=loc_ids, diagnosisgroup_id__in=group_ids
    ).select_related("offer")
    for link in links:
        out.setdefault((link.offer.location_id, link.diagnosisgroup_id), []).append(link.offer)
    return out


def _serves(location: Location, municipality: Municipality, table_of: dict[int, int]) -> bool:
    if location.served_area == ServedArea.NATIONAL:
        return True
    if location.served_area == ServedArea.PROVINCE:
        return location.served_province_id == municipality.province_id
    if location.served_area == ServedArea.REGION:
        return location.served_table_id is not None and location.served_table_id == table_of.get(
            municipality.pk
        )
    return False


def build_matching(region: Region, *, today: date | None = None) -> Matching:
    today = today or timezone.localdate()
    candidates = list(
        Candidate.objects.filter(
            region_kind=region[0], region_code=region[1], state=CandidateState.SUITABLE
        )
        .select_related("municipality", "preferred_provider")
        .prefetch_related("refused_providers")
        .order_by("waiting_since", "reference")
    )
    if not candidates:
        raise DomainError(
            "Er zijn in deze regio geen gescreende kandidaten die geschikt zijn voor transfer; "
            "een voorstel maken heeft nu geen zin.",
            code="no_candidates",
        )
    grouping = region_grouping(region[0], on=today)
    in_region = {m for m, r in grouping.items() if r == region[1]}
    any_neighbours = any(c.neighbouring_regions_ok for c in candidates)
    groups = {c.diagnosis_group_id for c in candidates}
    rows_q = Capacity.objects.filter(fresh_capacity(today), diagnosis_group_id__in=groups)
    if not any_neighbours:
        rows_q = rows_q.filter(
            Q(location__remote=True) | Q(location__municipality__code__in=in_region)
        )
    all_rows = list(
        rows_q.select_related("location__municipality", "location__organisation").order_by(
            "location_id", "diagnosis_group_id", "week", "pk"
        )
    )
    left = capacity_left(all_rows)
    rows = [r for r in all_rows if left[r.pk] > 0]
    offers = _offer_rules(rows)
    points = {
        p.municipality_id: p
        for p in MunicipalityPoint.objects.filter(
            municipality_id__in={c.municipality_id for c in candidates}
        )
    }
    table_of = dict(
        TableAssignment.objects.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .filter(municipality_id__in={c.municipality_id for c in candidates})
        .values_list("municipality_id", "table_id")
    )
    pairs_c: list[int] = []
    pairs_r: list[int] = []
    pairs_cost: list[int] = []
    km: dict[tuple[int, int], float] = {}
    stay: list[int] = []
    home_days: list[int] = []
    current_days: list[int] = []
    for i, c in enumerate(candidates):
        wait = c.current_wait_days(today)
        home = 7 * c.expected_home_wait_weeks
        current_days.append(wait)
        home_days.append(home)
        stay.append(10 * max(0, wait + home - NORM_DAYS))
        refused = {o.pk for o in c.refused_providers.all()}
        point = points.get(c.municipality_id)
        age = _age(c.birth_date, today)
        for j, r in enumerate(rows):
            loc = r.location
            if r.diagnosis_group_id != c.diagnosis_group_id or loc.organisation_id in refused:
                continue
            rules = offers.get((loc.pk, r.diagnosis_group_id))
            if rules and not any(
                o.financing == FINANCING_OF_OFFER.get(c.financing)
                and (o.age_min is None or age >= o.age_min)
                and (o.age_max is None or age <= o.age_max)
                for o in rules
            ):
                continue
            if loc.remote:
                if not c.ehealth_ok or not _serves(loc, c.municipality, table_of):
                    continue
                distance = 0.0
            else:
                if point is None or loc.latitude is None or loc.longitude is None:
                    continue
                municipality_code = loc.municipality.code if loc.municipality else ""
                if municipality_code not in in_region and not c.neighbouring_regions_ok:
                    continue
                distance = haversine_km(
                    point.latitude, point.longitude, loc.latitude, loc.longitude
                )
                if distance > c.travel_radius_km:
                    continue
            beyond = max(0, wait + HANDOVER_DAYS + 7 * r.expected_wait_weeks - NORM_DAYS)
            cost = 10 * beyond + int(np.rint(10 * KM_COST_DAYS * distance))
            if c.preferred_provider_id and loc.organisation_id == c.preferred_provider_id:
                cost = max(0, cost - 10 * PREFERRED_BONUS_DAYS)
            pairs_c.append(i)
            pairs_r.append(j)
            pairs_cost.append(cost)
            km[(i, j)] = round(distance, 1)
    problem = Problem.from_pairs(
        capacity=np.array([left[r.pk] for r in rows], dtype=np.int64),
        stay=np.array(stay, dtype=np.int64),
        candidate=np.array(pairs_c, dtype=np.int64),
        location=np.array(pairs_r, dtype=np.int64),
        cost=np.array(pairs_cost, dtype=np.int64),
    )
    return Matching(
        candidates=candidates,
        rows=rows,
        problem=problem,
        km=km,
        home_wait_days=home_days,
        current_wait_days=current_days,
        parameters={
            "norm_days": NORM_DAYS,
            "handover_days": HANDOVER_DAYS,
            "km_cost_days": KM_COST_DAYS,
            "preferred_bonus_days": PREFERRED_BONUS_DAYS,
            "stale_after_days": CAPACITY_STALE_AFTER_DAYS,
            "capacity_rows": len(rows),
            "pairs": len(pairs_c),
        },
    )


def proposal_run(*, actor: Actor, region: Region, channel: str = "web") -> Proposal:
    """Ask the engine for a proposal for the region's desk: a suggestion for people."""
    membership = access.require_desk_logged(actor, region, channel=channel, detail="voorstel")
    matching = build_matching(region)
    solution = solve(matching.problem)
    check = check_certificate(matching.problem, solution.location, solution.prices)
    yardstick = greedy(
        matching.problem, priority=np.array(matching.current_wait_days, dtype=np.float64)
    )
    with transaction.atomic():
        Proposal.objects.filter(
            region_kind=region[0], region_code=region[1], state=ProposalState.OPEN
        ).update(state=ProposalState.DECIDED)
        proposal = Proposal.objects.create(
            region_kind=region[0],
            region_code=region[1],
            requested_by=actor.user,
            objective=solution.objective,
            greedy_objective=yardstick.objective,
            stay_objective=int(matching.problem.stay.sum()),
            certificate_ok=check.ok,
            parameters=matching.parameters,
            candidate_count=len(matching.candidates),
        )
        lines = []
        for i, c in enumerate(matching.candidates):
            j = int(solution.location[i])
            row = matching.rows[j] if j >= 0 else None
            saved = 0.0
            if row is not None:
                saved = float(
                    matching.home_wait_days[i] - (HANDOVER_DAYS + 7 * row.expected_wait_weeks)
                )
            lines.append(
                ProposalLine(
                    proposal=proposal,
                    candidate=c,
                    location=row.location if row else None,
                    capacity=row,
                    days_saved=saved,
                    distance_km=matching.km.get((i, j)) if row else None,
                    cost=int(solution.cost[i]),
                )
            )
        ProposalLine.objects.bulk_create(lines)
        access_log_write(
            actor=actor,
            action=Action.CREATE,
            membership=membership,
            channel=channel,
            detail=f"transfervoorstel {region[0]} {region[1]} ({len(lines)} kandidaten)",
        )
    return proposal


def _line_for_update(line: ProposalLine) -> ProposalLine:
    locked = (
        # Lock the line only: PostgreSQL cannot lock the nullable side of the capacity join.
        ProposalLine.objects.select_for_update(of=("self",))
        .select_related("proposal", "candidate", "capacity")
        .get(pk=line.pk)
    )
    if locked.proposal.state != ProposalState.OPEN:
        raise InvalidTransition("Dit voorstel is vervangen door een nieuwer voorstel.")
    if locked.decision != LineDecision.PENDING:
        raise InvalidTransition(
            f"Over deze regel is al besloten ({LineDecision(locked.decision).label.lower()})."
        )
    return locked


def _create_transfer(
    *, actor: Actor, line: ProposalLine, capacity: Capacity, days_saved: float
) -> Transfer:
    candidate = Candidate.objects.select_for_update().get(pk=line.candidate_id)
    workflow.require_candidate_step(candidate.state, CandidateState.IN_TRANSFER)
    if capacity_left([capacity])[capacity.pk] <= 0:
        raise DomainError(
            "Deze capaciteit is inmiddels vol; kies een andere locatie.", field="capacity"
        )
    candidate.state = CandidateState.IN_TRANSFER
    candidate.save(update_fields=["state", "updated_at"])
    transfer = Transfer.objects.create(
        candidate=candidate,
        proposal_line=line,
        receiving_location=capacity.location,
        capacity=capacity,
        created_by=actor.user,
        days_saved=days_saved,
    )
    TransferEvent.objects.create(
        transfer=transfer, actor=actor.user, from_state="", to_state=TransferState.PROPOSED
    )
    return transfer


def _desk_for_line(actor: Actor, line: ProposalLine, channel: str, detail: str) -> None:
    access.candidate_access(
        actor, line.candidate, action=Action.UPDATE, channel=channel, detail=detail,
        parts=("desk",),
    )  # fmt: skip


def line_accept(*, actor: Actor, line: ProposalLine, channel: str = "web") -> Transfer:
    """The desk takes over a proposed transfer: it becomes a Transfer in state 'proposed'."""
    _desk_for_line(actor, line, channel, "voorstel overgenomen")
    if line.capacity_id is None:
        raise DomainError(
            "Volgens het voorstel blijft deze cliënt wachten waar hij of zij is; kies 'anders' "
            "om toch een locatie te kiezen."
        )
    with transaction.atomic():
        locked = _line_for_update(line)
        assert locked.capacity is not None
        transfer = _create_transfer(
            actor=actor, line=locked, capacity=locked.capacity, days_saved=locked.days_saved
        )
        locked.decision = LineDecision.ACCEPTED
        locked.save(update_fields=["decision"])
    return transfer


def change_options(line: ProposalLine) -> list[Capacity]:
    """Other fresh capacity rows of the candidate's group with room left (for 'change')."""
    rows = list(
        Capacity.objects.filter(
            fresh_capacity(), diagnosis_group_id=line.candidate.diagnosis_group_id
        )
        .exclude(location__organisation_id__in=line.candidate.refused_providers.all())
        .select_related("location__organisation")
        .order_by("expected_wait_weeks", "location__name", "week")[:200]
    )
    left = capacity_left(rows)
    return [r for r in rows if left[r.pk] > 0]


def line_change(
    *, actor: Actor, line: ProposalLine, capacity_id: int, channel: str = "web"
) -> Transfer:
    """The desk chooses another location with capacity than the engine proposed."""
    _desk_for_line(actor, line, channel, "voorstel aangepast")
    capacity = (
        Capacity.objects.filter(fresh_capacity(), pk=capacity_id).select_related("location").first()
    )
    if capacity is None:
        raise NotFound("Deze capaciteit bestaat niet of is verouderd.")
    if capacity.diagnosis_group_id != line.candidate.diagnosis_group_id:
        raise DomainError(
            "Deze capaciteit is voor een andere diagnosegroep dan die van de cliënt.",
            field="capacity",
        )
    if line.candidate.refused_providers.filter(pk=capacity.location.organisation_id).exists():
        raise DomainError("De cliënt wil niet naar deze aanbieder.", field="capacity")
    with transaction.atomic():
        locked = _line_for_update(line)
        saved = float(
            7 * locked.candidate.expected_home_wait_weeks
            - (HANDOVER_DAYS + 7 * capacity.expected_wait_weeks)
        )
        transfer = _create_transfer(actor=actor, line=locked, capacity=capacity, days_saved=saved)
        locked.decision = LineDecision.CHANGED
        locked.save(update_fields=["decision"])
    return transfer


def line_drop(*, actor: Actor, line: ProposalLine, channel: str = "web") -> ProposalLine:
    _desk_for_line(actor, line, channel, "voorstel vervallen")
    with transaction.atomic():
        locked = _line_for_update(line)
        locked.decision = LineDecision.DROPPED
        locked.save(update_fields=["decision"])
    return locked
