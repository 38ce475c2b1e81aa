"""The outcome follow-up after closure (issue 16 §3, seed 001 §2.1.1): 3 and 12 months after a
case closed with a new offer, its referrer is asked by a one-time link whether the patient still
receives the care agreed, and if not, why not.

The link carries a random token only; only its hash is stored. It is not a bearer credential:
whoever opens it must be logged in (with the second factor) as the referrer it was sent to, because
the form shows which patient it concerns and the answer is health information about that patient.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from vangnet.common.models import TimeStampedModel
from vangnet.reference import outcome_followup as vocab

LINK_DAYS = 30  # the link works this long; after that the table sees "not answered"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class OutcomeRequest(TimeStampedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="outcome_requests"
    )
    months = models.PositiveSmallIntegerField("maanden na afsluiting")
    # The closure this question follows: a reopened and closed-again case is asked again.
    closed_on = models.DateField("afgesloten op")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="aan"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("verloopt op")
    answered_at = models.DateTimeField("beantwoord op", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(max_length=10, blank=True, choices=vocab.ANSWERS)
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["closed_on", "months"]
        verbose_name = "uitkomstvraag na afsluiting"
        verbose_name_plural = "uitkomstvragen na afsluiting"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "months", "closed_on"], name="one_outcome_request_per_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} na {self.months} maanden"

    @classmethod
    def new_key(cls) -> tuple[str, str, datetime]:
        raw = secrets.token_urlsafe(32)
        return raw, token_hash(raw), timezone.now() + timedelta(days=LINK_DAYS)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(vocab.REASONS)
        return [labels.get(r, r) for r in self.reasons]
