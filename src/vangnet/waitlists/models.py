"""Waiting lists: diagnosis groups, providers' monthly submissions, registration pauses and the
providers' published waiting times (NZa transparency data).

Only pseudonymised registrations are stored (see `pseudonymise.py`); pages and the API show
aggregates computed from them, never a pseudonym. How a submission replaces an earlier one is
recorded in docs/adr/0005-waitlist-submissions.md.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from vangnet.common.models import TimeStampedModel


class DiagnosisGroup(models.Model):
    """One of the 14 hoofddiagnosegroepen of NZa waiting-time reporting (loaded by migration)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("naam", max_length=120)
    position = models.PositiveSmallIntegerField("volgorde", unique=True)

    class Meta:
        ordering = ["position"]
        verbose_name = "hoofddiagnosegroep"
        verbose_name_plural = "hoofddiagnosegroepen"

    def __str__(self) -> str:
        return self.name


class RegionKind(models.TextChoices):
    """The groupings of municipalities Vangnet reports by (`regions.selectors.region_grouping`)."""

    PROVINCE = "province", "Provincie"
    SAFETY_REGION = "veiligheidsregio", "Veiligheidsregio"
    TABLE = "table", "Tafelregio"


class Channel(models.TextChoices):
    CLI = "cli", "Opdrachtregel"
    WEB = "web", "Uploadpagina"
    API = "api", "API"


class Submission(TimeStampedModel):
    """A provider's waiting-list data for one reporting month (`period`, the first of the month).

    A new submission for the same provider and period replaces the previous one; the content hash
    makes a repeated import of the same rows a no-op.
    """

    provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="waitlist_submissions",
        verbose_name="aanbieder",
    )
    period = models.DateField("periode")
    content_sha256 = models.CharField("SHA-256 van de inhoud", max_length=64)
    row_count = models.PositiveIntegerField("aantal regels")
    source_name = models.CharField("bestand", max_length=200, blank=True)
    channel = models.CharField(
        "kanaal", max_length=10, choices=Channel.choices, default=Channel.CLI
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="aangeleverd door",
    )

    class Meta:
        ordering = ["-period", "provider__name"]
        verbose_name = "wachtlijstaanlevering"
        verbose_name_plural = "wachtlijstaanleveringen"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "period"], name="one_submission_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="submission_period_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.period:%Y-%m}"


class WaitlistRegistration(models.Model):
    """One registration (aanmelding) of a submission. `period` and `provider` repeat those of the
    submission so a month can be loaded for the engine with one indexed query."""

    # The import is the only writer and checks every id against the database before it writes,
    # inside one transaction holding the providers' locks; Django's collector still applies
    # CASCADE and PROTECT. So the database keeps no foreign-key constraints here: their
    # deferred checks at commit cost more than the COPY of a national month (~3 M rows) itself.
    # One index (period, provider) serves both ways rows are used: read per month, replaced per
    # provider and month. Every further index slows the COPY. ADR 0010.
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="registrations",
        db_constraint=False,
        db_index=False,
    )
    period = models.DateField()
    provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person_pseudonym = models.CharField(max_length=100)
    # The engine's integer person code, assigned at import (`columnar.person_keys`): a 63-bit
    # digest of the pseudonym, so the same person has the same key in every month and file.
    person_key = models.BigIntegerField()
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    diagnosis_group = models.ForeignKey(
        DiagnosisGroup,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    registration_date = models.DateField()
    intake_date = models.DateField(null=True, blank=True)
    treatment_start_date = models.DateField(null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True)
    preferred_provider = models.BooleanField(default=False)
    line = models.PositiveIntegerField()  # line of the source file, for questions about a row

    class Meta:
        verbose_name = "wachtlijstregel"
        verbose_name_plural = "wachtlijstregels"
        indexes = [models.Index(fields=["period", "provider"], name="registration_month")]


# ------------------------------------------------------------------------------------------
# Stored figures: computed from a month's registrations when its submissions change
# (`aggregates.refresh_months`), read by pages and the API. ADR 0010 explains why.


class WaitCount(models.Model):
    """Waiting counts on a month's peildatum per region × diagnosis group (code, or "alle": the
    groups merged so a person waiting in two groups counts once)."""

    period = models.DateField()
    region_kind = models.CharField(max_length=20, choices=RegionKind.choices)
    region_code = models.CharField(max_length=10)
    diagnosis_group = models.CharField(max_length=40)
    registrations_waiting = models.PositiveIntegerField()
    persons_waiting = models.PositiveIntegerField()
    persons_multi_provider = models.PositiveIntegerField()
    persons_by_preference = models.PositiveIntegerField()
    over_norm_intake = models.PositiveIntegerField()
    over_norm_treatment = models.PositiveIntegerField()
    registrations_waiting_intake = models.PositiveIntegerField()
    registrations_waiting_treatment = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["region_kind", "region_code", "period"], name="waitcount_region")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region_kind", "region_code", "diagnosis_group"],
                name="one_waitcount_per_cell",
            )
        ]


class WaitFlow(models.Model):
    """Intakes and treatment starts in a month per region × diagnosis group (or "alle")."""

    period = models.DateField()
    region_kind = models.CharField(max_length=20, choices=RegionKind.choices)
    region_code = models.CharField(max_length=10)
    diagnosis_group = models.CharField(max_length=40)
    intakes = models.PositiveIntegerField()
    intake_wait_median = models.FloatField(null=True)
    intake_wait_p80 = models.FloatField(null=True)
    intake_within_norm_share = models.FloatField(null=True)
    treatment_starts = models.PositiveIntegerField()
    treatment_wait_median = models.FloatField(null=True)
    treatment_wait_p80 = models.FloatField(null=True)
    treatment_within_norm_share = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_kind", "region_code", "period"], name="waitflow_region")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region_kind", "region_code", "diagnosis_group"],
                name="one_waitflow_per_cell",
            )
        ]


