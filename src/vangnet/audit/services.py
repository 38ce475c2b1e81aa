"""Writing the access log. Every read, list, search, export and change of case data calls this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import AccessLogEntry, Action, Outcome

if TYPE_CHECKING:
    from vangnet.accounts.models import Membership
    from vangnet.accounts.selectors import Actor


def access_log_write(
    *,
    actor: Actor,
    action: str,
    outcome: str = Outcome.ALLOWED,
    case_id: int | None = None,
    case_reference: str = "",
    membership: Membership | None = None,
    channel: str = "web",
    detail: str = "",
) -> AccessLogEntry:
    membership = membership or actor.primary
    user = actor.user if actor.user.is_authenticated else None
    return AccessLogEntry.objects.create(
        user=user,
        username=actor.user.get_username() if user else "anoniem",
        role=membership.role if membership else "",
        organisation=membership.organisation.name if membership else "",
        case_id=case_id,
        case_reference=case_reference,
        action=action,
        outcome=outcome,
        channel=channel,
        detail=detail[:200],
    )


def access_log_write_many(
    *,
    actor: Actor,
    action: str,
    details: list[str],
    membership: Membership | None = None,
    channel: str = "web",
) -> None:
    """One entry per detail in a single INSERT (a national waiting-list import logs one line
    per provider: 1,500 separate INSERTs cost seconds). No case data: `case_id` stays empty."""
    membership = membership or actor.primary
    user = actor.user if actor.user.is_authenticated else None
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                user=user,
                username=actor.user.get_username() if user else "anoniem",
                role=membership.role if membership else "",
                organisation=membership.organisation.name if membership else "",
                action=action,
                outcome=Outcome.ALLOWED,
                channel=channel,
                detail=detail[:200],
            )
            for detail in details
        ],
        batch_size=1000,
    )


__all__ = ["Action", "Outcome", "access_log_write", "access_log_write_many"]
