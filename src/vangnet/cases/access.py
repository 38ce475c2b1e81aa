"""Object-level access to cases, and the access log written at every access boundary.

One function decides who may do what with a case. Views and API endpoints call `case_access`
exactly once per request, so every request that touches identifiable case data writes exactly one
access-log row — "allowed" or "denied".
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed

from .models import Case


class Permission(StrEnum):
    READ = "read"
    TRIAGE = "triage"  # propose a triage decision, move to another table
    SCREEN = "screen"  # four-eyes confirmation
    REFERRER_ACT = "referrer_act"


# Which roles grant which permission, for a table role (scoped to the case's table) or for the
# referrer role (scoped to the referring organisation).
TABLE_GRANTS: dict[str, set[Permission]] = {
    Role.COORDINATOR: {Permission.READ, Permission.TRIAGE, Permission.SCREEN},
    Role.SECOND_SCREENER: {Permission.READ, Permission.SCREEN},
}
REFERRER_GRANTS: set[Permission] = {Permission.READ, Permission.REFERRER_ACT}


def granting_membership(actor: Actor, case: Case, permission: Permission) -> Membership | None:
    for m in actor.memberships:
        if m.table_id == case.table_id and permission in TABLE_GRANTS.get(m.role, set()):
            return m
        if (
            m.role == Role.REFERRER
            and m.organisation_id == case.referrer_organisation_id
            and permission in REFERRER_GRANTS
        ):
            return m
    return None


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Cases the actor may read: their table's cases, or their own organisation's referrals."""
    tables = {
        m.table_id for m in actor.memberships if Permission.READ in TABLE_GRANTS.get(m.role, set())
    }
    orgs = actor.organisation_ids(Role.REFERRER)
    if not tables and not orgs:
        return Case.objects.none()
    return Case.objects.filter(Q(table_id__in=tables) | Q(referrer_organisation_id__in=orgs))


def case_access(
    actor: Actor,
    case: Case,
    *,
    permission: Permission,
    action: str,
    channel: str = "web",
    detail: str = "",
) -> Membership:
    """Check `permission` on `case` and log the access. Raises NotAllowed (logged as denied)."""
    membership = granting_membership(actor, case, permission)
    if membership is None:
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            case_id=case.pk,
            case_reference=case.reference,
            channel=channel,
            detail=detail or permission.value,
        )
        raise NotAllowed()
    access_log_write(
        actor=actor,
        action=action,
        case_id=case.pk,
        case_reference=case.reference,
        membership=membership,
        channel=channel,
        detail=detail,
    )
    return membership


def log_list(
    actor: Actor, *, channel: str = "web", detail: str = "", action: str = Action.LIST
) -> None:
    access_log_write(actor=actor, action=action, channel=channel, detail=detail)
