"""Writing the access log. Every read, list, search, export and change of case data calls this."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import connection

from . import context
from .models import AccessLogEntry, Action, Outcome
from .sealing import access_log_seal, access_log_verify

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
    credential = context.credential.get()
    if credential is None:
        credential = "session" if user is not None else ""
    fields: dict[str, Any] = {
        "user": user,
        "username": actor.user.get_username() if user else "anoniem",
        "role": membership.role if membership else "",
        "organisation": membership.organisation.name if membership else "",
        "case_id": case_id,
        "case_reference": case_reference,
        "action": action,
        "outcome": outcome,
        "channel": channel,
        "credential": credential,
        "detail": detail[:200],
    }
    entry = AccessLogEntry.objects.create(**fields)
    rescue = context.pending.get()
    if rescue is not None:
        rescue.append((entry.pk, fields, connection.in_atomic_block))
    return entry


# Only a well-formed case reference goes into the log, never arbitrary typed text.
CASE_REFERENCE = re.compile(r"^VN-\d{4}-\d{5}$")


def access_log_attempt(
    *, user: Any, case_reference: str, channel: str, detail: str, credential: str | None = None
) -> AccessLogEntry | None:
    """Log a refused attempt on a case address by someone not (fully) authenticated.

    Written before any login redirect or 401 answer. `user` is the anonymous user, or a user
    who has not confirmed the second factor; `credential` names a rejected API token.
    """
    from vangnet.accounts.selectors import actor_for

    if not CASE_REFERENCE.match(case_reference or ""):
        return None
    if credential is not None:
        context.credential.set(credential)
    return access_log_write(
        actor=actor_for(user),
        action=Action.READ,
        outcome=Outcome.DENIED,
        case_reference=case_reference,
        channel=channel,
        detail=detail,
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


def access_log_rescue(rows: list[tuple[int, dict[str, Any]]]) -> list[int]:
    """Write again every remembered row whose transaction rolled back. Returns their new ids."""
    if not rows:
        return []
    kept = set(
        AccessLogEntry.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", flat=True)
    )
    lost = [fields for pk, fields in rows if pk not in kept]
    return [AccessLogEntry.objects.create(**fields).pk for fields in lost]


def account_log_write(*, actor: str, subject: str, action: str, detail: str = "") -> None:
    """Append one row to the administrators' account log (never passwords or keys)."""
    from .models import AccountLogEntry

    AccountLogEntry.objects.create(
        actor=actor[:150], subject=subject[:150], action=action[:40], detail=detail[:500]
    )


__all__ = [
    "Action",
    "Outcome",
    "access_log_attempt",
    "access_log_rescue",
    "access_log_seal",
    "access_log_verify",
    "access_log_write",
    "access_log_write_many",
]
