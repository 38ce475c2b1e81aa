"""The integral plan of a case: goals per life domain with the organisation that takes each one,
its revisions, and the financing (maatwerkarrangement) decided by the insurer's medical adviser.

The tables keep their original names (cases_plan, ...): moved from `cases` without a database
change (docs/adr/0007-case-work-apps.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.cases.models import Case
from vangnet.common.models import TimeStampedModel


class LifeDomain(models.TextChoices):
    TREATMENT = "treatment", "Behandeling"
    HOUSING = "housing", "Wonen"
    FINANCES = "finances", "Financiën"
    DAYTIME = "daytime", "Dagbesteding of werk"
    SOCIAL = "social", "Sociaal netwerk"
    SAFETY = "safety", "Veiligheid"


class Financing(models.TextChoices):
    ZVW = "zvw", "Zvw"
    WMO = "wmo", "Wmo"
    WLZ = "wlz", "Wlz"
    FZ = "fz", "Forensische zorg"
    JEUGDWET = "jeugdwet", "Jeugdwet"
    MAATWERK = "maatwerk", "Maatwerkarrangement"


class ConfirmedVia(models.TextChoices):
    PHONE = "phone", "Telefonisch"
    EMAIL = "email", "Per e-mail"
    MEETING = "meeting", "In de bespreking"
    LETTER = "letter", "Per brief"


class Plan(TimeStampedModel):
    """The one integral plan of a case. Every change adds a PlanRevision (versioned)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    version = models.PositiveIntegerField(default=1)
    regiebehandelaar = models.CharField(max_length=200, blank=True)
    regiebehandelaar_organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procesregie = models.CharField(max_length=200, blank=True)
    handover_from = models.CharField(max_length=200, blank=True)
    handover_to = models.CharField(max_length=200, blank=True)
    handover_on = models.DateField(null=True, blank=True)
    takeover_goals = models.TextField(blank=True)
    takeover_return_condition = models.TextField(blank=True)
    if_placement_fails = models.TextField(blank=True)

    class Meta:
        db_table = "cases_plan"


class PlanGoal(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Voorgesteld"
        ACCEPTED = "accepted", "Geaccepteerd"
        DECLINED = "declined", "Geweigerd – terug naar coördinator"
        IN_PROGRESS = "in_progress", "Loopt"
        ACHIEVED = "achieved", "Bereikt"
        STOPPED = "stopped", "Gestopt"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=20, choices=LifeDomain.choices)
    description = models.TextField()
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(max_length=200, blank=True)
    financing = models.CharField(max_length=20, choices=Financing.choices)
    # The sociale kaart offer (at a location) that carries out this goal, when one was found.
    offer = models.ForeignKey(
        "directory.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    response_note = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # An organisation without Vangnet users cannot answer itself: the coordinator records who
    # confirmed the goal for it, how and when (responded_by is then the coordinator).
    confirmed_by_name = models.CharField(max_length=200, blank=True)
    confirmed_via = models.CharField(max_length=20, choices=ConfirmedVia.choices, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "cases_plangoal"
        ordering = ["id"]


class PlanRevision(models.Model):
    """One change to the plan: who changed what (field, old, new), and the resulting version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=list)  # [{"field": ..., "old": ..., "new": ...}]

    class Meta:
        db_table = "cases_planrevision"
        ordering = ["-version", "-id"]


class FinancingDecision(TimeStampedModel):
    """The insurer's medical adviser checks the seven criteria and decides on a maatwerkarrangement."""

    class Decision(models.TextChoices):
        REQUESTED = "requested", "Aangevraagd"
        APPROVED = "approved", "Goedgekeurd"
        DECLINED = "declined", "Afgewezen"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="financing_decisions")
    insurer = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.REQUESTED)
    criteria_checks = models.JSONField(default=dict, blank=True)  # {"1": "met", ...}
    reason = models.TextField(blank=True)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What an approval grants: the amount (euros), for how many months, and which goals of the
    # plan it pays for. Empty for a request and for a refusal.
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    goals = models.ManyToManyField(PlanGoal, blank=True, related_name="financing_decisions")

    class Meta:
        db_table = "cases_financingdecision"
        ordering = ["-created_at"]
