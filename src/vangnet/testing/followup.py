"""Helpers for the issue-4 suites: cases in every stage from admission to follow-up.

They call the real services (no mocks), in the order a table works: admit (triage with four
eyes), minutes (→ plan), goals accepted by their organisations, adoption (→ follow-up).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.cases import services
from vangnet.cases.models import Case, CaseParty, Consent
from vangnet.cases.workflow import Decision
from vangnet.directory.models import Organisation
from vangnet.followup import services as followup_services
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.plans import services as plan_services
from vangnet.plans.models import PlanGoal
from vangnet.testing import factories

_names = itertools.count(1)


def ms(user: User, role: str = Role.COORDINATOR) -> Membership:
    """The membership `user` acts with in `role` (as the view's `case_access` would return it)."""
    return Membership.objects.select_related("organisation", "table").get(user=user, role=role)


def registered_case(referrer: User) -> Case:
    # A different patient each time, so cases are never linked to each other.
    n = next(_names)
    return factories.register_case(referrer, patient_name=f"Patiënt Nummer{n:04d} Test")


def admitted_case(world: Any) -> Case:
    case = registered_case(world.referrer)
    services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=ms(world.coordinator),
        assessments=factories.all_criteria(),
        decision=Decision.ADMIT,
    )
    services.triage_confirm(
        case=case,
        screener=world.screener,
        membership=ms(world.screener, Role.SECOND_SCREENER),
    )
    case.refresh_from_db()
    return case


def started_item(case: Case, by: User, *, minutes_ago: int = 120) -> AgendaItem:
    """An agenda item of a meeting that has already started (created directly: test set-up)."""
    start = timezone.now() - timedelta(minutes=minutes_ago)
    meeting = Meeting.objects.create(
        table=case.table,
        kind=Meeting.Kind.AD_HOC,
        starts_at=start,
        ends_at=start + timedelta(minutes=60),
        location="Arkin, Amsterdam",
        chair_type=Meeting.Chair.INDEPENDENT,
        created_by=by,
    )
    return AgendaItem.objects.create(meeting=meeting, case=case, position=1)


def plan_case(world: Any) -> Case:
    """An admitted case whose meeting minutes are recorded: state plan, with an empty plan."""
    case = admitted_case(world)
    coordinator = world.coordinator
    item = started_item(case, coordinator)
    meeting_services.minutes_record(
        item=item,
        actor=coordinator,
        membership=ms(coordinator),
        discussed="Besproken: behandeling en wonen.",
        decisions="Integraal plan opstellen.",
    )
    case.refresh_from_db()
    return case


@dataclass
class Partner:
    organisation: Organisation
    user: User  # a table member of that organisation at table 3

    @property
    def membership(self) -> Membership:
        return ms(self.user, Role.TABLE_MEMBER)


def partner(name: str, *, table: int = 3) -> Partner:
    org = factories.OrganisationFactory(name=name)
    return Partner(org, factories.member(Role.TABLE_MEMBER, organisation=org, table=table))


def invite_with_consent(
    world: Any, case: Case, organisation: Organisation, *, consent: bool = True
) -> tuple[CaseParty, Consent | None]:
    coordinator = world.coordinator
    m = ms(coordinator)
    party = services.party_add(
        case=case, actor=coordinator, membership=m, organisation=organisation, role="Behandelaar"
    )
    services.party_invite(party=party, actor=coordinator, membership=m)
    given = None
    if consent:
        given = services.consent_record(
            case=case,
            actor=coordinator,
            membership=m,
            organisation=organisation,
            given_by="patient",
            valid_from=timezone.localdate(),
        )
    return party, given


def add_goal(world: Any, case: Case, org: Organisation, domain: str = "treatment") -> PlanGoal:
    coordinator = world.coordinator
    return plan_services.goal_add(
        case=case,
        actor=coordinator,
        membership=ms(coordinator),
        domain=domain,
        description=f"Doel {domain} voor {org}",
        organisation=org,
        financing="zvw",
    )


def accepted_plan(world: Any, partners: list[Partner]) -> tuple[Case, list[PlanGoal]]:
    """A plan case with one goal per partner, each accepted, and a regiebehandelaar."""
    case = plan_case(world)
    coordinator = world.coordinator
    for p in partners:  # partners can see the case: invited, with consent
        if not case.parties.filter(organisation=p.organisation).exists():
            invite_with_consent(world, case, p.organisation)
    plan_services.plan_update(
        case=case,
        actor=coordinator,
        membership=ms(coordinator),
        values={"regiebehandelaar": "Dr. A. Regie", "case_director": partners[0].user},
    )
    domains = ["treatment", "housing", "daytime", "social"]
    goals = []
    for p, domain in zip(partners, domains, strict=False):
        goal = add_goal(world, case, p.organisation, domain)
        plan_services.goal_respond(goal=goal, actor=p.user, membership=p.membership, accept=True)
        goals.append(goal)
    return case, goals


def follow_up_case(
    world: Any, partners: list[Partner], *, months: int = 3
) -> tuple[Case, list[PlanGoal]]:
    case, goals = accepted_plan(world, partners)
    coordinator = world.coordinator
    followup_services.plan_adopt(
        case=case, actor=coordinator, membership=ms(coordinator), phase_months=months
    )
    case.refresh_from_db()
    for g in goals:
        g.refresh_from_db()
    return case, goals
