"""Demo data of the overlegtafel (`python -m vangnet demo`): a board member of Arkin, and the
demo's case in follow-up taken up the ladder to level 4, put before the overlegtafel and decided.
Idempotent: nothing is added once a referral exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.directory.models import Organisation
from vangnet.followup import services as followup_services

from . import services
from .models import BoardReferral

BOARD_USER = ("bestuurder", "Bram Bestuurder", "Arkin")
INSURER = "Zilveren Kruis zorgbemiddeling"


def load_demo() -> BoardReferral | None:
    username, full_name, org_name = BOARD_USER
    arkin = Organisation.objects.filter(name=org_name).first()
    insurer = Organisation.objects.filter(name=INSURER).first()
    if arkin is None or insurer is None:
        return None
    user = demo_user(username, full_name)
    member, _ = Membership.objects.get_or_create(
        user=user, organisation=arkin, role=Role.BOARD_MEMBER
    )
    if BoardReferral.objects.exists():
        return None
    case = (
        Case.objects.filter(state=State.FOLLOW_UP, table__number=3)
        .order_by("registered_at")
        .first()
    )
    coordinator = (
        Membership.objects.filter(role=Role.COORDINATOR, table=case.table)
        .select_related("user")
        .first()
        if case
        else None
    )
    if case is None or coordinator is None:
        return None
    steps = {
        2: "Bemiddeld tussen kliniek en beschermd wonen; geen plek binnen de termijn.",
        3: "Contractmanagement van de verzekeraar en de gemeente betrokken; geen oplossing.",
        4: "De termijn is verstreken en de lagere treden leverden geen plek op.",
    }
    for level in range(case.escalation_level + 1, 5):
        followup_services.escalate(
            case=case,
            actor=coordinator.user,
            membership=coordinator,
            to_level=level,
            reason=steps.get(level, "Voortgang stokt."),
        )
        case.refresh_from_db()
    referral = services.referral_from_ladder(
        case=case,
        actor=coordinator.user,
        membership=coordinator,
        summary=(
            "Eetstoornis met autisme; de klinische behandeling loopt, maar een begeleide woonplek "
            "daarna ontbreekt. Bemiddeling en contractmanagement leverden binnen de termijn "
            "geen plek op."
        ),
        question="Wie biedt binnen zes weken een begeleide woonplek, en wie financiert die?",
        organisations=[arkin, insurer],
    )
    return services.referral_decide(
        referral=referral,
        actor=user,
        membership=member,
        decision=(
            "Arkin houdt de klinische plek aan tot de overgang; de verzekeraar financiert "
            "zes maanden begeleid wonen als maatwerkarrangement; Regenboog reserveert de plek."
        ),
        deadline=timezone.localdate() + timedelta(days=42),
    )
