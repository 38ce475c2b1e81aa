"""Who may use scenario analyses: the roles that see the waiting-list dashboards (monitor
analysts, administrators, process owners of the transfer mechanism). Scenarios hold aggregates
only; saved scenarios are shared among these roles so a taskforce can compare each other's.
The steering group has no role of its own in Vangnet: its members use one of these roles."""

from __future__ import annotations

from vangnet.accounts.selectors import Actor
from vangnet.common.errors import NotAllowed
from vangnet.waitlists.access import DASHBOARD_ROLES

ROLES = DASHBOARD_ROLES


def can_use(actor: Actor) -> bool:
    return any(actor.has_role(r) for r in ROLES)


def require(actor: Actor) -> None:
    if not can_use(actor):
        raise NotAllowed(
            "Scenarioanalyses zijn er voor monitoranalisten, beheerders en proceseigenaren."
        )
