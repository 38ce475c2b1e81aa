"""Follow-up after the plan is adopted: phases of 3-6 months with monthly check-ins and progress per
goal, the offer term with its suspensions, and the escalation ladder.

The tables keep their original names (cases_followupphase, ...): moved from `cases` without a
database change (docs/adr/0007-case-work-apps.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.cases.models import Case
from vangnet.plans.models import PlanGoal


class FollowUpPhase(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    months = models.PositiveSmallIntegerField()
    ends_on = models.DateField()
    focus = models.TextField(blank=True)

    class Meta:
        db_table = "cases_followupphase"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_phase_number")
        ]


class CheckIn(models.Model):
    phase = models.ForeignKey(FollowUpPhase, on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)

    class Meta:
        db_table = "cases_checkin"
        ordering = ["due_on"]


class GoalProgress(models.Model):
    class Progress(models.TextChoices):
        ON_TRACK = "on_track", "Op koers"
        DELAYED = "delayed", "Vertraagd"
        STALLED = "stalled", "Stagneert"
        ACHIEVED = "achieved", "Bereikt"

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "cases_goalprogress"


class TermSuspension(models.Model):
    """The offer term is suspended for a reason; the deadline moves by the suspended time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    starts_on = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "cases_termsuspension"
        ordering = ["starts_on", "id"]


class EscalationLevel(models.IntegerChoices):
    """Zorgconsul's four levels (seed 000)."""

    NONE = 0, "Geen escalatie"
    INFORMATION = 1, "1 – Informatiepositie op orde"
    MEDIATION = 2, "2 – Smeerolie (bemiddelen)"
    CONTRACT_MANAGEMENT = 3, "3 – Contractmanagement zorgverzekeraar of gemeente betrekken"
    ADMINISTRATIVE = 4, "4 – Escalatie naar de bestuurlijke overlegtafel"


class EscalationStep(models.Model):
    """One step up or down the ladder: who, when, why and the result. Names no one to blame."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    to_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    result = models.TextField(blank=True)

    class Meta:
        db_table = "cases_escalationstep"
        ordering = ["at", "id"]

    @property
    def direction(self) -> str:
        return "op" if self.to_level > self.from_level else "af"
