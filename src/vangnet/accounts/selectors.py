"""Who is acting: a user with their active memberships. Permission checks start here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpRequest

from .models import CASE_DATA_ROLES, Membership, Notification, Role, User


@dataclass(frozen=True)
class Actor:
    user: User
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    def has_role(self, role: str) -> bool:
        return any(m.role == role for m in self.memberships)

    def table_ids(self, *roles: str) -> set[int]:
        return {m.table_id for m in self.memberships if m.role in roles and m.table_id}

    def organisation_ids(self, *roles: str) -> set[int]:
        return {m.organisation_id for m in self.memberships if m.role in roles}

    def membership_for(self, *, role: str, table_id: int | None = None) -> Membership | None:
        for m in self.memberships:
            if m.role == role and (table_id is None or m.table_id == table_id):
                return m
        return None

    @property
    def primary(self) -> Membership | None:
        return self.memberships[0] if self.memberships else None

    @property
    def sees_case_data(self) -> bool:
        return any(m.role in CASE_DATA_ROLES for m in self.memberships)


def actor_for(user: User) -> Actor:
    if not user.is_authenticated:
        return Actor(user=user, memberships=())
    memberships = tuple(
        Membership.objects.filter(user=user, active=True)
        .select_related("organisation", "table")
        .order_by("id")
    )
    return Actor(user=user, memberships=memberships)


def request_actor(request: HttpRequest) -> Actor:
    """The actor of a request that passed a login guard, read once per request: the view and the
    menu (vangnet.accounts.context_processors) share it instead of each querying the
    memberships."""
    actor: Actor | None = getattr(request, "_vangnet_actor", None)
    if actor is None or actor.user.pk != request.user.pk:
        actor = actor_for(current_user(request))
        request._vangnet_actor = actor  # type: ignore[attr-defined]
    return actor


def role_label(role: str) -> str:
    return str(Role(role).label)


def current_user(request: HttpRequest) -> User:
    """The authenticated user of a request that passed a login guard."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("not authenticated")
    return user


def notifications_visible_qs(actor: Actor) -> QuerySet[Notification]:
    """The user's notifications, without those about a case they can no longer see (consent
    withdrawn or expired, moved to another table): not even the reference is shown. A queryset,
    so the page can paginate and sort it without a cap."""
    from vangnet.cases.access import visible_cases
    from vangnet.cases.models import Case

    mine = Notification.objects.filter(user=actor.user)
    references = set(
        mine.exclude(case_reference="").values_list("case_reference", flat=True).distinct()
    )
    if not references:
        return mine
    visible = set(
        visible_cases(actor).filter(reference__in=references).values_list("reference", flat=True)
    )
    # The insurer's medical adviser sees the financing part of a case requested from them.
    insurers = actor.organisation_ids(Role.MEDICAL_ADVISER)
    if insurers:
        visible |= set(
            Case.objects.filter(
                reference__in=references, financing_decisions__insurer_id__in=insurers
            ).values_list("reference", flat=True)
        )
    hidden = references - visible
    return mine.exclude(case_reference__in=hidden) if hidden else mine


def notifications_visible(actor: Actor, *, limit: int = 200) -> list[Notification]:
    """The newest `limit` visible notifications (for callers that want a short list)."""
    return list(notifications_visible_qs(actor)[:limit])
