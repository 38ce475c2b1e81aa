"""Who may see and act on the bestuurlijke overlegtafel. The one place for these rules.

* Board members (BOARD_MEMBER) see the referrals that name their organisation, and record the
  decision on them. They see the summary written for them and the case's course in outline
  (state, term, rungs of the ladder, goals per organisation, financing) — never the patient's
  name, date of birth, BSN or address, never the registration's free text.
* Coordinators see the referrals of their table, put cases before the overlegtafel and record
  that a decision was carried out.
* Board members and coordinators may bring a case in through the regional doorzettingsmacht.
Every read of a referral writes one access-log row; a refusal writes a "denied" one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed

from .models import BoardReferral

DETAIL = "bestuurlijke overlegtafel"


def can_use(actor: Actor) -> bool:
    return actor.has_role(Role.BOARD_MEMBER) or bool(actor.table_ids(Role.COORDINATOR))


def visible_referrals(actor: Actor) -> QuerySet[BoardReferral]:
    condition = Q(pk__in=[])
    orgs = actor.organisation_ids(Role.BOARD_MEMBER)
    if orgs:
        condition |= Q(organisations__in=orgs)
    tables = actor.table_ids(Role.COORDINATOR)
    if tables:
        condition |= Q(table_id__in=tables)
    return BoardReferral.objects.filter(condition).distinct()


def referral_membership(
    actor: Actor, referral: BoardReferral, *, role: str | None = None
) -> Membership | None:
    """The membership under which `actor` sees `referral`; with `role`, only in that role (the
    decision is the board's, recording it carried out the coordinator's)."""
    orgs = set(referral.organisations.values_list("pk", flat=True))
    for m in actor.memberships:
        if role is not None and m.role != role:
            continue
        if m.role == Role.BOARD_MEMBER and m.organisation_id in orgs:
            return m
        if m.role == Role.COORDINATOR and m.table_id == referral.table_id:
            return m
    return None


def referral_access(
    actor: Actor,
    referral: BoardReferral,
    *,
    action: str,
    channel: str = "web",
    role: str | None = None,
) -> Membership:
    """Check that `actor` may see (or, with `role`, act on) `referral` and log the access,
    denials too."""
    membership = referral_membership(actor, referral, role=role)
    case = referral.case
    where = {"case_id": case.pk, "case_reference": case.reference} if case else {}
    detail = f"{DETAIL} agendapunt {referral.pk}"
    if membership is None:
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            channel=channel,
            detail=detail,
            **where,  # type: ignore[arg-type]
        )
        raise NotAllowed("Dit agendapunt van de bestuurlijke overlegtafel is niet voor u.")
    access_log_write(
        actor=actor,
        action=action,
        membership=membership,
        channel=channel,
        detail=detail,
        **where,  # type: ignore[arg-type]
    )
    return membership


def doorzettingsmacht_membership(actor: Actor) -> Membership | None:
    """The membership under which `actor` may bring a case in (board member first)."""
    return actor.membership_for(role=Role.BOARD_MEMBER) or actor.membership_for(
        role=Role.COORDINATOR
    )


def require_doorzettingsmacht(actor: Actor, *, channel: str = "web") -> Membership:
    membership = doorzettingsmacht_membership(actor)
    if membership is None:
        access_log_write(
            actor=actor,
            action="create",
            outcome=Outcome.DENIED,
            channel=channel,
            detail=f"{DETAIL}: doorzettingsmacht",
        )
        raise NotAllowed(
            "Alleen bestuurders en tafelcoördinatoren kunnen een casus via de regionale "
            "doorzettingsmacht inbrengen."
        )
    return membership
