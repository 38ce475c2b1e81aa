"""What the case API's modules, and the case-work apps' routers (meetings, plans, follow-up, case
file), share: the one router, the case check that is logged once per request, the case's rows by
id, and the answer to a step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.db.models import Model
from django.http import HttpRequest
from ninja import Field, Router, Schema

from vangnet.accounts.models import Membership
from vangnet.accounts.selectors import request_actor
from vangnet.api.auth import auth_then
from vangnet.cases import selectors
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, NotFound, raise_all
from vangnet.directory.models import Organisation

# One router for the whole case API: the modules add their routes to it in the journey's order
# (see __init__). Operation ids are given by name on every route: ninja's default is the
# function's module, and the ids are part of the published contract (docs/openapi.json).
router = Router(tags=["casussen"])
M = TypeVar("M", bound=Model)

# The seven criteria, a bound on both the registration's and the triage's lists.
CRITERIA = 7

# Database ids in paths and bodies: positive and within a 32-bit integer column, so a huge
# number is a 422 instead of a database overflow.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Long = Field("", max_length=5000)


class CaseSummaryOut(Schema):
    reference: str
    state: str
    state_label: str
    table: int
    registered_at: datetime
    referrer_organisation: str


def case_summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        reference=case.reference,
        state=case.state,
        state_label=str(State(case.state).label),
        table=case.table.number,
        registered_at=case.registered_at,
        referrer_organisation=case.referrer_organisation.name,
    )


def case_for(
    request: HttpRequest,
    reference: str,
    permission: Permission,
    action: str,
    detail: str = "",
) -> tuple[Case, Membership]:
    """The case and the membership that grants `permission` on it, checked and logged once per
    request (channel api); `detail` names the step in the access log as the page does."""
    checked = getattr(request, "vangnet_case_access", None)
    if checked is not None:  # already checked and logged before the body was read
        return checked
    case = selectors.case_by_reference(reference)
    actor = request_actor(request)
    membership = case_access(
        actor, case, permission=permission, action=action, channel="api", detail=detail
    )
    return case, membership


def case_auth(permission: Permission, action: str, detail: str = "") -> list[object]:
    """Authentication that also checks the case permission before the body is validated, so an
    unauthorised call with an invalid body is refused (403) and logged, never a bare 422."""

    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        access = case_for(request, reference, permission, action, detail)
        request.vangnet_case_access = access  # type: ignore[attr-defined]

    return auth_then(check)


def case_object(model: type[M], pk: int, *, what: str, **filters: object) -> M:
    """One row of the case (`filters` tie it to the case), or 404 in Dutch."""
    found = model._default_manager.filter(pk=pk, **filters).first()
    if found is None:
        raise NotFound(f"{what} bestaat niet bij deze casus.")
    return found


def organisations_by_id(wanted: dict[str, int | None]) -> dict[str, Organisation | None]:
    """Organisations by id per input field; every unknown id is reported at once (400)."""
    ids = {v for v in wanted.values() if v is not None}
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    errors = [
        DomainError(f"Organisatie {pk} bestaat niet.", field=name)
        for name, pk in wanted.items()
        if pk is not None and pk not in found
    ]
    raise_all(errors)
    return {name: found.get(pk) if pk is not None else None for name, pk in wanted.items()}


def organisation_by_id(pk: int, field: str = "organisation_id") -> Organisation:
    found = organisations_by_id({field: pk})[field]
    assert found is not None
    return found


class DoneOut(Schema):
    """The answer to a step: what happened, in Dutch, and the case's state after it."""

    message: str
    reference: str
    state: str
    state_label: str


def done(case: Case, message: str) -> DoneOut:
    case.refresh_from_db()
    return DoneOut(
        message=message,
        reference=case.reference,
        state=case.state,
        state_label=str(State(case.state).label),
    )


class CreatedOut(DoneOut):
    id: int


def created(case: Case, obj: Any, message: str) -> CreatedOut:
    return CreatedOut(id=obj.pk, **done(case, message).dict())
