"""Cases at a casuïstiektafel: registration, triage and the case history.

Identifiable patient data lives only here (AVG art. 9). Everything that leaves this app — e-mails,
URLs, logs, the monitor — uses the case reference, never the patient's name, birth date or BSN.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.cases.workflow import Decision, State
from vangnet.common.fields import EncryptedTextField
from vangnet.common.models import TimeStampedModel


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
    # Chosen from the insurer organisations (issue 16 §1): its zorgbemiddeling may see a case it
    # routed to the table, and the insurer finances its own insured.
    insurer = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="insured_cases",
        verbose_name="zorgverzekeraar",
    )
    # Encrypted at rest (issue 10 §8); matching and search use patient_key_bsn.
    patient_bsn = EncryptedTextField(blank=True)
    # Keyed hashes used only to find an open case of the same patient; never shown.
    patient_key_bsn = models.CharField(max_length=64, blank=True, db_index=True)
    patient_key_name = models.CharField(max_length=64, db_index=True)

    consent_by = models.CharField(max_length=20, choices=ConsentBy.choices)
    stuck_description = models.TextField()
    best_solution = models.TextField()
    timeline = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.REGULAR)
    # Monitor Q7: is the patient currently in ggz treatment? (None: not known)
    in_ggz_treatment = models.BooleanField(null=True)
    referrer_criteria = models.ManyToManyField("regions.Criterion", blank=True, related_name="+")
    linked_cases = models.ManyToManyField("self", blank=True, symmetrical=True)
    registered_at = models.DateTimeField()

    # Closure (issue 4). Codes are the monitor's (seed 001 figure 1, Bijlage 2 Q12-Q13, §4.1),
    # defined in vangnet.reference.questionnaire; services validate them.
    outcome = models.CharField(max_length=30, blank=True)
    offer_accepted = models.BooleanField(null=True)
    helped_by = models.JSONField(default=list, blank=True)
    obstacles = models.JSONField(default=list, blank=True)
    shortages = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(blank=True)

    # Follow-up: admission starts the offer term; the escalation level is the current rung.
    admitted_on = models.DateField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

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


class PriorAttempt(models.Model):
    """What was tried before the table, attached at registration (seed 001 §2.2: the table is
    secondary; the provider and the insurer's zorgbemiddeling try first). The table reads it on
    triage; the routing app fills it from a question's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="prior_attempts")
    by_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "directory.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    tried_on = models.DateField()
    what = models.TextField()
    result = models.TextField()

    class Meta:
        ordering = ["tried_on", "id"]


class TriageRound(TimeStampedModel):
    """A triage proposal by the coordinator and its four-eyes check by a second screener."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "Wacht op tweede beoordelaar"
        CONFIRMED = "confirmed", "Bevestigd"
        DISAGREED = "disagreed", "Niet eens"
        CANCELLED = "cancelled", "Vervallen (casus afgesloten of heropend)"

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
    criterion = models.ForeignKey("regions.Criterion", on_delete=models.PROTECT, related_name="+")
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

    @property
    def label(self) -> str:
        from .workflow import event_label

        return event_label(self.transition)


class ReferenceCounter(models.Model):
    """Per-year counter for human-readable case references (VN-2026-00042)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class TimelineEntry(models.Model):
    """A dated event in the care timeline of the case file."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline_entries")
    date = models.DateField()
    organisation_name = models.CharField(max_length=200)
    description = models.TextField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]


class CaseParty(TimeStampedModel):
    """An organisation involved in the case: role, contact, mandate, invitation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    has_mandate = models.BooleanField(default=False)
    already_did = models.TextField(blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="one_party_per_organisation"
            )
        ]


class Consent(TimeStampedModel):
    """The patient's consent to share the case with a named organisation, for a period."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    given_by = models.CharField(max_length=20, choices=ConsentBy.choices)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-valid_from", "id"]


class MeetingQuestion(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Document(models.Model):
    """An attachment, stored under MEDIA_ROOT (outside the web root), served only via a check."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    storage_name = models.CharField(max_length=100, unique=True)  # random; never the upload name
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
