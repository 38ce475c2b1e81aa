"""Demo data of the outcome question (`python -m vangnet demo`): the demo's case closed with a
new offer is moved back in time (demo only) so that its 3-month question was asked and
answered. Idempotent: nothing is added once an outcome question exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.cases.models import Case
from vangnet.cases.workflow import State

from . import services
from .models import OutcomeRequest


def load_demo() -> OutcomeRequest | None:
    if OutcomeRequest.objects.exists():
        return None
    case = (
        Case.objects.filter(state=State.CLOSED, outcome="new_offer", table__number=3)
        .order_by("registered_at")
        .first()
    )
    if case is None:
        return None
    now = timezone.now()
    # Demo only: registered five months ago, closed a little over three months ago.
    Case.objects.filter(pk=case.pk).update(
        registered_at=now - timedelta(days=150),
        admitted_on=timezone.localdate() - timedelta(days=140),
        closed_at=now - timedelta(days=95),
        state_changed_at=now - timedelta(days=95),
    )
    case.refresh_from_db()
    assert case.closed_at is not None
    request = services.request_send(
        case=case, months=3, closed_on=timezone.localdate(case.closed_at)
    )
    if request is None:
        return None
    membership = Membership.objects.get(
        user=request.recipient, organisation=case.referrer_organisation, role=Role.REFERRER
    )
    return services.answer_record(
        request=request,
        actor=request.recipient,
        membership=membership,
        answer="partly",
        reasons=["no_capacity"],
        note="De behandeling loopt; de dagbesteding staat op een wachtlijst.",
    )
