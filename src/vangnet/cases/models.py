"""Cases at a casuïstiektafel: registration, triage and the case history.

Identifiable patient data lives only here (AVG art. 9). Everything that leaves this app — e-mails,
URLs, logs, the monitor — uses the case reference, never the patient's name, birth date or BSN.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel

from .workflow import Decision, State


class ReferrerType(models.TextChoices):
    """Codes shared with the monitor (seed 001 figure 2)."""

    COORDINATING_INSTITUTION = "coordinating_institution", "Coördinerende instelling"
    OTHER_GGZ_INSTITUTION = "other_ggz_institution", "Andere ggz-instelling"
    CARE_MEDIATION = "care_mediation", "Zorgbemiddeling zorgverzekeraar (ook via UCZ)"
    ADDICTION_OR_CHAIN_PARTNER = "addiction_or_chain_partner", "Verslavingszorg of ketenpartner"
    GP = "gp", "Huisarts"


class Urgency(models.TextChoices):
    REGULAR = "regular", "Regulier"
    URGENT = "urgent", "Urgent (dreigend gevaar)"


class ConsentBy(models.TextChoices):
    PATIENT = "patient", "De patiënt zelf"
    REPRESENTATIVE = "representative", "Een wettelijk vertegenwoordiger"


class Criterion(models.Model):
    """One of the seven inclusion criteria (seed 004 §5a, seed 001 §1.1). Reference data."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["number"]
        verbose_name = "criterium"
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class Case(TimeStampedModel):
    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=30, choices=State.choices, default=State.REGISTERED)
    state_changed_at = models.DateTimeField()
    table = models.ForeignKey("regions.Table", on_delete=models.PROTECT, related_name="cases")
    registered_table = models.ForeignKey(
        "regions.Table", on_delete=models.PROTECT, related_name="+"
    )
    proposed_table = models.ForeignKey(
        "regions.Table", null=True, on_delete=models.PROTECT, related_name="+"
    )
    table_choice_reason = models.TextField(blank=True)

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referred_cases"
    )
    referrer_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="referred_cases"
    )
    referrer_type = models.CharField(max_length=40, choices=ReferrerType.choices)

    patient_name = models.CharField(max_length=200)
    patient_birth_date = models.DateField()
    patient_municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    patient_insurer = models.CharField(max_length=100)
    patient_bsn = models.CharField(max_length=9, blank=True)
    # Keyed hashes used only to find an open case of the same patient; never shown.
    patient_key_bsn = models.CharField(max_length=64, blank=True, db_index=True)
    patient_key_name = models.CharField(max_length=64, db_index=True)

    consent_by = models.CharField(max_length=20, choices=ConsentBy.choices)
    stuck_description = models.TextField()
    best_solution = models.TextField()
    timeline = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.REGULAR)
    referrer_criteria = models.ManyToManyField(Criterion, blank=True, related_name="+")
    linked_cases = models.ManyToManyField("self", blank=True, symmetrical=True)
    registered_at = models.DateTimeField()

    # Closure (issue 4). Codes are the monitor's (seed 001 figure 1, Bijlage 2 Q12-Q13, §4.1),
    # defined in vangnet.monitor.codes; services validate them.
    outcome = models.CharField(max_length=30, blank=True)
    offer_accepted = models.BooleanField(null=True)
    helped_by = models.JSONField(default=list, blank=True)
    obstacles = models.JSONField(default=list, blank=True)
    shortages = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at"]
        verbose_name = "casus"
        verbose_name_plural = "casussen"
        indexes = [models.Index(fields=["table", "state"])]

    def __str__(self) -> str:
        return self.reference  # never the patient's name


class PartyAction(models.Model):
    """What a party already did for the patient, as stated at registration."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="party_actions")
    organisation_name = models.CharField(max_length=200)
    action = models.TextField()

    class Meta:
        ordering = ["id"]


class TriageRound(TimeStampedModel):
    """A triage proposal by the coordinator and its four-eyes check by a second screener."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "Wacht op tweede beoordelaar"
        CONFIRMED = "confirmed", "Bevestigd"
        DISAGREED = "disagreed", "Niet eens"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_rounds")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    coordinator_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(blank=True)
    advice = models.TextField(blank=True)
    refer_to = models.CharField(max_length=200, blank=True)
    menselijke_maat_reason = models.TextField(blank=True)
    proposed_at = models.DateTimeField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    second_screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    second_screener_organisation = models.ForeignKey(
        "directory.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    second_screener_note = models.TextField(blank=True)
    screened_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["proposed_at", "id"]

    @property
    def same_organisation(self) -> bool:
        return (
            self.second_screener_organisation_id is not None
            and self.second_screener_organisation_id == self.coordinator_organisation_id
        )


class CriterionAssessment(models.Model):
    class Verdict(models.TextChoices):
        MET = "met", "Voldaan"
        NOT_MET = "not_met", "Niet voldaan"
        UNKNOWN = "unknown", "Onbekend"

    triage = models.ForeignKey(TriageRound, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["triage", "criterion"], name="one_verdict_per_criterion"
            )
        ]


class CaseEvent(models.Model):
    """The case history: every transition and notable change, with who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30, blank=True)
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class ReferenceCounter(models.Model):
    """Per-year counter for human-readable case references (VN-2026-00042)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)
