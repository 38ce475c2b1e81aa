"""Who may do what around the client journey and the monthly reports (issue 14 §4, §5).

* A candidate's client page, letter and personal codes: the desk of the candidate's region and
  whoever put the client forward (their organisation in a put-forward role), by the desk's own
  rules (`access.candidate_access`, which logs every grant and refusal with the reference).
* Monthly reports (aggregates only): monitor analysts and administrators for every region, a
  process owner for their own regions.

Every refusal is a `NotAllowed` that the views turn into a 403 with a "denied" log row.
"""

from __future__ import annotations

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.common.errors import NotAllowed

from . import access
from .models import Candidate

REPORT_ROLES_ALL_REGIONS = (Role.MONITOR_ANALYST, Role.ADMINISTRATOR)


def owned_regions(actor: Actor) -> list[tuple[str, str, Membership]]:
    """(region kind, region code, membership) of the regions the actor runs the desk of."""
    return [(kind, code, m) for (kind, code), m in sorted(access.desk_regions(actor).items())]


def require_staff(
    actor: Actor, candidate: Candidate, *, action: str = Action.READ, detail: str = ""
) -> Membership:
    """The desk or whoever put the client forward (the desk's access rules), logged."""
    try:
        grant = access.candidate_access(
            actor,
            candidate,
            action=action,
            detail=detail or "cliëntpagina",
            parts=("desk", "put_forward"),
        )
    except NotAllowed as exc:
        raise NotAllowed(
            "Alleen het transferpunt van de regio en wie de cliënt heeft aangedragen, kunnen de "
            "cliëntpagina en de persoonlijke code beheren."
        ) from exc
    return grant.membership


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
