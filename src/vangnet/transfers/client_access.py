"""Who may do what around the client journey and the monthly reports (issue 14 §4, §5).

Kept apart from the desk's own access rules so both could be built at the same time:

* A candidate's client page, letter and personal codes: the process owner of the candidate's
  region (the desk), and whoever put the client forward — the person, or a colleague of their
  organisation in one of the roles that put clients forward.
* Monthly reports (aggregates only): monitor analysts and administrators for every region, a
  process owner for their own regions.

Every refusal is a `NotAllowed` that the views turn into a 403 with a "denied" log row.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed
from vangnet.waitlists.models import ProcessOwnerRegion

from .models import Candidate

# The roles that put a client forward for transfer (issue 14 §2).
PUT_FORWARD_ROLES = (
    Role.DATA_OFFICER,
    Role.CLINICIAN,
    Role.GENERAL_PRACTITIONER,
    Role.CLIENT_SUPPORTER,
    Role.ZORGBEMIDDELING,
)
REPORT_ROLES_ALL_REGIONS = (Role.MONITOR_ANALYST, Role.ADMINISTRATOR)


def owned_regions(actor: Actor) -> list[tuple[str, str, Membership]]:
    """(region kind, region code, membership) of the regions the actor is process owner of."""
    ids = {m.id: m for m in actor.memberships if m.role == Role.PROCESS_OWNER}
    if not ids:
        return []
    return [
        (r.region_kind, r.region_code, ids[r.membership_id])
        for r in ProcessOwnerRegion.objects.filter(membership_id__in=ids).order_by(
            "region_kind", "region_code"
        )
    ]


def staff_membership(actor: Actor, candidate: Candidate) -> Membership | None:
    for kind, code, membership in owned_regions(actor):
        if (kind, code) == (candidate.region_kind, candidate.region_code):
            return membership
    for m in actor.memberships:
        if m.role in PUT_FORWARD_ROLES and (
            candidate.put_forward_by_id == actor.user.pk
            or m.organisation_id == candidate.put_forward_organisation_id
        ):
            return m
    return None


def require_staff(actor: Actor, candidate: Candidate, *, action: str = Action.READ) -> Membership:
    membership = staff_membership(actor, candidate)
    if membership is None:
        if not isinstance(actor.user, AnonymousUser):
            access_log_write(
                actor=actor,
                action=action,
                outcome=Outcome.DENIED,
                detail=f"transferkandidaat {candidate.reference}: cliëntpagina of code",
            )
        raise NotAllowed(
            "Alleen het transferpunt van de regio en wie de cliënt heeft aangedragen, kunnen de "
            "cliëntpagina en de persoonlijke code beheren."
        )
    return membership


def report_regions(actor: Actor) -> list[tuple[str, str]] | None:
    """The regions whose reports the actor may read: None for every region, [] for none."""
    if any(actor.has_role(r) for r in REPORT_ROLES_ALL_REGIONS):
        return None
    return [(kind, code) for kind, code, _ in owned_regions(actor)]


def require_report(actor: Actor, *, kind: str, code: str) -> Membership:
    """The membership under which the actor reads the region's reports."""
    for role in REPORT_ROLES_ALL_REGIONS:
        membership = actor.membership_for(role=role)
        if membership is not None:
            return membership
    for k, c, membership in owned_regions(actor):
        if (k, c) == (kind, code):
            return membership
    raise NotAllowed(
        "De maandcijfers van het transfermechanisme zijn er voor de proceseigenaar van de regio, "
        "monitoranalisten en beheerders."
    )
