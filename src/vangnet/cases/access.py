"""Object-level access to cases, and the access log written at every access boundary.

One function decides who may do what with a case. Views and API endpoints call `case_access`
exactly once per request, so every request that touches identifiable case data writes exactly one
access-log row — "allowed" or "denied".
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.models import Case
from vangnet.common.errors import NotAllowed


class Permission(StrEnum):
    READ = "read"
    TRIAGE = "triage"  # propose a triage decision, move to another table
    SCREEN = "screen"  # four-eyes confirmation
    REFERRER_ACT = "referrer_act"
    MANAGE = "manage"  # prepare, meetings, plan, follow-up, escalation, closure (coordinator)
    GOAL_RESPOND = "goal_respond"  # an organisation accepts or declines its goal
    CHECK_IN = "check_in"  # record progress per goal (coordinator or case director)
    FINANCING = "financing"  # the insurer's medical adviser: the part needed for financing
    DOCUMENT = "document"  # download attachments


# Which roles grant which permission, for a table role (scoped to the case's table) or for the
# referrer role (scoped to the referring organisation).
TABLE_GRANTS: dict[str, set[Permission]] = {
    Role.COORDINATOR: {
        Permission.READ,
        Permission.TRIAGE,
        Permission.SCREEN,
        Permission.MANAGE,
        Permission.CHECK_IN,
        Permission.DOCUMENT,
    },
    Role.SECOND_SCREENER: {Permission.READ, Permission.SCREEN},
}
REFERRER_GRANTS: set[Permission] = {Permission.READ, Permission.REFERRER_ACT, Permission.DOCUMENT}
# A table member's organisation sees a case only once invited and while consent covers it.
INVITED_GRANTS: set[Permission] = {
    Permission.READ,
    Permission.GOAL_RESPOND,
    Permission.CHECK_IN,
    Permission.DOCUMENT,
}
# The insurer's zorgbemiddeling reads a case of its own insured that it routed to the table itself
# (issue 16 §1): it registered the case for its insurer, which is also the patient's insurer.
ZORGBEMIDDELING_GRANTS: set[Permission] = {Permission.READ}
# The medical adviser sees only the financing part, and only for a request to their insurer.
ADVISER_GRANTS: set[Permission] = {Permission.FINANCING}


def invited_with_consent(case: Case, organisation_id: int) -> bool:
    from vangnet.cases.models import CaseParty, Consent

    today = timezone.localdate()
    invited = CaseParty.objects.filter(
        case=case, organisation_id=organisation_id, invited_at__isnull=False
    ).exists()
    if not invited:
        return False
    return (
        Consent.objects.filter(
            case=case,
            organisation_id=organisation_id,
            valid_from__lte=today,
            withdrawn_at__isnull=True,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )


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
        if (
            m.role == Role.TABLE_MEMBER
            and m.table_id == case.table_id
            and permission in INVITED_GRANTS
            and invited_with_consent(case, m.organisation_id)
        ):
            return m
        if (
            m.role == Role.ZORGBEMIDDELING
            and permission in ZORGBEMIDDELING_GRANTS
            and case.referrer_organisation_id == m.organisation_id
            and case.insurer_id == m.organisation_id
        ):
            return m
        if (
            m.role == Role.MEDICAL_ADVISER
            and permission in ADVISER_GRANTS
            and case.financing_decisions.filter(insurer_id=m.organisation_id).exists()
        ):
            return m
    return None


def granted_permissions(
    actor: Actor, case: Case, *, reader: Membership | None = None
) -> set[Permission]:
    """Every permission some membership of `actor` grants on `case`: the rules of
    `granting_membership`, with each membership's checks (and their queries) made once, for a
    page that asks about several permissions. `reader`: the membership `case_access` found to
    grant READ on this case in this request (an invited organisation's invitation and consent
    are then known to hold)."""
    granted: set[Permission] = set()
    for m in actor.memberships:
        if m.table_id == case.table_id:
            granted |= TABLE_GRANTS.get(m.role, set())
        if m.role == Role.REFERRER and m.organisation_id == case.referrer_organisation_id:
            granted |= REFERRER_GRANTS
        if (
            m.role == Role.TABLE_MEMBER
            and m.table_id == case.table_id
            and not granted >= INVITED_GRANTS
            and (
                (reader is not None and m.pk == reader.pk)
                or invited_with_consent(case, m.organisation_id)
            )
        ):
            granted |= INVITED_GRANTS
        if (
            m.role == Role.ZORGBEMIDDELING
            and case.referrer_organisation_id == m.organisation_id
            and case.insurer_id == m.organisation_id
        ):
            granted |= ZORGBEMIDDELING_GRANTS
        if (
            m.role == Role.MEDICAL_ADVISER
            and not granted >= ADVISER_GRANTS
            and case.financing_decisions.filter(insurer_id=m.organisation_id).exists()
        ):
            granted |= ADVISER_GRANTS
    return granted


def _invited_with_consent_q(organisation_id: int, *, today: date) -> Q:
    """Cases `organisation_id` is invited to while its consent covers today, as subqueries (the
    same rule as `invited_with_consent`, for many cases in one query)."""
    from vangnet.cases.models import CaseParty, Consent

    invited = CaseParty.objects.filter(
        organisation_id=organisation_id, invited_at__isnull=False
    ).values("case_id")
    consented = (
        Consent.objects.filter(
            organisation_id=organisation_id, valid_from__lte=today, withdrawn_at__isnull=True
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("case_id")
    )
    return Q(pk__in=invited) & Q(pk__in=consented)


def permission_q(actor: Actor, permission: Permission) -> Q | None:
    """The cases on which some membership of `actor` grants `permission`, as one condition (the
    rules of `granting_membership`, for lists: no query per case). None: no case at all."""
    today = timezone.localdate()
    parts: list[Q] = []
    for m in actor.memberships:
        if m.table_id and permission in TABLE_GRANTS.get(m.role, set()):
            parts.append(Q(table_id=m.table_id))
        if m.role == Role.REFERRER and permission in REFERRER_GRANTS:
            parts.append(Q(referrer_organisation_id=m.organisation_id))
        if m.role == Role.TABLE_MEMBER and m.table_id and permission in INVITED_GRANTS:
            parts.append(
                Q(table_id=m.table_id) & _invited_with_consent_q(m.organisation_id, today=today)
            )
        if m.role == Role.ZORGBEMIDDELING and permission in ZORGBEMIDDELING_GRANTS:
            parts.append(
                Q(referrer_organisation_id=m.organisation_id, insurer_id=m.organisation_id)
            )
        if m.role == Role.MEDICAL_ADVISER and permission in ADVISER_GRANTS:
            requested = Case.objects.filter(
                financing_decisions__insurer_id=m.organisation_id
            ).values("pk")
            parts.append(Q(pk__in=requested))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Cases the actor may read: their table's cases, their own organisation's referrals, and the
    cases their organisation is invited to while consent covers it (a table member)."""
    condition = permission_q(actor, Permission.READ)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


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
