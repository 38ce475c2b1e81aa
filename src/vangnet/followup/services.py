"""Writes for follow-up: adopting the plan starts it; phases, check-ins, the offer term with
suspensions, and the escalation ladder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.cases.models import Case
from vangnet.cases.services.steps import (
    LONG,
    case_event,
    enter_state,
    lock_case,
    record_event,
    require_plan_editor,
    require_state,
)
from vangnet.cases.signals import announce_case_changed
from vangnet.cases.workflow import (
    ACTIVE_STATES,
    State,
    check_transition,
)
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.validators import clean_text
from vangnet.engines.followup import (
    MAX_PHASE_MONTHS,
    MIN_PHASE_MONTHS,
    checkin_dates,
    phase_end,
)
from vangnet.followup.models import (
    CheckIn,
    EscalationLevel,
    EscalationStep,
    FollowUpPhase,
    GoalProgress,
    TermSuspension,
)
from vangnet.followup.selectors import deadline_of
from vangnet.followup.workflow import next_levels, running_suspension
from vangnet.plans.models import (
    PlanGoal,
)
from vangnet.plans.services import plan_for_update


@transaction.atomic
def plan_adopt(
    *, case: Case, actor: User, membership: Membership, phase_months: int = 3, focus: str = ""
) -> FollowUpPhase:
    """The plan is adopted when every goal is accepted and someone holds the lead; follow-up starts."""
    require_plan_editor(membership, case)
    case = lock_case(case)
    check_transition("follow_up_start", case.state)
    plan = plan_for_update(case)
    # A goal the coordinator stopped before adoption is history, not an open promise.
    goals = list(plan.goals.exclude(status=PlanGoal.Status.STOPPED))
    if not goals:
        raise DomainError("Het plan heeft nog geen doelen.")
    open_goals = [g for g in goals if g.status != PlanGoal.Status.ACCEPTED]
    if open_goals:
        raise DomainError(
            f"{len(open_goals)} doel(en) zijn nog niet geaccepteerd door de verantwoordelijke organisatie."
        )
    if not plan.regiebehandelaar:
        raise DomainError("Leg vast wie regiebehandelaar of casusregisseur is.")
    for g in goals:
        g.status = PlanGoal.Status.IN_PROGRESS
        g.save(update_fields=["status", "updated_at"])
    enter_state(
        case, State.FOLLOW_UP, actor=actor, role=membership.role, transition="follow_up_start"
    )
    # Listeners (the GP letter) hear of the adopted plan once this transaction commits.
    announce_case_changed(case, step="plan_adopted")
    return phase_add(
        case=case, actor=actor, membership=membership, months=phase_months, focus=focus
    )


@transaction.atomic
def phase_add(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    months: int,
    focus: str = "",
    starts_on: date | None = None,
) -> FollowUpPhase:
    require_state(case, State.FOLLOW_UP, action="Een fase toevoegen")
    if not MIN_PHASE_MONTHS <= months <= MAX_PHASE_MONTHS:
        raise DomainError("Een fase duurt 3 tot 6 maanden.", field="months")
    last = case.phases.order_by("-number").first()
    start = starts_on or (last.ends_on if last else timezone.localdate())
    if last and start < last.ends_on:
        raise DomainError("Een nieuwe fase begint na het einde van de vorige.", field="starts_on")
    phase = FollowUpPhase.objects.create(
        case=case,
        number=(last.number + 1) if last else 1,
        starts_on=start,
        months=months,
        ends_on=phase_end(start, months),
        focus=clean_text(
            focus, field="focus", label="De focus van de fase", max_length=LONG, required=False
        ),
    )
    CheckIn.objects.bulk_create(
        CheckIn(phase=phase, due_on=d) for d in checkin_dates(start, months)
    )
    case_event(
        case,
        actor,
        membership,
        "phase_add",
        f"Fase {phase.number}: {months} maanden, maandelijkse check-ins",
    )
    return phase


@dataclass(frozen=True)
class ProgressInput:
    goal_id: int
    progress: str
    note: str = ""


@transaction.atomic
def checkin_record(
    *,
    checkin: CheckIn,
    actor: User,
    membership: Membership,
    summary: str,
    progress: Sequence[ProgressInput],
) -> CheckIn:
    """At a check-in the case director (or coordinator) records progress per goal."""
    # The check-in, its phase and its case locked as before; the plan comes along unlocked (a
    # case may have none: the outer join cannot be locked).
    checkin = (
        CheckIn.objects.select_for_update(of=("self", "phase", "phase__case"))
        .select_related("phase__case__plan")
        .get(pk=checkin.pk)
    )
    case = checkin.phase.case
    plan = case.plan
    is_coordinator = membership.role == Role.COORDINATOR and membership.table_id == case.table_id
    if not is_coordinator and plan.case_director_id != actor.pk:
        raise NotAllowed("Alleen de casusregisseur of de coördinator legt de voortgang vast.")
    if checkin.done_at is not None:
        raise DomainError("Deze check-in is al vastgelegd.")
    active = {
        g.pk: g
        for g in plan.goals.filter(
            status__in=[PlanGoal.Status.IN_PROGRESS, PlanGoal.Status.ACCEPTED]
        )
    }
    given = {p.goal_id: p for p in progress}
    if len(given) != len(progress):
        raise DomainError(
            "Leg de voortgang van elk doel één keer vast per check-in.", field="progress"
        )
    if set(given) != set(active):
        raise DomainError("Leg voor elk lopend doel de voortgang vast.", field="progress")
    for p in progress:
        if p.progress not in GoalProgress.Progress.values:
            raise DomainError("Kies de voortgang per doel.", field="progress")
    checkin.summary = clean_text(
        summary, field="summary", label="De samenvatting", max_length=LONG, required=True
    )
    checkin.done_at = timezone.now()
    checkin.done_by = actor
    checkin.save(update_fields=["summary", "done_at", "done_by"])
    GoalProgress.objects.bulk_create(
        GoalProgress(
            checkin=checkin,
            goal=active[p.goal_id],
            progress=p.progress,
            note=clean_text(
                p.note, field="progress", label="De notitie", max_length=LONG, required=False
            ),
        )
        for p in progress
    )
    achieved = [p.goal_id for p in progress if p.progress == GoalProgress.Progress.ACHIEVED]
    if achieved:
        PlanGoal.objects.filter(pk__in=achieved).update(status=PlanGoal.Status.ACHIEVED)
    case_event(
        case, actor, membership, "checkin", f"Check-in van {dutch_date(checkin.due_on)} vastgelegd"
    )
    return checkin


def case_deadline(
    case: Case, *, today: date | None = None, suspensions: list[TermSuspension] | None = None
) -> date | None:
    """The date by which an admitted patient must be offered suitable care, suspensions included
    (`suspensions`: the case's, when the caller has read them already)."""
    if case.admitted_on is None:
        return None
    rows = case.suspensions.all() if suspensions is None else suspensions
    return deadline_of(
        admitted_on=case.admitted_on,
        term_days=case.table.offer_term_days,
        suspensions=[(s.starts_on, s.ended_on) for s in rows],
        today=today or timezone.localdate(),
    )


@transaction.atomic
def term_suspend(
    *,
    case: Case,
    actor: User,
    membership: Membership,
    reason: str,
    starts_on: date,
    planned_end: date | None = None,
) -> TermSuspension:
    require_plan_editor(membership, case)
    require_state(case, *ACTIVE_STATES, action="De termijn opschorten")
    if running_suspension(case):
        raise DomainError("De termijn is al opgeschort.")
    if planned_end is not None and planned_end <= starts_on:
        raise DomainError("De geplande einddatum ligt niet na de begindatum.", field="planned_end")
    if starts_on > timezone.localdate() + timedelta(days=30):
        raise DomainError("Een opschorting begint uiterlijk over 30 dagen.", field="starts_on")
    if case.admitted_on is not None and starts_on < case.admitted_on:
        raise DomainError("Een opschorting begint niet vóór de toelating.", field="starts_on")
    suspension = TermSuspension.objects.create(
        case=case,
        starts_on=starts_on,
        planned_end=planned_end,
        created_by=actor,
        reason=clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True),
    )
    until = f" tot {dutch_date(planned_end)}" if planned_end else ""
    case_event(
        case,
        actor,
        membership,
        "term_suspend",
        f"Termijn opgeschort vanaf {dutch_date(starts_on)}{until}: {suspension.reason}",
    )
    return suspension


