"""Continuity of care around the integral plan (seed 003, the IGJ report on ambulant ggz): the
signalling plan / crisis card, the current medication overview with who is responsible for
somatic screening and pharmaceutical care, the named contact persons until the next step, the
warm handover when care steps down, and the letters that keep the patient's GP informed.

What the inspection found missing is kept as history: a crisis card is never overwritten (each
change is a new version), contact persons and handovers are append-only, medication lines are
stopped rather than deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from vangnet.cases.models import Case
from vangnet.common.models import TimeStampedModel


class AppendOnly(models.Model):
    """A record that is written once: a correction is a new record, never an edit."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} is append-only: record a new one instead.")
        super().save(*args, **kwargs)


class CaseGp(TimeStampedModel):
    """The patient's GP practice (and GP) for this case: who is told about admission, plan and
    closure, with the patient's consent."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="gp")
    practice = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    gp_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "huisarts van de casus"
        verbose_name_plural = "huisartsen van casussen"


class CrisisCard(AppendOnly):
    """One version of the signalling plan / crisis card; the newest version is the card."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="crisis_cards")
    version = models.PositiveIntegerField()
    early_signs = models.TextField()
    what_helps = models.TextField()
    client_words = models.TextField(blank=True)
    # [{"who": ..., "phone": ..., "hours": ...}]: who to call, at which hours.
    contacts = models.JSONField(default=list)
    review_on = models.DateField()
    share_with_gp = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        verbose_name = "crisiskaart (versie)"
        verbose_name_plural = "crisiskaarten (versies)"
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="unique_crisis_card_version")
        ]


class MedicationOverview(TimeStampedModel):
    """The current medication overview of a case and who answers for the somatic and
    pharmaceutical care (seed 003: 'specifieke afspraken over de verantwoordelijkheid')."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="medication")
    somatic_screening_by = models.CharField(max_length=200)
    pharmaceutical_care_by = models.CharField(max_length=200)
    review_on = models.DateField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "medicatieoverzicht"
        verbose_name_plural = "medicatieoverzichten"


class DoseUnit(models.TextChoices):
    MG = "mg", "mg"
    G = "g", "g"
    MICROGRAM = "microgram", "microgram"
    ML = "ml", "ml"
    IU = "iu", "IE"
    PIECE = "piece", "stuk(s)"


class MedicationLine(TimeStampedModel):
    overview = models.ForeignKey(MedicationOverview, on_delete=models.CASCADE, related_name="lines")
    medicine = models.CharField(max_length=200)
    dose_amount = models.DecimalField(max_digits=9, decimal_places=3)
    dose_unit = models.CharField(max_length=20, choices=DoseUnit.choices)
    frequency = models.CharField(max_length=100)
    prescriber = models.CharField(max_length=200)
    since = models.DateField()
    checked_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["stopped_on", "medicine", "id"]
        verbose_name = "medicijn"
        verbose_name_plural = "medicijnen"

    @property
    def dose(self) -> str:
        amount = f"{self.dose_amount.normalize():f}".replace(".", ",")
        return f"{amount} {self.get_dose_unit_display()}, {self.frequency}"


class Audience(models.TextChoices):
    CLIENT = "client", "Cliënt en naasten"
    GP = "gp", "Huisarts"


class ContactPerson(AppendOnly):
    """The named contact person for one audience until the next step; the newest one counts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_persons")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    phone = models.CharField(max_length=30)
    reachable = models.CharField(max_length=200)
    until = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "contactpersoon"
        verbose_name_plural = "contactpersonen"


class HandoverKind(models.TextChoices):
    GP = "gp", "Afschalen naar de huisarts"
    SOCIAL_DOMAIN = "social_domain", "Terugverwijzen naar het sociaal domein"
    OTHER = "other", "Overdracht naar een andere zorgverlener"


class Handover(AppendOnly):
    """A warm handover: who took the care over, when the two spoke, and what was agreed about
    help afterwards. A correction is a new record that names the one it corrects."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(max_length=20, choices=HandoverKind.choices)
    handed_over_by = models.CharField(max_length=200)
    taken_over_by = models.CharField(max_length=200)
    taken_over_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    spoke_on = models.DateField()
    agreed_aftercare = models.TextField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "warme overdracht"
        verbose_name_plural = "warme overdrachten"


class LetterEvent(models.TextChoices):
    ADMITTED = "admitted", "Toegelaten tot de casuïstiektafel"
    PLANNED = "planned", "Integraal plan vastgesteld"
    CLOSED = "closed", "Casus afgesloten"


class Delivery(models.TextChoices):
    VANGNET = "vangnet", "Via Vangnet (melding aan de huisarts)"
    PDF = "pdf", "Als pdf-brief (praktijk zonder account in Vangnet)"


class GpLetter(AppendOnly):
    """A letter to the patient's GP practice about one step of the case. `contents` holds what
    the letter said (the facts at the time, no BSN); the patient's name and birth date are read
    from the case when the letter is rendered."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="gp_letters")
    event = models.CharField(max_length=20, choices=LetterEvent.choices)
    practice = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    contents = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    # Empty when the letter followed the case step by itself.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "huisartsbrief"
        verbose_name_plural = "huisartsbrieven"
