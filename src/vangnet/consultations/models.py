"""Consultations: advice given by a table without admitting a case (seed 001 §2.1.1, §3.1).

The 2020–2021 monitor could not count these. A consultation is anonymous by default; a named
consultation stores the patient's name only with recorded consent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel


class Consultation(TimeStampedModel):
    class RequesterType(models.TextChoices):
        GP = "gp", "Huisarts"
        POH_GGZ = "poh_ggz", "POH-ggz"
        CLINICIAN = "clinician", "Behandelaar ggz"
        INSURER = "insurer", "Zorgbemiddeling zorgverzekeraar"
        MUNICIPALITY = "municipality", "Gemeente / sociaal team"
        OTHER = "other", "Overig"

    table = models.ForeignKey(
        "regions.Table", on_delete=models.PROTECT, related_name="consultations"
    )
    requested_on = models.DateField()
    requester_type = models.CharField(max_length=20, choices=RequesterType.choices)
    requester_organisation = models.CharField(max_length=200, blank=True)
    anonymous = models.BooleanField(default=True)
    patient_name = models.CharField(max_length=200, blank=True)  # only when named with consent
    consent_recorded = models.BooleanField(default=False)
    question = models.TextField()
    advice = models.TextField(blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)
    minutes_spent = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["table", "requested_on", "id"], name="consultation_page")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=True, patient_name="")
                | models.Q(anonymous=False, consent_recorded=True),
                name="named_consultation_needs_consent",
            )
        ]
