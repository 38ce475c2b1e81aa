"""The case file (issue 11 §2): its sections, which of them a reader may open, and the overview at
its top — state, time in state, term, next check-in, open actions, who has the lead, and what the
coordinator should do next (derived from the state and the deadlines, in Dutch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access, granting_membership
from vangnet.cases.models import Case, TriageRound
from vangnet.cases.workflow import FINAL_TRIAGE_STATES, State
from vangnet.common.dates import dutch_date
from vangnet.common.errors import NotAllowed
from vangnet.followup.selectors import TermStatus
from vangnet.followup.workflow import next_levels
from vangnet.plans.models import PlanGoal


@dataclass(frozen=True)
class Section:
    slug: str  # in the URL: only the section's name, never personal data
    label: str
    roles: frozenset[str]


READERS = frozenset({Role.COORDINATOR, Role.SECOND_SCREENER, Role.REFERRER, Role.TABLE_MEMBER})
TABLE_AND_REFERRER = frozenset({Role.COORDINATOR, Role.SECOND_SCREENER, Role.REFERRER})

# The sections in the order of the case's journey. An invited organisation (table member) sees what
# it needs to take part — not the table's triage or the closure with its monitor codes.
SECTIONS: tuple[Section, ...] = (
    Section("overzicht", "Overzicht", READERS),
    Section("aanmelding", "Aanmelding", READERS),
    Section("triage", "Triage", TABLE_AND_REFERRER),
    Section("voorbereiding", "Voorbereiding", READERS),
    Section("besprekingen", "Besprekingen", READERS),
    Section("plan", "Integraal plan", READERS),
    Section("follow-up", "Follow-up en termijn", READERS),
    Section("afsluiting", "Afsluiting", TABLE_AND_REFERRER),
    Section("geschiedenis", "Geschiedenis", READERS),
)
BY_SLUG = {s.slug: s for s in SECTIONS}


def visible_sections(role: str) -> list[Section]:
    return [s for s in SECTIONS if role in s.roles]


def open_section(actor: Actor, case: Case, section: Section, *, channel: str) -> Membership:
    """Check that `actor` may open `section` of the case file and log the read ("dossier
    <section>"), for the section page and the API alike. A reader of the case whose role may not
    open this section is refused with that membership in the denied row; anyone else by
    `case_access`. Raises NotAllowed."""
    detail = f"dossier {section.slug}"
    granted = granting_membership(actor, case, Permission.READ)
    if granted is not None and granted.role not in section.roles:
        access_log_write(
            actor=actor,
            action=Action.READ,
            outcome=Outcome.DENIED,
            case_id=case.pk,
            case_reference=case.reference,
            membership=granted,
            channel=channel,
            detail=detail,
        )
        raise NotAllowed(f"Uw rol opent het onderdeel '{section.label}' van dit dossier niet.")
    return case_access(
        actor, case, permission=Permission.READ, action=Action.READ, channel=channel, detail=detail
    )


def final_round(case: Case, rounds: list[TriageRound]) -> TriageRound | None:
    """The confirmed triage decision among the case's `rounds` (all of them, as read for the
    page), as `cases.selectors.final_round` finds it in the database."""
    if case.state in {State.REGISTERED, State.TRIAGE_PROPOSED}:
        return None
    confirmed = [r for r in rounds if r.verdict == TriageRound.Verdict.CONFIRMED]
    return max(confirmed, key=lambda r: (r.screened_at is None, r.screened_at or 0), default=None)


TRIAGE_WITHIN_DAYS = 7  # new registrations are looked at within a week (DOMAIN.md)


@dataclass
class Overview:
    state: str
    days_in_state: int
    term: TermStatus | None
    next_checkin_on: date | None
    checkin_overdue: bool
    open_tasks: list[Any]
    overdue_tasks: int
    lead: str
    next_steps: list[str] = field(default_factory=list)


def _lead(case: Case, plan: Any) -> str:
    if plan is not None and (plan.regiebehandelaar or plan.case_director_id):
        who = plan.regiebehandelaar or (
            plan.case_director.get_full_name() or plan.case_director.get_username()
        )
        org = (
            f" ({plan.regiebehandelaar_organisation})" if plan.regiebehandelaar_organisation else ""
        )
        process = f"; procesregie: {plan.procesregie}" if plan.procesregie else ""
        return f"Regiebehandelaar: {who}{org}{process}"
    if case.state in {State.REGISTERED, State.TRIAGE_PROPOSED}:
        return f"De verwijzer ({case.referrer_organisation}); de tafel beoordeelt de aanmelding."
    if case.state in {State.ADMITTED, State.PLAN}:
        return f"De tafelcoördinator van {case.table}, tot het plan een regiebehandelaar noemt."
    return "—"


def case_overview(
    case: Case,
    *,
    workspace: dict[str, Any],
    rounds: list[TriageRound],
    now: datetime,
    today: date,
) -> Overview:
    upcoming = workspace["next_checkin"]
    open_tasks = [t for t in workspace["tasks"] if t.done_at is None]
    overview = Overview(
        state=State(case.state).label,
        days_in_state=(now - case.state_changed_at).days,
        term=workspace["term"],
        next_checkin_on=upcoming.due_on if upcoming else None,
        checkin_overdue=bool(upcoming and upcoming.due_on < today),
        open_tasks=open_tasks,
        overdue_tasks=sum(1 for t in open_tasks if t.due_on < today),
        lead=_lead(case, workspace["plan"]),
    )
    overview.next_steps = next_steps(
        case, overview, workspace=workspace, rounds=rounds, today=today
    )
    return overview


def next_steps(
    case: Case,
    overview: Overview,
    *,
    workspace: dict[str, Any],
    rounds: list[TriageRound],
    today: date,
) -> list[str]:
    """What the coordinator should do next, most pressing first: deadlines before routine."""
    steps: list[str] = []
    state = case.state
    if state == State.REGISTERED:
        due = case.registered_at.date() + timedelta(days=TRIAGE_WITHIN_DAYS)
        late = " — dat is te laat" if due < today else ""
        returned = rounds and rounds[-1].verdict == TriageRound.Verdict.DISAGREED
        if returned:
            steps.append(
                "De tweede beoordelaar gaf het triagebesluit terug: pas het voorstel aan en stel "
                "het opnieuw voor."
            )
        else:
            steps.append(
                f"Trieer de aanmelding aan de hand van de zeven criteria (binnen een week, uiterlijk "
                f"{dutch_date(due)}{late})."
            )
        return steps
    if state == State.TRIAGE_PROPOSED:
        return ["Wacht op de tweede beoordelaar (vier ogen) om het triagebesluit te bevestigen."]
    if state in FINAL_TRIAGE_STATES or state == State.CLOSED:
        return ["Geen actie nodig. Heropen de casus als er iets verandert."]

    term = overview.term
    if term is not None and not term.suspended:
        up = [lvl for lvl in next_levels(case.escalation_level) if lvl > case.escalation_level]
        if term.status == "overdue":
            step = f"naar niveau {up[0]}" if up else "op het hoogste niveau"
            steps.append(
                f"De termijn is verstreken ({-term.days_left} dagen): escaleer {step} of leg vast "
                "waarom het tempo toch goed is."
            )
        elif term.status == "nearing":
            steps.append(f"De termijn verstrijkt over {term.days_left} dagen: overweeg escalatie.")
    # Level 4 reaches real people only once the case is put before the overlegtafel (issue 16 §3).
    present = workspace.get("present")
    if case.escalation_level == 4 and not (
        present["board_referrals"] if present is not None else case.board_referrals.exists()
    ):
        steps.append(
            "Niveau 4: leg de casus voor aan de bestuurlijke overlegtafel (Follow-up en termijn)."
        )
    if overview.checkin_overdue and overview.next_checkin_on:
        steps.append(
            f"De check-in van {dutch_date(overview.next_checkin_on)} is te laat: leg de voortgang vast."
        )
    if overview.overdue_tasks:
        steps.append(
            f"{overview.overdue_tasks} actie(s) uit de bespreking zijn over de datum: vraag na."
        )
    # A crisis card or medication overview past its review date (seed 003).
    continuity = workspace.get("continuity")
    if continuity is not None and state in {State.PLAN, State.FOLLOW_UP}:
        steps.extend(continuity.warnings)

    if state == State.ADMITTED:
        items = list(workspace["agenda_items"])
        if not list(workspace["parties"]):
            steps.append("Voeg de betrokken partijen toe en leg hun toestemming vast.")
        elif not list(workspace["questions"]) or not list(workspace["timeline"]):
            steps.append("Vul de tijdlijn van de zorg en de vragen voor de bespreking aan.")
        if not items:
            steps.append("Agendeer de casus voor een bespreking.")
        elif not any(i.shared_at for i in items):
            steps.append("Deel de voorbereiding met de genodigden vóór de bespreking.")
        else:
            steps.append("Leg na de bespreking de notulen en acties vast.")
    elif state == State.PLAN:
        goals = workspace["goals"]
        plan = workspace["plan"]
        waiting = [g for g in goals if g.status == PlanGoal.Status.PROPOSED]
        declined = [g for g in goals if g.status == PlanGoal.Status.DECLINED]
        if not goals:
            steps.append("Leg de doelen van het integraal plan vast, met wie welk doel oppakt.")
        if declined:
            steps.append(f"{len(declined)} doel(en) geweigerd: wijs ze opnieuw toe of pas ze aan.")
        if waiting:
            steps.append(
                f"Wacht op de reactie op {len(waiting)} doel(en), of leg een acceptatie namens de "
                "organisatie vast."
            )
        if plan is not None and not (plan.regiebehandelaar or plan.case_director_id):
            steps.append("Leg vast wie de regie heeft (regiebehandelaar of casusregisseur).")
        if goals and not waiting and not declined:
            steps.append("Stel het plan vast en start de follow-up.")
    elif state == State.FOLLOW_UP:
        goals = workspace["goals"]
        if goals and all(g.status in {"achieved", "stopped"} for g in goals):
            steps.append("Alle doelen zijn afgerond: sluit de casus af met een uitkomst.")
        elif not overview.checkin_overdue:
            if overview.next_checkin_on:
                steps.append(f"Volgende check-in op {dutch_date(overview.next_checkin_on)}.")
            else:
                steps.append("Er is geen check-in gepland: voeg een volgende fase toe.")
    return steps
