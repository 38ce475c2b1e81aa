"""Template cases of the national data set, made through the real services: one case per state
at every table, with the history each state implies (events, triage, parties, consent, meeting
and minutes, plan and goals, follow-up and a check-in, closure). `clone.py` copies them.

Every table gets its own staff (coordinator, second screener, table member, referrer) and
organisations, so a copied case's history names people of its own table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role, User
from vangnet.cases import services as case_services
from vangnet.cases.models import Case, CriterionAssessment, ReferrerType
from vangnet.cases.workflow import Decision, State
from vangnet.directory.models import Organisation, OrganisationType, insurer_named
from vangnet.followup import services as followup_services
from vangnet.followup.models import CheckIn
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.monitor.services import monitor_record_sync_from_case
from vangnet.plans import services as plan_services
from vangnet.regions.models import Municipality, Table
from vangnet.regions.selectors import table_for_municipality

MET = CriterionAssessment.Verdict.MET
NOT_MET = CriterionAssessment.Verdict.NOT_MET


@dataclass
class Staff:
    table: Table
    municipality: str
    ggz: Organisation
    housing: Organisation
    insurer: Organisation
    referrer_org: Organisation
    coordinator: User
    coordinator_m: Membership
    screener: User
    screener_m: Membership
    member: User
    member_m: Membership
    referrer: User


def _org(name: str, kind: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"organisation_type": kind})
    return org


def _member(
    username: str, full: str, org: Organisation, role: str, table: Table | None
) -> tuple[User, Membership]:
    user = demo_user(username, full)
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=org, role=role, table=table
    )
    return user, membership


def table_staff(table: Table, insurer: Organisation) -> Staff:
    """The table's organisations and staff (usernames `t<N>-coordinator` etc., demo password)."""
    today = timezone.localdate()
    municipality = next(
        m.code
        for m in Municipality.objects.filter(table_assignments__table=table).order_by("code")
        if table_for_municipality(municipality=m, on=today) == table
    )
    n = table.number
    ggz = _org(f"GGZ-instelling tafel {n}", OrganisationType.GGZ_INSTITUTION)
    housing = _org(f"Beschermd wonen tafel {n}", OrganisationType.SHELTERED_HOUSING)
    referrer_org = _org(f"Verwijzende ggz tafel {n}", OrganisationType.GGZ_INSTITUTION)
    coordinator, coordinator_m = _member(
        f"t{n}-coordinator", f"Coördinator Tafel{n}", ggz, Role.COORDINATOR, table
    )
    screener, screener_m = _member(
        f"t{n}-screener", f"Screener Tafel{n}", referrer_org, Role.SECOND_SCREENER, table
    )
    member, member_m = _member(
        f"t{n}-tafellid", f"Tafellid Tafel{n}", housing, Role.TABLE_MEMBER, table
    )
    referrer, _ = _member(
        f"t{n}-verwijzer", f"Verwijzer Tafel{n}", referrer_org, Role.REFERRER, None
    )
    return Staff(
        table=table,
        municipality=municipality,
        ggz=ggz,
        housing=housing,
        insurer=insurer,
        referrer_org=referrer_org,
        coordinator=coordinator,
        coordinator_m=coordinator_m,
        screener=screener,
        screener_m=screener_m,
        member=member,
        member_m=member_m,
        referrer=referrer,
    )


