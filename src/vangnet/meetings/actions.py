"""Case-page actions of the meetings app: share a prepared case, mark a task done."""

from __future__ import annotations

from typing import Any

from vangnet.accounts.models import Membership, User
from vangnet.cases.access import Permission
from vangnet.cases.actions import CaseAction, case_object
from vangnet.cases.models import Case
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Task


def _share(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    item = case_object(AgendaItem, post.get("item"), case=case)
    meeting_services.case_share_prepared(item=item, actor=user, membership=m)
    return "De voorbereide casus is gedeeld met de uitgenodigde partijen."


def _task_done(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    task = case_object(Task, post.get("task"), case=case)
    meeting_services.task_complete(task=task, actor=user, membership=m)
    return "Actie afgerond."


ACTIONS: dict[str, CaseAction] = {
    "delen": CaseAction(Permission.MANAGE, None, _share),
    "actie-afgerond": CaseAction(Permission.READ, None, _task_done),
}
