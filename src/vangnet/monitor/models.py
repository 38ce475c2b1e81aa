"""The anonymised monitor record: one per case, the sixteen questions of seed 001 Bijlage 2.

A record holds no name, date of birth, BSN, address or identifying free text: the age is a
cluster, the open texts are checked before saving (`identifying.py`). Records completed in Vangnet
keep an internal link to their case (to prefill and to follow the outcome); that link and the
case reference are never exported — the export carries the record's own `case_ref`, which for
case-based records is a random code.

A case gets its record when it is registered (`services.monitor_record_ensure_for_case`), filled
with what the case knows and no open text, so the monitor counts every case registered in
Vangnet; the coordinator completes it later (`completed_at`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel
from vangnet.reference import questionnaire as codes


def _choices(options: codes.Options) -> list[tuple[str, str]]:
    return [(code, label) for code, label in options]


class Source(models.TextChoices):
    CASE = "case", "Ingevuld bij een casus in Vangnet"
    IMPORT = "import", "Geïmporteerd (historische monitor)"


class MonitorRecord(TimeStampedModel):
    case_ref = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    # Internal only: never exported, never shown outside the table's own pages.
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitor_record",
    )
    registration_date = models.DateField()
    table = models.ForeignKey("regions.Table", on_delete=models.PROTECT, related_name="+")
    referrer_type = models.CharField(
        max_length=40, blank=True, choices=_choices(codes.REFERRER_TYPES)
    )

    age_cluster = models.CharField(max_length=10, blank=True, choices=_choices(codes.AGE_CLUSTER))
    dsm_groups = models.JSONField(default=list, blank=True)
    multi_diagnosis_note = models.TextField(blank=True)
    goal_types = models.JSONField(default=list, blank=True)
    systemic_problems = models.JSONField(default=list, blank=True)
    danger = models.JSONField(default=list, blank=True)
    in_treatment = models.CharField(max_length=5, blank=True, choices=_choices(codes.IN_TREATMENT))
    treatment_duration = models.CharField(
        max_length=10, blank=True, choices=_choices(codes.TREATMENT_DURATION)
    )
    stuck_reasons = models.JSONField(default=list, blank=True)
    exceptional_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=_choices(codes.OUTCOMES))
    helped_by = models.JSONField(default=list, blank=True)
    obstacles = models.JSONField(default=list, blank=True)
    external_expertise = models.JSONField(default=list, blank=True)
    patient_agreed = models.CharField(
        max_length=10, blank=True, choices=_choices(codes.PATIENT_AGREED)
    )
    patient_involved = models.CharField(
        max_length=30, blank=True, choices=_choices(codes.PATIENT_INVOLVED)
    )
    shortages = models.JSONField(default=list, blank=True)

    # Not in the import/export columns: the date the outcome was reached, for the lead time
    # from registration to outcome (only known for records completed in Vangnet).
    outcome_date = models.DateField(null=True, blank=True)
    # When the coordinator last saved the questionnaire. A record made from a case at its
    # registration holds only what the case knows (prefilled) until then.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Not in the import/export columns either: the referrer's answers 3 and 12 months after the
    # closure (issue 16 §3), as codes only, by months: {"3": {"answer": ..., "reasons": [...]}}.
    outcome_followups = models.JSONField(default=dict, blank=True)
    # The coordinator saved open text despite the identifying-text warning.
    identifying_warning_overridden = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["registration_date", "case_ref"]
        verbose_name = "monitorregistratie"
        verbose_name_plural = "monitorregistraties"
        indexes = [models.Index(fields=["table", "registration_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome_date__isnull=True)
                | models.Q(outcome_date__gte=models.F("registration_date")),
                name="monitor_outcome_after_registration",
            )
        ]

    def __str__(self) -> str:
        return self.case_ref

    def answers(self) -> dict[str, object]:
        """The questionnaire answers by question key (codes, lists of codes, open texts)."""
        return {q.key: getattr(self, q.key) for q in codes.QUESTIONS}


class RenderedReport(models.Model):
    """A monitor report rendered as PDF, for one report choice and one records version.

    WeasyPrint takes seconds at national size (bench/monitor_pdf.py), so the bytes are kept in
    the database, where every app server finds them, rather than in one process's cache. A row
    is only ever served while its version is the current one (`selectors.report_version`): a
    record added, changed or deleted makes every row stale, and the next render prunes them.
    The report holds aggregate, anonymised figures only."""

    # sha256 of the choice (years, table, public or internal, disclosure threshold)
    choice = models.CharField(max_length=64)
    # sha256 of the records version the figures were counted from
    version = models.CharField(max_length=64)
    year_from = models.PositiveSmallIntegerField()
    year_to = models.PositiveSmallIntegerField()
    table = models.PositiveSmallIntegerField(null=True, blank=True)
    public = models.BooleanField()
    pdf = models.BinaryField()
    rendered_at = models.DateTimeField()
    render_seconds = models.FloatField()

    class Meta:
        verbose_name = "gemaakt monitorrapport"
        verbose_name_plural = "gemaakte monitorrapporten"
        constraints = [
            models.UniqueConstraint(
                fields=["choice", "version"], name="monitor_rendered_report_once_per_version"
            )
        ]

    def __str__(self) -> str:
        where = f"tafel {self.table}" if self.table else "landelijk"
        return f"{self.year_from}-{self.year_to} {where} {'openbaar' if self.public else 'intern'}"
