"""Multidisciplinary meetings (MDO): a meeting has many cases on its agenda, participants with
mandate, minutes and the tasks (who does what by when) they produce.

The tables keep their original names (cases_meeting, ...): the models moved here from `cases`
without a database change (docs/adr/0007-case-work-apps.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.cases.models import Case
from vangnet.common.models import TimeStampedModel


class Meeting(TimeStampedModel):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Geplande tafelbespreking"
        AD_HOC = "ad_hoc", "Ad-hocbespreking voor één casus"

    class Chair(models.TextChoices):
        INDEPENDENT = "independent", "Onafhankelijk voorzitter"
        FIXED = "fixed", "Vaste voorzitter"
        ROTATING = "rotating", "Roulerend voorzitterschap"

    table = models.ForeignKey("regions.Table", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    chair_type = models.CharField(max_length=20, choices=Chair.choices)
    chair_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Entered after it took place (a meeting by phone, or one planned outside Vangnet): the
    # date lies in the past, and the record says so.
    recorded_afterwards = models.BooleanField(default=False)

    class Meta:
        db_table = "cases_meeting"
        ordering = ["starts_at"]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    shared_at = models.DateTimeField(
        null=True, blank=True
    )  # prepared case shared with participants
    discussed = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)
    # Minutes can be corrected until the coordinator adopts them; then they are final.
    minutes_adopted_at = models.DateTimeField(null=True, blank=True)
    minutes_adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "cases_agendaitem"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")
        ]


class Participant(models.Model):
    """Who joins the discussion of one case: organisation, person, mandate; patient or relative."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisatie"
        PATIENT = "patient", "Patiënt"
        RELATIVE = "relative", "Naaste"
        EXPERT_BY_EXPERIENCE = "expert_by_experience", "Ervaringsdeskundige"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.ORGANISATION)
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(max_length=200)
    has_mandate = models.BooleanField(default=False)

    class Meta:
        db_table = "cases_participant"
        ordering = ["id"]


class Task(TimeStampedModel):
    """Who does what by when — from minutes, or set by the coordinator."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    description = models.TextField()
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_task"
        ordering = ["due_on", "id"]
