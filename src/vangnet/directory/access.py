"""Who may do what with the sociale kaart. The one place for these permission rules.

* Reading (search page, API): every signed-in user with an active membership.
* Editing: a member with the role *sociale kaart beheren* (`DIRECTORY_EDITOR`) edits the locations
  and offers of their own organisation only. Every refused attempt is written to the access log.
* The public region page needs no login and shows only low-threshold offers.
"""

from __future__ import annotations

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed

SEARCH_ROLES = (
    Role.COORDINATOR,
    Role.TABLE_MEMBER,
    Role.SECOND_SCREENER,
    Role.REFERRER,
    Role.PROCESS_OWNER,
    Role.DIRECTORY_EDITOR,
    Role.ADMINISTRATOR,
)

NOT_YOUR_ORGANISATION = (
    "U kunt alleen de sociale kaart van uw eigen organisatie bijwerken. Vraag de beheerder van "
    "die organisatie om de wijziging."
)


def can_read(actor: Actor) -> bool:
    return bool(actor.memberships)


def can_search(actor: Actor) -> bool:
    return any(actor.has_role(r) for r in SEARCH_ROLES)


def require_search(actor: Actor) -> None:
    if not can_search(actor):
        raise NotAllowed(
            "De sociale kaart is er voor coördinatoren, tafelleden, verwijzers, proceseigenaren "
            "en beheerders van de sociale kaart."
        )


def editor_organisation_ids(actor: Actor) -> set[int]:
    return actor.organisation_ids(Role.DIRECTORY_EDITOR)


def editor_membership(actor: Actor, organisation_id: int) -> Membership | None:
    for m in actor.memberships:
        if m.role == Role.DIRECTORY_EDITOR and m.organisation_id == organisation_id:
            return m
    return None


def require_editor(
    actor: Actor, organisation_id: int, *, what: str, channel: str = "web"
) -> Membership:
    """The actor's editor membership for the organisation; otherwise the refusal is logged and
    NotAllowed raised. Call outside a transaction that the refusal would roll back."""
    membership = editor_membership(actor, organisation_id)
    if membership is None:
        access_log_write(
            actor=actor,
            action=Action.UPDATE,
            outcome=Outcome.DENIED,
            channel=channel,
            detail=f"sociale kaart: {what}",
        )
        raise NotAllowed(NOT_YOUR_ORGANISATION)
    return membership
