"""Closure with an outcome and reopening."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.cases import services
from vangnet.cases.workflow import State
from vangnet.common.errors import InvalidTransition, NotAllowed
from vangnet.followup import services as followup_services
from vangnet.reference import questionnaire as codes
from vangnet.testing import followup as fu
from vangnet.testing.casework import close, events, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- closure and reopening -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "accepted", "stored"),
    [
        ("new_offer", True, True),
        ("new_offer", False, False),
        ("no_offer", True, None),  # only a new offer can be accepted
        ("withdrawn", None, None),
        ("under_investigation", None, None),
    ],
)
def test_close_with_each_outcome_and_tell_the_referrer(world, admitted, outcome, accepted, stored):
    followup_services.term_suspend(
        case=admitted,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        reason="Opname",
        starts_on=timezone.localdate(),
    )
    case = close(
        world,
        admitted,
        outcome=outcome,
        offer_accepted=accepted,
        helped_by=["cooperation", "special_funding", "cooperation"],
        obstacles=["no_funding"],
        shortages=[codes.SHORTAGES[0][0]],
        note="Afgerond",
    )
    case.refresh_from_db()
    assert (case.state, case.outcome, case.offer_accepted) == (State.CLOSED, outcome, stored)
    assert case.helped_by == ["cooperation", "special_funding"]
    assert (case.obstacles, case.shortages) == (["no_funding"], [codes.SHORTAGES[0][0]])
    assert case.closed_at is not None
    assert not case.suspensions.filter(ended_on__isnull=True).exists()
    assert events(case)[-1] == "close"
    assert Notification.objects.filter(
        user=world.referrer, subject=f"Casus {case.reference} is afgesloten"
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "ongoing"}, "Kies een uitkomst"),
        ({"outcome": "geholpen"}, "Kies een uitkomst"),
        ({"outcome": "not_suitable"}, "is een uitkomst van de triage"),
        ({"outcome": "new_offer"}, "Geef aan of de patiënt het nieuwe aanbod heeft aanvaard"),
        ({"helped_by": ["toeval"]}, "Onbekende code bij wat hielp: toeval"),
        ({"obstacles": ["pech"]}, "Onbekende code bij wat in de weg stond: pech"),
        ({"shortages": ["geld"]}, "Onbekende code bij tekorten: geld"),
    ],
)
def test_close_refusals(world, admitted, kwargs, message):
    refused(lambda: close(world, admitted, **kwargs), message)
    admitted.refresh_from_db()
    assert admitted.state == State.ADMITTED and admitted.outcome == ""


def test_close_from_closed_is_an_invalid_transition(world, admitted):
    close(world, admitted)
    refused(
        lambda: close(world, admitted),
        "niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )


def test_referrer_can_only_withdraw_before_triage(world):
    rm = ms(world.referrer, Role.REFERRER)
    case = fu.registered_case(world.referrer)
    refused(
        lambda: services.case_close(
            case=case, actor=world.referrer, membership=rm, outcome="no_offer"
        ),
        "Een verwijzer kan alleen een eigen aanmelding intrekken",
        NotAllowed,
    )
    services.case_close(
        case=case,
        actor=world.referrer,
        membership=rm,
        outcome="withdrawn",
        note="Patiënt verhuist naar het buitenland.",
    )
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.CLOSED, "withdrawn")
    assert Notification.objects.filter(
        user=world.coordinator,
        subject=f"Aanmelding {case.reference} is ingetrokken door de verwijzer",
    ).exists()
    admitted = fu.admitted_case(world)
    refused(
        lambda: services.case_close(
            case=admitted, actor=world.referrer, membership=rm, outcome="withdrawn"
        ),
        "zolang die niet is beoordeeld",
        NotAllowed,
    )


@pytest.mark.parametrize("stage", ["admitted", "plan", "follow_up"])
def test_reopen_returns_to_the_stage_reached_and_tells_the_referrer(world, partners, stage):
    if stage == "admitted":
        case = fu.admitted_case(world)
    elif stage == "plan":
        case = fu.plan_case(world)
    else:
        case, _ = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=False)
    m = ms(world.coordinator)
    refused(
        lambda: services.case_reopen(case=case, actor=world.coordinator, membership=m, reason=""),
        "De reden is verplicht",
    )
    services.case_reopen(
        case=case, actor=world.coordinator, membership=m, reason="Plaatsing mislukt"
    )
    case.refresh_from_db()
    assert case.state == stage
    assert (case.outcome, case.offer_accepted, case.closed_at) == ("", None, None)
    reopen = case.events.last()
    assert (reopen.transition, reopen.note) == ("reopen", "Plaatsing mislukt")
    assert Notification.objects.filter(
        user=world.referrer, subject=f"Casus {case.reference} is heropend"
    ).exists()
    refused(
        lambda: services.case_reopen(
            case=case, actor=world.coordinator, membership=m, reason="Nog eens"
        ),
        "Heropend' is niet mogelijk",
        InvalidTransition,
    )


def test_reopen_only_by_the_coordinator(world, admitted):
    close(world, admitted)
    refused(
        lambda: services.case_reopen(
            case=admitted,
            actor=world.referrer,
            membership=ms(world.referrer, Role.REFERRER),
            reason="Graag",
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