@transaction.atomic
def term_resume(
    *,
    suspension: TermSuspension,
    actor: User,
    membership: Membership | None,
    on: date | None = None,
) -> TermSuspension:
    suspension = TermSuspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.ended_on is not None:
        raise DomainError("Deze opschorting is al beëindigd.")
    on = on or timezone.localdate()
    suspension.ended_on = max(on, suspension.starts_on)
    suspension.save(update_fields=["ended_on"])
    record_event(
        suspension.case,
        actor=actor,
        role=membership.role if membership else "system",
        transition="term_resume",
        from_state=suspension.case.state,
        note=f"Termijn loopt weer vanaf {dutch_date(suspension.ended_on)}",
    )
    return suspension


@transaction.atomic
def escalate(
    *, case: Case, actor: User, membership: Membership, to_level: int, reason: str, result: str = ""
) -> EscalationStep:
    """One step on the Zorgconsul ladder (up or down). Judges tempo, never the content of care."""
    require_plan_editor(membership, case)
    case = lock_case(case)
    require_state(case, *ACTIVE_STATES, action="Escaleren")
    if to_level not in EscalationLevel.values:
        raise DomainError("Kies een escalatieniveau van 0 tot en met 4.", field="to_level")
    if to_level == case.escalation_level:
        raise DomainError("De casus staat al op dit niveau.", field="to_level")
    if to_level not in next_levels(case.escalation_level):
        raise DomainError(
            "Escaleer één niveau tegelijk, zodat elke stap een kans krijgt.", field="to_level"
        )
    step = EscalationStep.objects.create(
        case=case,
        from_level=case.escalation_level,
        to_level=to_level,
        at=timezone.now(),
        by=actor,
        reason=clean_text(reason, field="reason", label="De reden", max_length=LONG, required=True),
        result=clean_text(
            result, field="result", label="Het resultaat", max_length=LONG, required=False
        ),
    )
    case.escalation_level = to_level
    case.save(update_fields=["escalation_level", "updated_at"])
    label = EscalationLevel(to_level).label
    case_event(
        case,
        actor,
        membership,
        "escalate" if step.direction == "op" else "de_escalate",
        f"Naar niveau {label}: {step.reason}",
    )
    return step


@transaction.atomic
def escalation_result(
    *, step: EscalationStep, actor: User, membership: Membership, result: str
) -> EscalationStep:
    require_plan_editor(membership, step.case)
    step.result = clean_text(
        result, field="result", label="Het resultaat", max_length=LONG, required=True
    )
    EscalationStep.objects.filter(pk=step.pk).update(result=step.result)
    return step
