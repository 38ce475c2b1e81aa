"""Scenario analyses: a calibrated baseline of one region × diagnosis group, and saved scenarios
(knobs, seed, horizon, replications) with their results.

A scenario stores everything needed to reproduce it: its inputs, the seed and the data version
(a hash of the waiting-list submissions the calibration was computed from). Results are
aggregates of simulated clients, never personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel

from .workflow import Status


class Calibration(TimeStampedModel):
    """The parameters estimated from one region × group's history, with the backtest."""

    region_kind = models.CharField("soort regio", max_length=20)
    region_code = models.CharField("regiocode", max_length=10)
    diagnosis_group = models.ForeignKey(
        "waitlists.DiagnosisGroup", on_delete=models.PROTECT, related_name="+"
    )
    data_version = models.CharField("gegevensversie", max_length=64)
    first_month = models.DateField()
    last_month = models.DateField()
    treatment_days = models.FloatField("behandelduur (dagen)")
    parameters = models.JSONField(default=dict)  # providers, capacities, arrivals, initial queue
    backtest = models.JSONField(default=dict)
    notes = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "kalibratie"
        verbose_name_plural = "kalibraties"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "region_kind",
                    "region_code",
                    "diagnosis_group",
                    "data_version",
                    "treatment_days",
                ],
                name="one_calibration_per_data_version",
            )
        ]

    def __str__(self) -> str:
        return f"Kalibratie {self.region_code} {self.diagnosis_group} ({self.data_version[:8]})"


class Scenario(TimeStampedModel):
    """One set of knobs on a calibration, run with a seed over a horizon."""

    calibration = models.ForeignKey(Calibration, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField("naam", max_length=120)
    is_baseline = models.BooleanField("basislijn", default=False)
    knobs = models.JSONField(default=dict)
    horizon_months = models.PositiveSmallIntegerField("horizon (maanden)")
    replications = models.PositiveSmallIntegerField("replicaties")
    seed = models.BigIntegerField("seed")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_replications = models.PositiveSmallIntegerField(default=0)
    replication_results = models.JSONField(default=list)  # one summary per replication, by index
    result = models.JSONField(default=dict)  # aggregated when all replications are done
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "scenario"
        verbose_name_plural = "scenario's"

    def __str__(self) -> str:
        return self.name

    @property
    def progress_percent(self) -> int:
        return int(100 * self.done_replications / max(self.replications, 1))