class _Builder:
    def __init__(self, s: Staff) -> None:
        self.s = s
        self.today = timezone.localdate()
        self.all_met = [case_services.CriterionInput(n, MET) for n in range(1, 8)]

    def register(self, state: str) -> Case:
        s = self.s
        data = case_services.RegistrationInput(
            referrer_type=ReferrerType.OTHER_GGZ_INSTITUTION,
            patient_name=f"Sjabloon {state} tafel {s.table.number}",
            patient_birth_date=date(1980, 1, 1) + timedelta(days=37 * s.table.number),
            patient_municipality_code=s.municipality,
            insurer_id=insurer_named("Zilveren Kruis").pk,
            consent_by="patient",
            stuck_description="Psychose en verslaving; drie aanbieders wezen de behandeling af.",
            best_solution="Een klinische plek met dubbele diagnose-expertise, daarna beschermd wonen.",
            timeline="2023: opname; 2024: ambulante behandeling gestopt; 2025: crisisopnames.",
            criteria=[1, 3, 4],
            party_actions=[
                case_services.PartyActionInput(s.ggz.name, "Twee jaar ambulante behandeling."),
                case_services.PartyActionInput(s.housing.name, "Intake, geen plek."),
            ],
        )
        return case_services.case_register(
            referrer=s.referrer, organisation=s.referrer_org, data=data
        ).case

    def triage(self, case: Case, decision: str, *, confirm: bool) -> None:
        s = self.s
        extra: dict[str, str] = {}
        assessments = self.all_met
        if decision == Decision.CONSULTATION:
            extra = {"advice": "Verwijs naar de basis-ggz; de POH-ggz kan overbruggen."}
        elif decision == Decision.REFER:
            extra = {
                "refer_to": "Regionaal transitieoverleg 18-/18+",
                "reason": "De vraag gaat over de overgang van jeugd- naar volwassenenzorg.",
            }
        elif decision == Decision.NOT_SUITABLE:
            assessments = [case_services.CriterionInput(n, NOT_MET) for n in range(1, 8)]
            extra = {"reason": "Geen hoogcomplexe problematiek; de huisarts verwijst door."}
        case_services.triage_propose(
            case=case,
            coordinator=s.coordinator,
            membership=s.coordinator_m,
            assessments=assessments,
            decision=decision,
            **extra,
        )
        if confirm:
            case_services.triage_confirm(case=case, screener=s.screener, membership=s.screener_m)

    def prepare(self, case: Case) -> None:
        s = self.s
        actor: dict[str, Any] = {"actor": s.coordinator, "membership": s.coordinator_m}
        case_services.timeline_add(
            case=case,
            on=self.today - timedelta(days=400),
            organisation_name=s.ggz.name,
            description="Klinische opname, ontslag zonder vervolg.",
            **actor,
        )
        party = case_services.party_add(
            case=case,
            organisation=s.housing,
            role="Beschermd wonen",
            contact_name="Tafellid",
            has_mandate=True,
            already_did="Intake gedaan, geen plek.",
            **actor,
        )
        case_services.consent_record(
            case=case, organisation=s.housing, given_by="patient", valid_from=self.today, **actor
        )
        case_services.party_invite(party=party, **actor)
        case_services.question_add(
            case=case, text="Wie kan binnen vier weken een woonplek bieden?", **actor
        )

    def meet(self, case: Case) -> None:
        s = self.s
        actor: dict[str, Any] = {"actor": s.coordinator, "membership": s.coordinator_m}
        start = timezone.now() + timedelta(days=2)
        meeting, _ = meeting_services.meeting_schedule(
            table=s.table,
            kind=Meeting.Kind.AD_HOC,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            chair_type=Meeting.Chair.INDEPENDENT,
            chair_name="Zorgconsul",
            location=s.ggz.name,
            cases=[case],
            **actor,
        )
        item = AgendaItem.objects.get(meeting=meeting, case=case)
        meeting_services.participant_add(
            item=item,
            kind="organisation",
            organisation=s.housing,
            person_name="Tafellid",
            has_mandate=True,
            **actor,
        )
        meeting_services.case_share_prepared(item=item, **actor)
        # As the demo does: the meeting moves into the past so its minutes can be recorded.
        past = timezone.now() - timedelta(days=3)
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=past, ends_at=past + timedelta(hours=1)
        )
        item.refresh_from_db()
        meeting_services.minutes_record(
            item=item,
            discussed="Situatie en opties besproken met alle partijen.",
            decisions="De ggz-instelling behandelt, beschermd wonen biedt een woonplek.",
            tasks=[
                meeting_services.TaskInput(
                    "Woonplek reserveren", s.housing, self.today + timedelta(days=10)
                )
            ],
            **actor,
        )

    def plan(self, case: Case, *, adopt: bool) -> None:
        s = self.s
        actor: dict[str, Any] = {"actor": s.coordinator, "membership": s.coordinator_m}
        plan_services.plan_update(
            case=case,
            values={"regiebehandelaar": "Dr. A. Arts", "procesregie": str(s.table)},
            **actor,
        )
        g1 = plan_services.goal_add(
            case=case,
            domain="treatment",
            description="Behandeling psychose en verslaving",
            organisation=s.ggz,
            financing="zvw",
            **actor,
        )
        g2 = plan_services.goal_add(
            case=case,
            domain="housing",
            description="Woonplek met begeleiding",
            organisation=s.housing,
            financing="wmo",
            **actor,
        )
        plan_services.financing_request(case=case, insurer=s.insurer, **actor)
        if not adopt:
            return
        plan_services.goal_respond(goal=g1, accept=True, **actor)
        plan_services.goal_respond(goal=g2, actor=s.member, membership=s.member_m, accept=True)
        phase = followup_services.plan_adopt(
            case=case, phase_months=6, focus="Stabiliseren en verhuizen", **actor
        )
        checkin = CheckIn.objects.filter(phase=phase).order_by("due_on").first()
        assert checkin is not None
        followup_services.checkin_record(
            checkin=checkin,
            summary="Eerste maand: opname gestart.",
            progress=[
                followup_services.ProgressInput(g1.pk, "on_track"),
                followup_services.ProgressInput(g2.pk, "delayed", "Wachten op plek"),
            ],
            **actor,
        )

    def build(self, state: str) -> Case:
        case = self.register(state)
        if state == State.TRIAGE_PROPOSED:
            self.triage(case, Decision.ADMIT, confirm=False)
        elif state in (State.CONSULTATION, State.REFERRED, State.NOT_SUITABLE):
            decisions: dict[str, str] = {
                State.CONSULTATION: Decision.CONSULTATION,
                State.REFERRED: Decision.REFER,
                State.NOT_SUITABLE: Decision.NOT_SUITABLE,
            }
            decision = decisions[state]
            self.triage(case, decision, confirm=True)
        elif state != State.REGISTERED:
            self.triage(case, Decision.ADMIT, confirm=True)
            self.prepare(case)
            if state in (State.PLAN, State.FOLLOW_UP):
                self.meet(case)
                self.plan(case, adopt=state == State.FOLLOW_UP)
            elif state == State.CLOSED:
                s = self.s
                case_services.case_close(
                    case=case,
                    actor=s.coordinator,
                    membership=s.coordinator_m,
                    outcome="new_offer",
                    offer_accepted=True,
                    helped_by=["clarify_care", "supraregional_capacity"],
                    obstacles=["no_regional_capacity"],
                    shortages=["somatoform"],
                    note="Bovenregionale plek gevonden.",
                )
        case.refresh_from_db()
        assert case.state == state, (case.state, state)
        # The monitor record follows the case on commit; made here too, so a caller inside a
        # transaction (the tests) gets the same data as the command.
        monitor_record_sync_from_case(case=case)
        return case


def build_templates(staff: Staff) -> dict[str, Case]:
    """One case in every state at the staff's table."""
    builder = _Builder(staff)
    return {state: builder.build(state) for state in State.values}
