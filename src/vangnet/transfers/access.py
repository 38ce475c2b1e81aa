"""Who may see and do what in the transfer mechanism. The one place for these rules (criterion c:
patient data are exchanged under the AVG, so each party sees only what its part needs).

* The desk: a PROCESS_OWNER with a `waitlists.ProcessOwnerRegion` for the candidate's region sees
  the region's candidates, capacity, proposals and transfers, and runs them.
* Whoever put the client forward (an active membership in a put-forward role at that
  organisation) sees their own candidates and records the client's answer to an offer.
* The receiving provider (data officer or clinician of the receiving location's organisation)
  sees a candidate once matched: from the client's acceptance on. The sending provider (where the
  client waits) takes part in the warm handover from then on too.
* Zorgbemiddeling (ZORGBEMIDDELING at an insurer) sees only transfers it is attached to, of its
  own insured.
* A TRANSFER_SCREENER sees candidates awaiting screening in their region(s) (the table of their
  membership, or the regions of their organisation's municipality) that another organisation put
  forward.

Every granted read is logged in the access log with the candidate's reference; every refusal is
a 403 and a "denied" row (`candidate_access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed
from vangnet.regions.selectors import region_grouping
from vangnet.waitlists.models import ProcessOwnerRegion, RegionKind

from .models import Candidate, CandidateState, PutForwardBy, Transfer
from .workflow import MATCHED_STATES

# Who may put a client forward, and as what (seed 002: provider, GP, client supporter, insurer).
PUT_FORWARD_ROLES: dict[str, str] = {
    Role.DATA_OFFICER: PutForwardBy.PROVIDER,
    Role.CLINICIAN: PutForwardBy.PROVIDER,
    Role.GENERAL_PRACTITIONER: PutForwardBy.GP,
    Role.CLIENT_SUPPORTER: PutForwardBy.CLIENT_SUPPORTER,
    Role.ZORGBEMIDDELING: PutForwardBy.ZORGBEMIDDELING,
}
PROVIDER_ROLES = (Role.DATA_OFFICER, Role.CLINICIAN)
# Capacity is published by the provider's own staff.
CAPACITY_ROLES = (Role.DATA_OFFICER, Role.PROVIDER_MANAGER)

Region = tuple[str, str]


@dataclass(frozen=True)
class Grant:
    """Why an actor may see a candidate: the membership and the part they play."""

    membership: Membership
    part: str  # desk, put_forward, receiving, sending, zorgbemiddeling, screener


# --- regions ----------------------------------------------------------------------------------


def desk_regions(actor: Actor) -> dict[Region, Membership]:
    ids = [m.id for m in actor.memberships if m.role == Role.PROCESS_OWNER]
    if not ids:
        return {}
    by_id = {m.id: m for m in actor.memberships}
    return {
        (r.region_kind, r.region_code): by_id[r.membership_id]
        for r in ProcessOwnerRegion.objects.filter(membership_id__in=ids).order_by("id")
    }


def require_desk(actor: Actor, region: Region) -> Membership:
    membership = desk_regions(actor).get(region)
    if membership is None:
        raise NotAllowed(
            "Alleen de proceseigenaar van deze regio werkt aan de transfertafel van de regio."
        )
    return membership


def require_desk_logged(
    actor: Actor, region: Region, *, channel: str = "web", detail: str = "transfertafel"
) -> Membership:
    """`require_desk`, with a denied row in the access log on refusal."""
    try:
        return require_desk(actor, region)
    except NotAllowed:
        log_denied(actor, action=Action.READ, channel=channel, detail=detail)
        raise


def municipality_regions(municipality_code: str) -> list[Region]:
    """Every region (of each kind) that holds the municipality today."""
    today = timezone.localdate()
    out: list[Region] = []
    for kind in RegionKind.values:
        code = region_grouping(kind, on=today).get(municipality_code)
        if code:
            out.append((kind, code))
    return out


def screener_regions(actor: Actor) -> dict[Region, Membership]:
    out: dict[Region, Membership] = {}
    for m in actor.memberships:
        if m.role != Role.TRANSFER_SCREENER:
            continue
        if m.table_id and m.table is not None:
            out.setdefault((RegionKind.TABLE, str(m.table.number)), m)
        municipality = m.organisation.municipality if m.organisation.municipality_id else None
        if municipality is not None:
            for region in municipality_regions(municipality.code):
                out.setdefault(region, m)
    return out


def candidate_region(candidate: Candidate) -> Region:
    return (candidate.region_kind, candidate.region_code)


# --- candidates -------------------------------------------------------------------------------


def _member_of(
    actor: Actor, organisation_id: int | None, roles: tuple[str, ...]
) -> Membership | None:
    if organisation_id is None:
        return None
    for m in actor.memberships:
        if m.organisation_id == organisation_id and m.role in roles:
            return m
    return None


def grant_for(actor: Actor, candidate: Candidate) -> Grant | None:
    """The first part under which `actor` may see `candidate`, or None."""
    grants = all_grants(actor, candidate)
    return grants[0] if grants else None


def visible_candidates_q(actor: Actor) -> Q | None:
    """The same rules as `grant_for`, as one filter (None: nothing visible)."""
    q = Q(pk__in=[])
    any_rule = False
    for kind, code in desk_regions(actor):
        q |= Q(region_kind=kind, region_code=code)
        any_rule = True
    own = {m.organisation_id for m in actor.memberships if m.role in PUT_FORWARD_ROLES}
    if own:
        q |= Q(put_forward_organisation_id__in=own)
        any_rule = True
    providers = {m.organisation_id for m in actor.memberships if m.role in PROVIDER_ROLES}
    if providers:
        matched = Transfer.objects.filter(state__in=MATCHED_STATES)
        q |= Q(
            pk__in=matched.filter(receiving_location__organisation_id__in=providers).values(
                "candidate_id"
            )
        )
        q |= Q(current_provider_id__in=providers, pk__in=matched.values("candidate_id"))
        any_rule = True
    insurers = {m.organisation_id for m in actor.memberships if m.role == Role.ZORGBEMIDDELING}
    if insurers:
        q |= Q(insurer_id__in=insurers, transfers__zorgbemiddeling_id=F("insurer_id"))
        any_rule = True
    screening = screener_regions(actor)
    if screening:
        for (kind, code), m in screening.items():
            q |= Q(
                state=CandidateState.AWAITING_SCREENING, region_kind=kind, region_code=code
            ) & ~Q(put_forward_organisation_id=m.organisation_id)
        any_rule = True
    return q if any_rule else None


def visible_candidates(actor: Actor) -> QuerySet[Candidate]:
    q = visible_candidates_q(actor)
    if q is None:
        return Candidate.objects.none()
    return Candidate.objects.filter(q).distinct()


def candidate_access(
    actor: Actor,
    candidate: Candidate,
    *,
    action: str,
    channel: str = "web",
    detail: str = "",
    parts: tuple[str, ...] | None = None,
) -> Grant:
    """Check that `actor` may see `candidate` (optionally: in one of `parts`) and log it.
    Raises NotAllowed, logged as denied."""
    grants = [g for g in all_grants(actor, candidate) if parts is None or g.part in parts]
    if not grants:
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            case_reference=candidate.reference,
            channel=channel,
            detail=detail or "transferkandidaat",
        )
        raise NotAllowed("U heeft geen toegang tot deze transferkandidaat.")
    grant = grants[0]
    access_log_write(
        actor=actor,
        action=action,
        case_reference=candidate.reference,
        membership=grant.membership,
        channel=channel,
        detail=detail or f"transferkandidaat ({grant.part})",
    )
    return grant


def all_grants(actor: Actor, candidate: Candidate) -> list[Grant]:
    out: list[Grant] = []
    desk = desk_regions(actor).get(candidate_region(candidate))
    if desk is not None:
        out.append(Grant(desk, "desk"))
    own = _member_of(actor, candidate.put_forward_organisation_id, tuple(PUT_FORWARD_ROLES))
    if own is not None:
        out.append(Grant(own, "put_forward"))
    matched = [t for t in candidate.transfers.all() if t.state in MATCHED_STATES]
    for t in matched:
        receiving = _member_of(actor, t.receiving_location.organisation_id, PROVIDER_ROLES)
        if receiving is not None:
            out.append(Grant(receiving, "receiving"))
            break
    if matched:
        sending = _member_of(actor, candidate.current_provider_id, PROVIDER_ROLES)
        if sending is not None:
            out.append(Grant(sending, "sending"))
    for t in candidate.transfers.all():
        if t.zorgbemiddeling_id and t.zorgbemiddeling_id == candidate.insurer_id:
            zb = _member_of(actor, t.zorgbemiddeling_id, (Role.ZORGBEMIDDELING,))
            if zb is not None:
                out.append(Grant(zb, "zorgbemiddeling"))
                break
    if candidate.state == CandidateState.AWAITING_SCREENING:
        screener = screener_regions(actor).get(candidate_region(candidate))
        if (
            screener is not None
            and screener.organisation_id != candidate.put_forward_organisation_id
        ):
            out.append(Grant(screener, "screener"))
    return out


def handover_membership(actor: Actor, transfer: Transfer) -> Membership | None:
    """The sending or receiving provider's membership of `actor` for a warm handover."""
    return _member_of(
        actor, transfer.receiving_location.organisation_id, PROVIDER_ROLES
    ) or _member_of(actor, transfer.candidate.current_provider_id, PROVIDER_ROLES)


def can_put_forward(actor: Actor) -> list[Membership]:
    return [m for m in actor.memberships if m.role in PUT_FORWARD_ROLES]


def capacity_memberships(actor: Actor) -> list[Membership]:
    return [m for m in actor.memberships if m.role in CAPACITY_ROLES]


def is_screener(actor: Actor) -> bool:
    return actor.has_role(Role.TRANSFER_SCREENER)


def log_denied(actor: Actor, *, action: str, channel: str, detail: str) -> None:
    access_log_write(
        actor=actor, action=action, outcome=Outcome.DENIED, channel=channel, detail=detail
    )
