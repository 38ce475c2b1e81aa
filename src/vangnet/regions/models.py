"""Municipalities, provinces, safety regions and the eight case tables with their regions.

Which table serves which municipality is data with validity dates (DOMAIN.md): an administrator
corrects it per municipality with a start date; a case keeps the table at which it was registered.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Province(models.Model):
    code = models.CharField("code", max_length=4, unique=True)  # PVxx
    name = models.CharField("naam", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "provincie"
        verbose_name_plural = "provincies"

    def __str__(self) -> str:
        return self.name


class SafetyRegion(models.Model):
    """Veiligheidsregio (VR01..VR25)."""

    code = models.CharField("code", max_length=4, unique=True)
    name = models.CharField("naam", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "veiligheidsregio"
        verbose_name_plural = "veiligheidsregio's"

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField("code", max_length=6, unique=True)  # GMxxxx
    name = models.CharField("naam", max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="municipalities", verbose_name="provincie"
    )
    safety_region = models.ForeignKey(
        SafetyRegion,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name="veiligheidsregio",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"

    def __str__(self) -> str:
        return self.name


class Table(models.Model):
    """A casuïstiektafel hoogcomplexe ggz."""

    number = models.PositiveSmallIntegerField("nummer", unique=True)
    name = models.CharField("naam", max_length=100)
    region_description = models.CharField("regio", max_length=200)
    coordinating_institution = models.CharField("coördinerende instelling", max_length=100)
    contact_email = models.EmailField("e-mailadres", blank=True)
    contact_phone = models.CharField("telefoon", max_length=30, blank=True)
    # The term within which an admitted patient must be offered suitable care (seed 001 §3.2).
    offer_term_days = models.PositiveIntegerField("aanbodtermijn (dagen)", default=90)
    # The insurer involved in this table on behalf of all insurers (seed 004 §5c); its medical
    # advisers and zorgbemiddeling hear of the table's new cases and triage outcomes. Every insurer
    # stays responsible for its own insured.
    insurer = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"organisation_type": "insurer"},
        verbose_name="zorgverzekeraar namens allen",
    )

    class Meta:
        ordering = ["number"]
        verbose_name = "casuïstiektafel"
        verbose_name_plural = "casuïstiektafels"

    def __str__(self) -> str:
        return f"Tafel {self.number} – {self.name}"


class TableAssignment(models.Model):
    """Table serving a municipality from `valid_from` until (excluding) `valid_to`."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="table_assignments",
        verbose_name="gemeente",
    )
    table = models.ForeignKey(
        Table, on_delete=models.PROTECT, related_name="assignments", verbose_name="tafel"
    )
    valid_from = models.DateField("geldig vanaf")
    valid_to = models.DateField("geldig tot", null=True, blank=True)
    source = models.CharField("bron", max_length=200, blank=True)

    class Meta:
        ordering = ["municipality__name", "valid_from"]
        verbose_name = "tafelindeling"
        verbose_name_plural = "tafelindeling"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="one_assignment_per_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="assignment_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} → {self.table} vanaf {self.valid_from}"


class Criterion(models.Model):
    """One of the seven inclusion criteria (seed 004 §5a, seed 001 §1.1). Reference data.

    Moved here from `cases` (ADR 0007) with its table: the public pages and the API show the
    criteria without importing the case work."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.CharField(max_length=300)

    class Meta:
        db_table = "cases_criterion"
        ordering = ["number"]
        verbose_name = "criterium"
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"
