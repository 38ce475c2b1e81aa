"""Reads for meetings, filtered for the acting user: which membership lets a user take part in
a table's meetings, and which agenda items (cases) of a meeting the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import Actor, actor_for
from vangnet.cases.access import Permission, granting_membership
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.regions.models import Table

from .models import AgendaItem, Meeting


def meeting_membership(
    user: User, meeting: Meeting | None = None, *, actor: Actor | None = None
) -> Membership | None:
    """The user's table membership that lets them take part in (this table's) meetings; pass
    the user's `actor` when you have it (it spares reading the memberships again)."""
    if actor is None:
        actor = actor_for(user)
    for m in actor.memberships:
        if m.role in {Role.COORDINATOR, Role.TABLE_MEMBER, Role.SECOND_SCREENER} and (
            meeting is None or m.table_id == meeting.table_id
        ):
            return m
    return None


def readable_items(user: User, meeting: Meeting) -> list[AgendaItem]:
    """The agenda items of `meeting` whose case the user may read (the rest stays hidden)."""
    actor = actor_for(user)
    items = meeting.items.select_related(
        "case", "case__table", "minutes_adopted_by"
    ).prefetch_related(
        "participants__organisation",
        "tasks__organisation",
        "case__questions",
        "case__timeline_entries",
    )
    return [i for i in items if granting_membership(actor, i.case, Permission.READ) is not None]


AGENDA_STATES = (State.ADMITTED, State.PLAN, State.FOLLOW_UP)


def agenda_candidates(table: Table, meeting: Meeting | None = None) -> QuerySet[Case]:
    """The table's cases that can be put on an agenda (admitted, plan or follow-up), newest
    first, without those already on `meeting`'s agenda. Only for the table's coordinator."""
    qs = Case.objects.filter(table=table, state__in=AGENDA_STATES)
    if meeting is not None:
        qs = qs.exclude(agenda_items__meeting=meeting)
    return qs.order_by("-registered_at", "-pk")
