"""Questions routed UCZ → zorgbemiddeling → table, and public signals from patients or relatives.

A question holds the minimum needed to find care for one person (name, birth date, municipality,
insurer, the question) and the consent for it; the table sees it only when zorgbemiddeling
registers it, as a case with the attempts attached. A signal holds what a patient or relative
chose to tell and how to reach them; its receipt code is stored only as a keyed hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel

from .workflow import QuestionState, SignalState


class AskerKind(models.TextChoices):
    CITIZEN = "citizen", "Burger (de patiënt zelf)"
    RELATIVE = "relative", "Naaste van de patiënt"
    PROFESSIONAL = "professional", "Professional"


class QuestionConsent(models.TextChoices):
    PATIENT = "patient", "De patiënt zelf"
    REPRESENTATIVE = "representative", "Een wettelijk vertegenwoordiger"


class Question(TimeStampedModel):
    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20, choices=QuestionState.choices)
    state_changed_at = models.DateTimeField()
    deadline = models.DateField(null=True, blank=True)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    asker_kind = models.CharField(max_length=20, choices=AskerKind.choices)
    patient_name = models.CharField(max_length=200)
    patient_birth_date = models.DateField()
    patient_municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="routed_questions"
    )
    question = models.TextField()
    contact = models.CharField(max_length=200, blank=True)
    consent_by = models.CharField(max_length=20, choices=QuestionConsent.choices)
    consent_recorded_at = models.DateTimeField()

    # Zorgbemiddeling that has the question now (the patient's insurer), and who took it up.
    handed_to = models.ForeignKey(
        "directory.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)
    solved_with = models.ForeignKey(
        "directory.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, on_delete=models.PROTECT, related_name="routed_question"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "vraag (UCZ)"
        verbose_name_plural = "vragen (UCZ)"
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["handed_to", "state"]),
        ]

    def __str__(self) -> str:
        return self.reference  # never the patient's name


class Attempt(models.Model):
    """What zorgbemiddeling tried, with which provider, and what came of it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attempts")
    provider = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    tried_on = models.DateField()
    what = models.TextField()
    result = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tried_on", "id"]


class QuestionEvent(models.Model):
    """The question's history: who moved it, from which state to which, when and why."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30)
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class RoutingCounter(models.Model):
    """Per year and prefix the last number handed out (VR- questions, SG- signals)."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="routing_counter_unique")
        ]


class SignalRelation(models.TextChoices):
    PATIENT = "patient", "Ik ben de patiënt"
    RELATIVE = "relative", "Ik ben een naaste (familie, partner, vriend)"


class Signal(TimeStampedModel):
    reference = models.CharField(max_length=20, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    table = models.ForeignKey("regions.Table", on_delete=models.PROTECT, related_name="signals")
    relation = models.CharField(max_length=20, choices=SignalRelation.choices)
    message = models.TextField()
    contact = models.CharField(max_length=200)
    state = models.CharField(max_length=20, choices=SignalState.choices, default=SignalState.NEW)
    state_changed_at = models.DateTimeField()
    deadline = models.DateField()
    answer = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        "cases.Case", null=True, on_delete=models.PROTECT, related_name="public_signal"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "signaal (patiënt of naaste)"
        verbose_name_plural = "signalen (patiënt of naaste)"
        indexes = [models.Index(fields=["table", "state"])]

    def __str__(self) -> str:
        return self.reference


class PublicAttempt(models.Model):
    """One use of a public form (a signal sent, a receipt code looked up), counted per client
    address for the rate limit. The address is stored as a keyed hash only, and old rows are
    deleted as new ones are written."""

    kind = models.CharField(max_length=10)
    address_key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "address_key", "at"])]
