"""Who may do what with waiting-list data. The one place for these permission rules.

* Dashboards, counts and exports (aggregates only): monitor analysts, administrators and
  process owners of the transfer mechanism.
* The region's own parties see the dashboards (still aggregates only: counts, breaches, pauses,
  published waiting times) of their own regions — the regions, of each kind, that hold their
  organisation's municipality: providers' data officers and managers, insurers' zorgbemiddeling
  and GPs (seed 002 criteria h and j, speerpunt 4: the region works on shared figures). They are
  notified when a provider of their veiligheidsregio starts or ends a registration pause.
* Uploads: a provider's data officer, for their own organisation only.
* Registration pauses: recorded by the provider's data officer, or by a process owner for the
  providers located in one of their regions (`ProcessOwnerRegion`); read by every signed-in user
  (referrers and GPs need them to know where to refer).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.common.errors import NotAllowed
from vangnet.directory.models import Organisation
from vangnet.regions.selectors import region_grouping, region_municipalities

from .models import ProcessOwnerRegion

DASHBOARD_ROLES = (Role.MONITOR_ANALYST, Role.ADMINISTRATOR, Role.PROCESS_OWNER)
# Who sees the aggregates of their own organisation's regions (issue 16 §4).
REGION_ROLES = (
    Role.DATA_OFFICER,
    Role.PROVIDER_MANAGER,
    Role.ZORGBEMIDDELING,
    Role.GENERAL_PRACTITIONER,
)


def can_view_dashboards(actor: Actor) -> bool:
    return any(actor.has_role(r) for r in DASHBOARD_ROLES)


def require_dashboards(actor: Actor) -> Membership:
    for role in DASHBOARD_ROLES:
        membership = actor.membership_for(role=role)
        if membership is not None:
            return membership
    raise NotAllowed(
        "Wachtlijstoverzichten zijn er voor monitoranalisten, beheerders en proceseigenaren."
    )


def region_memberships(actor: Actor) -> list[Membership]:
    return [m for m in actor.memberships if m.role in REGION_ROLES]


def own_regions(actor: Actor) -> list[tuple[str, str, Membership]]:
    """(region kind, region code, membership) of the regions the organisation of a data officer,
    provider manager, zorgbemiddelaar or GP is located in, one per kind; an organisation without
    municipality has none."""
    from .models import RegionKind

    out: list[tuple[str, str, Membership]] = []
    today = timezone.localdate()
    for m in region_memberships(actor):
        municipality = m.organisation.municipality if m.organisation_id else None
        if municipality is None:
            continue
        for kind in RegionKind.values:
            code = region_grouping(kind, on=today).get(municipality.code)
            if code is not None and (kind, code) not in [(k, c) for k, c, _ in out]:
                out.append((kind, code, m))
    return out


def require_region_dashboard(actor: Actor, *, kind: str, code: str) -> Membership:
    """The membership under which `actor` may see the region's aggregates."""
    if can_view_dashboards(actor):
        return require_dashboards(actor)
    for k, c, membership in own_regions(actor):
        if (k, c) == (kind, code):
            return membership
    raise NotAllowed(
        "Wachtlijstoverzichten zijn er voor monitoranalisten, beheerders en proceseigenaren; "
        "datafunctionarissen, managers van aanbieders, zorgbemiddelaars en huisartsen zien het "
        "overzicht van de eigen regio."
    )


def upload_memberships(actor: Actor) -> list[Membership]:
    return [m for m in actor.memberships if m.role == Role.DATA_OFFICER]


def can_upload(actor: Actor) -> bool:
    return bool(upload_memberships(actor))


def can_read_pauses(actor: Actor) -> bool:
    return bool(actor.memberships)


def providers_in_region(kind: str, code: str) -> QuerySet[Organisation]:
    """Providers (organisations with an AGB code) located in a municipality of the region."""
    municipalities = region_municipalities(kind, code, on=timezone.localdate())
    return Organisation.objects.exclude(agb_code="").filter(municipality__in=municipalities)


def _process_owner_regions(actor: Actor) -> list[ProcessOwnerRegion]:
    ids = [m.id for m in actor.memberships if m.role == Role.PROCESS_OWNER]
    return list(
        ProcessOwnerRegion.objects.filter(membership_id__in=ids).select_related("membership")
    )


def pause_membership(actor: Actor, provider: Organisation) -> Membership | None:
    """The membership under which `actor` may record or end a pause for `provider`, if any."""
    for m in actor.memberships:
        if m.role == Role.DATA_OFFICER and m.organisation_id == provider.pk:
            return m
    regions = _process_owner_regions(actor)
    if regions and provider.municipality_id:
        code = provider.municipality.code if provider.municipality else ""
        today = timezone.localdate()
        groupings: dict[str, dict[str, str]] = {}
        for r in regions:
            if r.region_kind not in groupings:
                groupings[r.region_kind] = region_grouping(r.region_kind, on=today)
            if groupings[r.region_kind].get(code) == r.region_code:
                return r.membership
    return None


def require_pause_membership(actor: Actor, provider: Organisation) -> Membership:
    membership = pause_membership(actor, provider)
    if membership is None:
        raise NotAllowed(
            "Alleen de datafunctionaris van deze aanbieder of de proceseigenaar van de regio "
            "kan een aanmeldpauze vastleggen."
        )
    return membership


def can_pause(actor: Actor) -> bool:
    """Whether `pausable_providers(actor)` holds any provider, without listing them."""
    if any(m.role == Role.DATA_OFFICER and m.organisation_id for m in actor.memberships):
        return True
    return any(
        providers_in_region(r.region_kind, r.region_code).exists()
        for r in _process_owner_regions(actor)
    )


def pausable_providers(actor: Actor) -> QuerySet[Organisation]:
    ids = {m.organisation_id for m in actor.memberships if m.role == Role.DATA_OFFICER}
    for r in _process_owner_regions(actor):
        ids |= set(providers_in_region(r.region_kind, r.region_code).values_list("id", flat=True))
    return Organisation.objects.filter(id__in=ids).order_by("name")
