"""The steps every case service shares: lock the case, check its state, move it and record the
step in the case history. Other case-work apps (meetings, plans, follow-up) use these too, so a
case's history is written one way."""

from __future__ import annotations

from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send
from vangnet.cases.models import Case, CaseEvent
from vangnet.cases.workflow import (
    State,
)
from vangnet.common.errors import InvalidTransition, NotAllowed
from vangnet.regions.models import Table

SHORT = 200


LONG = 5000


def record_event(
    case: Case, *, actor: User, role: str, transition: str, from_state: str, note: str = ""
) -> None:
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        actor_role=role,
        transition=transition,
        from_state=from_state,
        to_state=case.state,
        note=note,
    )


def table_staff(table: Table, *roles: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(table=table, role__in=roles, active=True).select_related(
            "user"
        )
    ]


def table_insurer_notify(case: Case, *, roles: tuple[str, ...], subject: str, body: str) -> None:
    """Tell the insurer involved in the case's table on behalf of all insurers (seed 004 §5c) —
    its members in `roles` — about the case. Only the reference, never patient data; the note
    links to no case page, because the table's insurer does not read the case for that reason."""
    insurer_id = case.table.insurer_id
    if insurer_id is None:
        return
    users = [
        m.user
        for m in Membership.objects.filter(
            organisation_id=insurer_id, role__in=roles, active=True
        ).select_related("user")
    ]
    if users:
        notification_send(users=users, subject=subject, body=body)


def enter_state(
    case: Case, target: str, *, actor: User, role: str, transition: str, note: str = ""
) -> None:
    """Move a (locked) case to `target` and record who, when and why in its history.

    Callers check the transition first and set any other fields the step changes on `case`.
    """
    from_state = case.state
    case.state = target
    case.state_changed_at = timezone.now()
    case.save()
    record_event(
        case, actor=actor, role=role, transition=transition, from_state=from_state, note=note
    )


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def require_state(case: Case, *states: str, action: str) -> None:
    # Read the state from the database (under a row lock): the caller's object may be stale.
    case.state = Case.objects.select_for_update().values_list("state", flat=True).get(pk=case.pk)
    if case.state not in states:
        raise InvalidTransition(
            f"{action} is niet mogelijk in de huidige status ({State(case.state).label})."
        )


def case_event(
    case: Case, actor: User, membership: Membership, transition: str, note: str = ""
) -> None:
    record_event(
        case,
        actor=actor,
        role=membership.role,
        transition=transition,
        from_state=case.state,
        note=note,
    )


def organisation_table_members(case: Case, organisation_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role=Role.TABLE_MEMBER, table=case.table, active=True
        ).select_related("user")
    ]


def require_plan_editor(membership: Membership, case: Case) -> None:
    # Plan changes and reopening a closed case are for the coordinator of the case's table only.
    if not (membership.role == Role.COORDINATOR and membership.table_id == case.table_id):
        raise NotAllowed("Alleen de coördinator van de tafel wijzigt het integrale plan.")
