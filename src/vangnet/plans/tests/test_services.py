"""The integral plan (goals, responses, revisions, adoption rules) and its financing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from vangnet.accounts.models import Notification, Role
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.directory.models import OrganisationType
from vangnet.followup import services as followup_services
from vangnet.plans import services as plan_services
from vangnet.plans.models import Plan, PlanGoal, PlanRevision
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import FROZEN, close, events, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- the integral plan -----------------------------------------------------------------------


def test_plan_is_versioned_and_every_change_shows_who_changed_what(world):
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    plan = case.plan
    assert plan.version == 1
    plan_services.plan_update(
        case=case,
        actor=world.coordinator,
        membership=m,
        values={"regiebehandelaar": "Dr. Jansen", "procesregie": "Gemeente"},
    )
    plan_services.plan_update(
        case=case,
        actor=world.coordinator,
        membership=m,
        values={"regiebehandelaar": "Dr. De Wit", "handover_on": date(2027, 5, 1)},
    )
    plan.refresh_from_db()
    assert plan.version == 3
    latest, first = list(plan.revisions.all())
    assert (latest.version, latest.changed_by) == (3, world.coordinator)
    assert latest.changes == [
        {"field": "Regiebehandelaar / casusregisseur", "old": "Dr. Jansen", "new": "Dr. De Wit"},
        {"field": "Datum warme overdracht", "old": "", "new": "2027-05-01"},
    ]
    assert first.version == 2 and first.changes[0]["old"] == ""
    refused(
        lambda: plan_services.plan_update(
            case=case,
            actor=world.coordinator,
            membership=m,
            values={"regiebehandelaar": "Dr. De Wit"},
        ),
        "Er is niets gewijzigd",
    )
    refused(
        lambda: plan_services.plan_update(
            case=case, actor=world.coordinator, membership=m, values={"diagnose": "x"}
        ),
        "Onbekend onderdeel van het plan",
    )


def test_plan_change_by_someone_without_the_right_is_refused(world):
    case = fu.plan_case(world)
    p = fu.partner("Partner zonder recht")
    fu.invite_with_consent(world, case, p.organisation)
    for user, role in [
        (p.user, Role.TABLE_MEMBER),
        (world.screener, Role.SECOND_SCREENER),
        (world.other_table_coordinator, Role.COORDINATOR),
        (world.referrer, Role.REFERRER),
    ]:
        refused(
            lambda u=user, r=role: plan_services.plan_update(
                case=case, actor=u, membership=ms(u, r), values={"regiebehandelaar": "Ik"}
            ),
            "Alleen de coördinator van de tafel wijzigt het integrale plan",
            NotAllowed,
        )
    assert Plan.objects.get(case=case).version == 1


def test_plan_cannot_change_before_the_meeting_or_after_closure(world, admitted, partners):
    m = ms(world.coordinator)
    refused(
        lambda: plan_services.plan_update(
            case=admitted, actor=world.coordinator, membership=m, values={"procesregie": "x"}
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Toegelaten – voorbereiding)",
        InvalidTransition,
    )
    case, _ = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=True)
    refused(
        lambda: plan_services.plan_update(
            case=case, actor=world.coordinator, membership=m, values={"procesregie": "x"}
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    refused(
        lambda: plan_services.goal_add(
            case=case,
            actor=world.coordinator,
            membership=m,
            domain="safety",
            description="x",
            organisation=world.coordinator_org,
            financing="zvw",
        ),
        "Het plan wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )


def test_goals_of_a_closed_case_cannot_change(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    close(world, case, outcome="new_offer", offer_accepted=True)
    refused(
        lambda: plan_services.goal_set_status(
            goal=goals[0],
            actor=world.coordinator,
            membership=ms(world.coordinator),
            status="achieved",
        ),
        "De status van een doel wijzigen is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    a = partners[0]
    refused(
        lambda: plan_services.goal_respond(
            goal=goals[0], actor=a.user, membership=a.membership, accept=False, note="Te laat"
        ),
        "Reageren op een doel is niet mogelijk in de huidige status (Afgesloten)",
        InvalidTransition,
    )
    assert (
        Plan.objects.get(case=case).version
        == PlanRevision.objects.filter(plan__case=case).count() + 1
    )


def test_goal_added_with_organisation_contact_and_financing(world):
    case = fu.plan_case(world)
    p = fu.partner("Woonzorg Nederland")
    fu.invite_with_consent(world, case, p.organisation)
    goal = plan_services.goal_add(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        domain="housing",
        description="Passende woonplek",
        organisation=p.organisation,
        financing="wmo",
        contact="J. Wonen",
    )
    assert (goal.status, goal.financing, goal.contact) == ("proposed", "wmo", "J. Wonen")
    rev = case.plan.revisions.first()
    assert rev.version == 2 and "Woonzorg Nederland" in rev.summary
    assert Notification.objects.filter(
        user=p.user, subject=f"Nieuw doel voor uw organisatie in casus {case.reference}"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message", "exc"),
    [
        (
            {"organisation": None},
            "Een doel heeft altijd een verantwoordelijke organisatie",
            DomainError,
        ),
        ({"domain": "hobby"}, "Kies het levensdomein", DomainError),
        ({"financing": "eigen_geld"}, "Kies de financiering", DomainError),
        ({"description": ""}, "Het doel is verplicht", DomainError),
    ],
)
def test_goal_refusals(world, overrides, message, exc):
    case = fu.plan_case(world)
    values = dict(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        domain="treatment",
        description="Behandeling",
        organisation=world.coordinator_org,
        financing="zvw",
    )
    values.update(overrides)
    refused(lambda: plan_services.goal_add(**values), message, exc)
    assert Plan.objects.get(case=case).version == 1


def test_goal_by_a_non_coordinator_refused(world):
    case = fu.plan_case(world)
    p = fu.partner("Eigen doel")
    refused(
        lambda: plan_services.goal_add(
            case=case,
            actor=p.user,
            membership=p.membership,
            domain="treatment",
            description="x",
            organisation=p.organisation,
            financing="zvw",
        ),
        "Alleen de coördinator",
        NotAllowed,
    )


def test_goal_accepted_only_by_its_organisation(world, partners):
    case = fu.plan_case(world)
    a, b = partners
    goal = fu.add_goal(world, case, a.organisation)
    refused(
        lambda: plan_services.goal_respond(
            goal=goal, actor=b.user, membership=b.membership, accept=True
        ),
        "Alleen de verantwoordelijke organisatie",
        NotAllowed,
    )
    refused(
        lambda: plan_services.goal_respond(
            goal=goal, actor=world.coordinator, membership=ms(world.coordinator), accept=True
        ),
        "Alleen de verantwoordelijke organisatie",
        NotAllowed,
    )
    plan_services.goal_respond(
        goal=goal, actor=a.user, membership=a.membership, accept=True, note="Doen we."
    )
    goal.refresh_from_db()
    assert (goal.status, goal.responded_by, goal.response_note) == ("accepted", a.user, "Doen we.")
    rev = case.plan.revisions.first()
    assert rev.changed_by == a.user
    assert rev.changes == [
        {"field": f"Status doel {goal.pk}", "old": "Voorgesteld", "new": "Geaccepteerd"}
    ]
    refused(
        lambda: plan_services.goal_respond(
            goal=goal, actor=a.user, membership=a.membership, accept=False, note="Toch niet"
        ),
        "Op dit doel is al gereageerd",
    )


def test_declined_goal_goes_back_to_the_coordinator(world, partners):
    case = fu.plan_case(world)
    a = partners[0]
    goal = fu.add_goal(world, case, a.organisation)
    refused(
        lambda: plan_services.goal_respond(
            goal=goal, actor=a.user, membership=a.membership, accept=False
        ),
        "De toelichting is verplicht",
    )
    plan_services.goal_respond(
        goal=goal, actor=a.user, membership=a.membership, accept=False, note="Geen capaciteit."
    )
    goal.refresh_from_db()
    assert goal.status == PlanGoal.Status.DECLINED
    note = Notification.objects.get(user=world.coordinator, subject__startswith="Doel geweigerd")
    assert note.subject == f"Doel geweigerd in casus {case.reference}"
    assert str(a.organisation) in note.body
    assert case.patient_name not in note.body


def test_goal_status_only_after_acceptance(world, partners):
    case = fu.plan_case(world)
    a = partners[0]
    goal = fu.add_goal(world, case, a.organisation)
    m = ms(world.coordinator)
    refused(
        lambda: plan_services.goal_set_status(
            goal=goal, actor=world.coordinator, membership=m, status="achieved"
        ),
        "niet is geaccepteerd",
    )
    plan_services.goal_respond(goal=goal, actor=a.user, membership=a.membership, accept=True)
    goal.refresh_from_db()
    refused(
        lambda: plan_services.goal_set_status(
            goal=goal, actor=world.coordinator, membership=m, status="proposed"
        ),
        "Kies een geldige status",
    )
    refused(
        lambda: plan_services.goal_set_status(
            goal=goal, actor=a.user, membership=a.membership, status="stopped"
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    plan_services.goal_set_status(
        goal=goal, actor=world.coordinator, membership=m, status="stopped"
    )
    goal.refresh_from_db()
    assert goal.status == "stopped"
    assert case.plan.revisions.first().changes[0]["new"] == "Gestopt"


def test_plan_adopted_when_all_goals_accepted_starts_follow_up(world, partners):
    with freeze_time(FROZEN):
        case, _ = fu.accepted_plan(world, partners)
        phase = followup_services.plan_adopt(
            case=case,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            phase_months=4,
            focus="Wonen",
        )
    case.refresh_from_db()
    assert case.state == State.FOLLOW_UP
    assert {g.status for g in PlanGoal.objects.filter(plan__case=case)} == {"in_progress"}
    assert (phase.number, phase.starts_on, phase.months) == (1, date(2027, 3, 1), 4)
    assert phase.ends_on == date(2027, 7, 1)
    assert [c.due_on for c in phase.checkins.all()] == [
        date(2027, 4, 1),
        date(2027, 5, 1),
        date(2027, 6, 1),
        date(2027, 7, 1),
    ]
    assert "follow_up_start" in events(case) and events(case)[-1] == "phase_add"
    refused(
        lambda: followup_services.plan_adopt(
            case=case, actor=world.coordinator, membership=ms(world.coordinator)
        ),
        "niet mogelijk in de huidige status (Follow-up)",
        InvalidTransition,
    )


def test_plan_adoption_refusals(world, partners):
    a, b = partners
    m = ms(world.coordinator)
    case = fu.plan_case(world)

    def adopt(months=3):
        return followup_services.plan_adopt(
            case=case, actor=world.coordinator, membership=m, phase_months=months
        )

    refused(adopt, "Het plan heeft nog geen doelen")
    g1, g2 = (
        fu.add_goal(world, case, a.organisation),
        fu.add_goal(world, case, b.organisation, "housing"),
    )
    plan_services.goal_respond(goal=g1, actor=a.user, membership=a.membership, accept=True)
    refused(adopt, "1 doel(en) zijn nog niet geaccepteerd")  # g2 still proposed
    plan_services.goal_respond(
        goal=g2, actor=b.user, membership=b.membership, accept=False, note="Nee"
    )
    refused(adopt, "1 doel(en) zijn nog niet geaccepteerd")  # g2 declined
    plan_services.goal_respond(goal=g2, actor=b.user, membership=b.membership, accept=True)
    refused(adopt, "Leg vast wie regiebehandelaar")
    plan_services.plan_update(
        case=case, actor=world.coordinator, membership=m, values={"regiebehandelaar": "Dr. R"}
    )
    refused(lambda: adopt(months=2), "Een fase duurt 3 tot 6 maanden")
    case.refresh_from_db()
    assert case.state == State.PLAN  # nothing half-saved: no state change, goals still accepted
    assert set(PlanGoal.objects.filter(plan__case=case).values_list("status", flat=True)) == {
        "accepted"
    }
    p = fu.partner("Geen coördinator")
    refused(
        lambda: followup_services.plan_adopt(case=case, actor=p.user, membership=p.membership),
        "Alleen de coördinator",
        NotAllowed,
    )
    adopt(months=6)


def test_adopt_from_admitted_is_an_invalid_transition(world, admitted):
    refused(
        lambda: followup_services.plan_adopt(
            case=admitted, actor=world.coordinator, membership=ms(world.coordinator)
        ),
        "niet mogelijk in de huidige status (Toegelaten – voorbereiding)",
        InvalidTransition,
    )


# --- financing -------------------------------------------------------------------------------


@pytest.fixture
def insurer(db):
    org = factories.OrganisationFactory(
        name="Zilveren Kruis", organisation_type=OrganisationType.INSURER
    )
    return org, factories.member(Role.MEDICAL_ADVISER, organisation=org)


CHECKS = {n: "met" for n in range(1, 8)}


def test_financing_requested_from_the_insurer_and_decided_by_its_adviser(world, insurer):
    org, adviser = insurer
    case = fu.plan_case(world)
    goal = fu.add_goal(world, case, world.coordinator_org)
    m = ms(world.coordinator)
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=org
    )
    assert (
        Notification.objects.get(user=adviser).subject
        == f"Aanvraag maatwerkarrangement voor casus {case.reference}"
    )
    refused(
        lambda: plan_services.financing_request(
            case=case, actor=world.coordinator, membership=m, insurer=org
        ),
        "Er loopt al een aanvraag",
    )
    plan_services.financing_decide(
        decision=decision,
        actor=adviser,
        membership=ms(adviser, Role.MEDICAL_ADVISER),
        criteria_checks={**CHECKS, 7: "unknown"},
        approved=True,
        reason="Voldoet; dure zorg nodig.",
        amount=Decimal("12500.5"),
        duration_months=12,
        goal_ids=[goal.pk],
    )
    decision.refresh_from_db()
    assert decision.decision == "approved" and decision.adviser == adviser
    assert (decision.amount, decision.duration_months) == (Decimal("12500.50"), 12)
    assert list(decision.goals.all()) == [goal]
    assert decision.criteria_checks == {str(n): "met" for n in range(1, 7)} | {"7": "unknown"}
    assert events(case)[-1] == "financing_decide"
    assert Notification.objects.filter(
        user=world.coordinator,
        subject__startswith=f"Besluit maatwerkarrangement casus {case.reference}",
    ).exists()
    refused(
        lambda: plan_services.financing_decide(
            decision=decision,
            actor=adviser,
            membership=ms(adviser, Role.MEDICAL_ADVISER),
            criteria_checks=CHECKS,
            approved=False,
            reason="Toch niet",
        ),
        "al besloten",
    )
    # After a decision a new request to the same insurer may follow.
    plan_services.financing_request(case=case, actor=world.coordinator, membership=m, insurer=org)


def test_financing_refusals(world, insurer):
    org, adviser = insurer
    case = fu.plan_case(world)
    m = ms(world.coordinator)
    refused(
        lambda: plan_services.financing_request(
            case=case, actor=world.coordinator, membership=m, insurer=world.coordinator_org
        ),
        "aangevraagd bij een zorgverzekeraar",
    )
    refused(
        lambda: plan_services.financing_request(
            case=case,
            actor=world.table_member,
            membership=ms(world.table_member, Role.TABLE_MEMBER),
            insurer=org,
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=m, insurer=org
    )
    am = ms(adviser, Role.MEDICAL_ADVISER)

    goal = fu.add_goal(world, case, world.coordinator_org)

    def decide(actor=adviser, membership=am, checks=CHECKS, reason="Motivering", **grant):
        values = {"amount": Decimal("5000"), "duration_months": 6, "goal_ids": [goal.pk]}
        values.update(grant)
        return lambda: plan_services.financing_decide(
            decision=decision,
            actor=actor,
            membership=membership,
            criteria_checks=checks,
            approved=True,
            reason=reason,
            **values,
        )

    other_insurer = factories.OrganisationFactory(organisation_type=OrganisationType.INSURER)
    other_adviser = factories.member(Role.MEDICAL_ADVISER, organisation=other_insurer)
    refused(
        decide(other_adviser, ms(other_adviser, Role.MEDICAL_ADVISER)),
        "Alleen een medisch adviseur van deze",
        NotAllowed,
    )
    refused(decide(world.coordinator, m), "Alleen een medisch adviseur van deze", NotAllowed)
    refused(decide(checks={n: "met" for n in range(1, 7)}), "Toets elk van de zeven criteria")
    refused(decide(checks={**CHECKS, 3: "misschien"}), "Toets elk van de zeven criteria")
    refused(decide(reason=""), "De motivering is verplicht")
    # An approval records what it grants (issue 11 §2).
    refused(decide(amount=None), "Vul het bedrag in")
    refused(decide(amount=Decimal("0")), "groter zijn dan nul")
    refused(decide(amount=Decimal("-10")), "groter zijn dan nul")
    refused(decide(amount=Decimal("NaN")), "groter zijn dan nul")
    refused(decide(amount=Decimal("1000000.01")), "controleer het aantal nullen")
    refused(decide(duration_months=None), "Vul de duur in maanden in")
    refused(decide(duration_months=0), "1 tot en met 60 maanden")
    refused(decide(duration_months=61), "1 tot en met 60 maanden")
    refused(decide(goal_ids=[]), "Kies de doelen")
    other_case = fu.plan_case(world)
    foreign = fu.add_goal(world, other_case, world.coordinator_org)
    refused(decide(goal_ids=[goal.pk, foreign.pk]), "alleen doelen uit het plan van deze casus")
    decision.refresh_from_db()
    assert decision.decision == "requested" and decision.amount is None


def test_a_refusal_records_no_grant(world, insurer):
    org, adviser = insurer
    case = fu.plan_case(world)
    goal = fu.add_goal(world, case, world.coordinator_org)
    decision = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), insurer=org
    )
    plan_services.financing_decide(
        decision=decision,
        actor=adviser,
        membership=ms(adviser, Role.MEDICAL_ADVISER),
        criteria_checks=CHECKS,
        approved=False,
        reason="Reguliere zorg volstaat.",
        amount=Decimal("100"),
        duration_months=3,
        goal_ids=[goal.pk],
    )
    decision.refresh_from_db()
    assert decision.decision == "declined"
    assert (decision.amount, decision.duration_months, decision.goals.count()) == (None, None, 0)
