"""Reads of the bestuurlijke overlegtafel: the referrals a user may see, and the summary a board
member may read of a referral's case (the minimum needed; see `access`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.followup.models import EscalationLevel
from vangnet.followup.selectors import term_status

from .models import BoardReferral


def for_case(case: Case) -> QuerySet[BoardReferral]:
    """The case file's list (its reader passed the case access check)."""
    return BoardReferral.objects.filter(case=case).select_related(
        "decided_by_organisation", "submitted_by_organisation"
    )


@dataclass
class CaseOutline:
    """What the overlegtafel sees of a case: its course, not the person."""

    reference: str
    state: str
    admitted_on: date | None
    term_deadline: date | None
    term_status: str
    escalation_level: str
    ladder: list[tuple[date, str]] = field(default_factory=list)
    goals: list[tuple[str, str, str]] = field(default_factory=list)
    financing: list[tuple[str, str]] = field(default_factory=list)


def case_outline(case: Case) -> CaseOutline:
    term = term_status(case)
    plan = getattr(case, "plan", None)
    return CaseOutline(
        reference=case.reference,
        state=str(State(case.state).label),
        admitted_on=case.admitted_on,
        term_deadline=term.deadline if term else None,
        term_status={"ok": "op tijd", "nearing": "nadert", "overdue": "verstreken"}.get(
            term.status if term else "", "—"
        ),
        escalation_level=str(EscalationLevel(case.escalation_level).label),
        ladder=[
            (step.at.date(), f"{step.get_from_level_display()} → {step.get_to_level_display()}")
            for step in case.escalations.all()
        ],
        goals=[
            (g.get_domain_display(), str(g.organisation), g.get_status_display())
            for g in plan.goals.select_related("organisation")
        ]
        if plan
        else [],
        financing=[
            (str(d.insurer), d.get_decision_display())
            for d in case.financing_decisions.select_related("insurer")
        ],
    )