class ProviderWait(models.Model):
    """A provider's median waits and Treeknorm breaches per month × diagnosis group."""

    period = models.DateField()
    provider = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    diagnosis_group = models.CharField(max_length=40)
    waiting_intake = models.PositiveIntegerField()
    waiting_treatment = models.PositiveIntegerField()
    median_wait_intake = models.FloatField(null=True)
    median_wait_treatment = models.FloatField(null=True)
    breach_intake = models.BooleanField()
    breach_treatment = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["period", "provider"], name="providerwait_period")]


class LargestBreach(models.Model):
    """Per month × region the provider with the most waiting registrations over the norm."""

    period = models.DateField()
    region_kind = models.CharField(max_length=20, choices=RegionKind.choices)
    region_code = models.CharField(max_length=10)
    provider = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    over_norm = models.PositiveIntegerField()
    over_norm_intake = models.PositiveIntegerField()
    over_norm_treatment = models.PositiveIntegerField()
    registrations_waiting = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["region_kind", "region_code", "period"], name="largest_region")
        ]


class ProcessOwnerRegion(models.Model):
    """The region a process owner of the transfer mechanism acts for (seed 002, criterion e).

    A PROCESS_OWNER membership may record registration pauses for every provider located in one of
    its regions. Kept here rather than on Membership: only the waiting-list domain needs it.
    """

    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.CASCADE,
        related_name="process_owner_regions",
        verbose_name="lidmaatschap",
    )
    region_kind = models.CharField("soort regio", max_length=20, choices=RegionKind.choices)
    region_code = models.CharField("regiocode", max_length=10)

    class Meta:
        verbose_name = "regio van proceseigenaar"
        verbose_name_plural = "regio's van proceseigenaren"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "region_kind", "region_code"],
                name="unique_process_owner_region",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} – {self.get_region_kind_display()} {self.region_code}"


class RegistrationPause(TimeStampedModel):
    """An aanmeldpauze: a provider takes no new registrations for a diagnosis group (seed 002)."""

    provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="registration_pauses",
        verbose_name="aanbieder",
    )
    diagnosis_group = models.ForeignKey(
        DiagnosisGroup, on_delete=models.PROTECT, related_name="+", verbose_name="diagnosegroep"
    )
    starts_on = models.DateField("ingangsdatum")
    planned_end_on = models.DateField("geplande einddatum")
    ended_on = models.DateField("beëindigd op", null=True, blank=True)
    reason = models.TextField("reden", max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="door"
    )
    recorded_as = models.CharField("vastgelegd als", max_length=30)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="beëindigd door",
    )

    class Meta:
        ordering = ["-starts_on", "provider__name"]
        verbose_name = "aanmeldpauze"
        verbose_name_plural = "aanmeldpauzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=models.F("starts_on")),
                name="pause_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Aanmeldpauze {self.provider} – {self.diagnosis_group}"

    @property
    def last_day(self) -> date:
        """The last day the pause is in force (an early end takes effect on `ended_on`)."""
        if self.ended_on is not None:
            return min(self.planned_end_on, self.ended_on)
        return self.planned_end_on

    def is_active(self, on: date) -> bool:
        if self.ended_on is not None and on >= self.ended_on:
            return False
        return self.starts_on <= on <= self.planned_end_on


class PublishedImport(TimeStampedModel):
    """One imported file of published waiting times (NZa/MediQuest format), with its report."""

    source_name = models.CharField("bestand", max_length=200)
    content_sha256 = models.CharField("SHA-256 van de inhoud", max_length=64, unique=True)
    rows_total = models.PositiveIntegerField("regels")
    rows_used = models.PositiveIntegerField("regels gebruikt")
    report = models.JSONField(
        "verslag", default=dict
    )  # counts by reason; no personal data in this file

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import gepubliceerde wachttijden"
        verbose_name_plural = "imports gepubliceerde wachttijden"

    def __str__(self) -> str:
        return f"{self.source_name} ({self.created_at:%Y-%m-%d})"


class PublishedWaitingTime(models.Model):
    """A provider location's published aanmeld- and behandelwachttijd for one offer (circuit ×
    care type, and diagnosis group where the source gives one). A stop is kept as a stop."""

    source = models.ForeignKey(PublishedImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    row_id = models.CharField(max_length=40, blank=True)
    provider_agb = models.CharField(max_length=8, blank=True)
    provider_name = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=7, blank=True)
    place = models.CharField(max_length=100, blank=True)
    municipality = models.ForeignKey(
        "regions.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    care_type = models.CharField(max_length=40, blank=True)  # Type.GGZ: BGGZ, SGGZ, BGGZ/SGGZ
    circuit = models.CharField(max_length=40, blank=True)
    diagnosis_group = models.ForeignKey(
        DiagnosisGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registration_weeks = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    treatment_weeks = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    registration_stop = models.BooleanField(default=False)
    treatment_stop = models.BooleanField(default=False)
    peildatum = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "gepubliceerde wachttijd"
        verbose_name_plural = "gepubliceerde wachttijden"
