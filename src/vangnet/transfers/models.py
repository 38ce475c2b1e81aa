"""The regional transfer mechanism (seed 002, speerpunt 2): capacity published by providers,
waiting clients put forward for transfer (candidates), four-eyes screening, proposals from the
matching engine, and transfers as a workflow with a warm handover.

A candidate holds the minimum needed to find care elsewhere (criterion b): diagnosis group,
municipality, urgency, what the client waits for and since when, and their preferences. No name
and no BSN: the provider where the client waits knows who it is by its own reference.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vangnet.common.models import TimeStampedModel

# Capacity figures older than this are shown as stale and never used by the optimiser.
CAPACITY_STALE_AFTER_DAYS = 14


class Capacity(TimeStampedModel):
    """Free intake slots of one location for one diagnosis group in one week, with the expected
    waiting time to intake, published by the provider's own staff for a stated period.

    A remote location (e-health) has no place and serves its whole area.
    """

    location = models.ForeignKey(
        "directory.Location",
        on_delete=models.CASCADE,
        related_name="transfer_capacity",
        verbose_name="locatie",
    )
    diagnosis_group = models.ForeignKey(
        "waitlists.DiagnosisGroup",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="diagnosegroep",
    )
    week = models.DateField("week (maandag)")
    free_slots = models.PositiveSmallIntegerField(
        "vrije intakeplekken", validators=[MaxValueValidator(500)]
    )
    expected_wait_weeks = models.PositiveSmallIntegerField(
        "verwachte wachttijd tot intake (weken)", validators=[MaxValueValidator(104)]
    )
    valid_until = models.DateField("geldig tot en met")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="gepubliceerd door",
    )
    published_at = models.DateTimeField("gepubliceerd op", default=timezone.now)

    class Meta:
        ordering = ["week", "location_id", "diagnosis_group__position"]
        verbose_name = "capaciteit"
        verbose_name_plural = "capaciteit"
        constraints = [
            models.UniqueConstraint(
                fields=["location", "diagnosis_group", "week"], name="unique_capacity_week"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("week")), name="capacity_valid_after_week"
            ),
        ]

    def is_stale(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.published_at < now - timedelta(days=CAPACITY_STALE_AFTER_DAYS)


class FinancingRegime(models.TextChoices):
    ZVW = "zvw", "Zorgverzekeringswet"
    WLZ = "wlz", "Wet langdurige zorg"
    FORENSIC = "forensic", "Forensische zorg"


class Urgency(models.TextChoices):
    REGULAR = "regular", "Regulier"
    HIGH = "high", "Hoog (snel nodig)"


class PutForwardBy(models.TextChoices):
    PROVIDER = "provider", "Aanbieder waar de cliënt wacht"
    GP = "gp", "Huisarts"
    CLIENT_SUPPORTER = "client_supporter", "Onafhankelijke cliëntondersteuner"
    ZORGBEMIDDELING = "zorgbemiddeling", "Zorgbemiddeling van de zorgverzekeraar"


class CandidateState(models.TextChoices):
    AWAITING_SCREENING = "awaiting_screening", "Wacht op screening"
    SUITABLE = "suitable", "Geschikt voor transfer"
    UNSUITABLE = "unsuitable", "Niet geschikt voor transfer"
    IN_TRANSFER = "in_transfer", "In transfer"
    TRANSFERRED = "transferred", "Overgedragen (intake gedaan)"
    WAITING_AT_PREFERRED = "waiting_at_preferred", "Wachtend bij voorkeursaanbieder"
    WITHDRAWN = "withdrawn", "Ingetrokken"


class Candidate(TimeStampedModel):
    """A waiting client put forward for transfer, with consent to share the minimum needed."""

    reference = models.CharField("kenmerk", max_length=20, unique=True)
    state = models.CharField(
        "status",
        max_length=30,
        choices=CandidateState.choices,
        default=CandidateState.AWAITING_SCREENING,
    )
    # The desk of this region handles the candidate (seed 002: one process owner per region).
    region_kind = models.CharField("soort regio", max_length=20)
    region_code = models.CharField("regiocode", max_length=10)
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="woonplaats (gemeente)",
    )
    diagnosis_group = models.ForeignKey(
        "waitlists.DiagnosisGroup",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="diagnosegroep",
    )
    financing = models.CharField(
        "financiering", max_length=20, choices=FinancingRegime.choices, default=FinancingRegime.ZVW
    )
    urgency = models.CharField(
        "urgentie", max_length=20, choices=Urgency.choices, default=Urgency.REGULAR
    )
    waiting_for = models.CharField("wacht op", max_length=200)
    waiting_since = models.DateField("wacht sinds")
    # What staying costs (the engine's "stay"): the further wait expected where the client is.
    expected_home_wait_weeks = models.PositiveSmallIntegerField(
        "verwachte resterende wachttijd bij huidige aanbieder (weken)",
        default=12,
        validators=[MaxValueValidator(104)],
    )
    # Needed for age limits of offers and, with the personal code, to open the client page.
    birth_date = models.DateField("geboortedatum")
    # Where the client waits now, and the provider's own reference (pseudonymous to Vangnet).
    current_provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aanbieder waar de cliënt wacht",
    )
    current_location = models.ForeignKey(
        "directory.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="locatie waar de cliënt wacht",
    )
    provider_reference = models.CharField("eigen kenmerk aanbieder", max_length=40, blank=True)
    insurer = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="zorgverzekeraar",
    )
    # Preferences (zelfregie).
    travel_radius_km = models.PositiveSmallIntegerField(
        "reisafstand (km)", default=35, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    ehealth_ok = models.BooleanField("e-health is goed", default=False)
    neighbouring_regions_ok = models.BooleanField("ook in buurregio's", default=False)
    refused_providers = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="+",
        verbose_name="aanbieders die de cliënt niet wil",
    )
    preferred_provider = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="voorkeursaanbieder",
    )
    # Consent (AVG art. 9): recorded before anything is shared.
    consent_given_on = models.DateField("toestemming gegeven op")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="toestemming vastgelegd door",
    )
    # Who put the client forward.
    put_forward_as = models.CharField(
        "aangedragen als", max_length=20, choices=PutForwardBy.choices
    )
    put_forward_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aangedragen door",
    )
    put_forward_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aangedragen namens",
    )
    # Contact person until the intake (vangnet in the cliëntreis).
    contact_name = models.CharField("contactpersoon tot de intake", max_length=120, blank=True)
    contact_phone = models.CharField("telefoon contactpersoon", max_length=30, blank=True)
    # Four-eyes screening by someone of another organisation (criteria c, g).
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="gescreend door",
    )
    screened_organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="gescreend namens",
    )
    screened_at = models.DateTimeField("gescreend op", null=True, blank=True)
    screening_note = models.TextField("toelichting screening", max_length=2000, blank=True)
    # A declined offer: the client waits at their preferred provider from that day.
    waiting_at_preferred_since = models.DateField(
        "wachtend bij voorkeursaanbieder sinds", null=True, blank=True
    )
    decline_reason = models.TextField("reden van afzien", max_length=2000, blank=True)

    class Meta:
        ordering = ["waiting_since", "reference"]
        verbose_name = "transferkandidaat"
        verbose_name_plural = "transferkandidaten"
        indexes = [models.Index(fields=["region_kind", "region_code", "state"])]
        constraints = [
            # The four-eyes rule, also in the database: never screened by whoever put forward.
            models.CheckConstraint(
                condition=Q(screened_by__isnull=True) | ~Q(screened_by=models.F("put_forward_by")),
                name="candidate_four_eyes_person",
            ),
            models.CheckConstraint(
                condition=Q(screened_organisation__isnull=True)
                | ~Q(screened_organisation=models.F("put_forward_organisation")),
                name="candidate_four_eyes_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def current_wait_days(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        return max(0, (on - self.waiting_since).days)


class ProposalState(models.TextChoices):
    OPEN = "open", "Open (ter beoordeling)"
    DECIDED = "decided", "Besloten"


class Proposal(TimeStampedModel):
    """One run of the matching engine for a region's desk: a suggestion for people."""

    region_kind = models.CharField("soort regio", max_length=20)
    region_code = models.CharField("regiocode", max_length=10)
    state = models.CharField(
        "status", max_length=20, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aangevraagd door",
    )
    # Objective in tenths of a day, as the engine computes it; greedy is the yardstick.
    objective = models.BigIntegerField("doelwaarde (tiende dagen)")
    greedy_objective = models.BigIntegerField("doelwaarde vuistregel (tiende dagen)")
    stay_objective = models.BigIntegerField("doelwaarde als iedereen blijft (tiende dagen)")
    certificate_ok = models.BooleanField("optimaliteit bewezen", default=False)
    parameters = models.JSONField("parameters", default=dict)
    candidate_count = models.PositiveIntegerField("kandidaten", default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "voorstel"
        verbose_name_plural = "voorstellen"


class LineDecision(models.TextChoices):
    PENDING = "pending", "Nog te beoordelen"
    ACCEPTED = "accepted", "Overgenomen"
    CHANGED = "changed", "Aangepast"
    DROPPED = "dropped", "Vervallen"


class ProposalLine(models.Model):
    """One candidate in a proposal: where the engine would send them (no location: stay)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="lines", verbose_name="voorstel"
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="proposal_lines", verbose_name="kandidaat"
    )
    location = models.ForeignKey(
        "directory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="voorgestelde locatie",
    )
    # The capacity row the engine used (location × group × week); free slots are counted on it.
    capacity = models.ForeignKey(
        Capacity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="capaciteit",
    )
    days_saved = models.FloatField("dagen wachten bespaard", default=0)
    distance_km = models.FloatField("afstand (km)", null=True, blank=True)
    cost = models.BigIntegerField("kosten (tiende dagen)")
    decision = models.CharField(
        "besluit", max_length=20, choices=LineDecision.choices, default=LineDecision.PENDING
    )

    class Meta:
        ordering = ["proposal", "candidate__waiting_since", "candidate__reference"]
        verbose_name = "voorstelregel"
        verbose_name_plural = "voorstelregels"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "candidate"], name="unique_line_candidate")
        ]


class TransferState(models.TextChoices):
    PROPOSED = "proposed", "Voorgesteld"
    OFFERED = "offered", "Aangeboden aan de cliënt"
    ACCEPTED = "accepted", "Geaccepteerd"
    DECLINED = "declined", "Afgewezen door de cliënt"
    HANDOVER = "handover", "Warme overdracht"
    INTAKE_PLANNED = "intake_planned", "Intake gepland"
    INTAKE_DONE = "intake_done", "Intake gedaan"
    INTAKE_FAILED = "intake_failed", "Intake niet doorgegaan"


class Transfer(TimeStampedModel):
    """A client's move from where they wait to a receiving location (criteria d, f, j)."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="transfers", verbose_name="kandidaat"
    )
    proposal_line = models.ForeignKey(
        ProposalLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
        verbose_name="voorstelregel",
    )
    receiving_location = models.ForeignKey(
        "directory.Location",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ontvangende locatie",
    )
    # The capacity row this transfer takes a slot of (none when arranged by zorgbemiddeling).
    capacity = models.ForeignKey(
        Capacity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
        verbose_name="capaciteit",
    )
    state = models.CharField(
        "status", max_length=20, choices=TransferState.choices, default=TransferState.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="aangemaakt door",
    )
    offered_at = models.DateTimeField("aangeboden op", null=True, blank=True)
    answer_due = models.DateField("antwoord uiterlijk", null=True, blank=True)
    answered_at = models.DateTimeField("beantwoord op", null=True, blank=True)
    decline_reason = models.TextField("reden van afwijzen", max_length=2000, blank=True)
    intake_date = models.DateField("intakedatum", null=True, blank=True)
    intake_due = models.DateField("intakedatum uiterlijk bekend", null=True, blank=True)
    intake_done_on = models.DateField("intake gedaan op", null=True, blank=True)
    failure_reason = models.TextField("reden niet doorgegaan", max_length=2000, blank=True)
    days_saved = models.FloatField("dagen wachten bespaard (verwacht)", default=0)
    # The insurer's zorgbemiddeling, when it arranges care out of region or buys capacity.
    zorgbemiddeling = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="zorgbemiddeling",
    )
    zorgbemiddeling_note = models.TextField(
        "wat zorgbemiddeling regelde", max_length=2000, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "transfer"
        verbose_name_plural = "transfers"
        indexes = [models.Index(fields=["state", "answer_due"])]


class TransferEvent(models.Model):
    """The history of a transfer: every step, who took it and when (append-only)."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="events", verbose_name="transfer"
    )
    at = models.DateTimeField("tijdstip", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="door",
    )
    from_state = models.CharField("van", max_length=20, blank=True)
    to_state = models.CharField("naar", max_length=20)
    note = models.TextField("toelichting", max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "transferstap"
        verbose_name_plural = "transferstappen"


class HandoverContact(models.Model):
    """Warm handover: who of the sending and receiving provider spoke with whom, and when."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="contacts", verbose_name="transfer"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="namens",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="vastgelegd door",
    )
    spoke_with = models.CharField("gesproken met", max_length=200)
    spoke_on = models.DateField("gesproken op")
    note = models.TextField("afspraken", max_length=2000, blank=True)
    recorded_at = models.DateTimeField("vastgelegd op", default=timezone.now)

    class Meta:
        ordering = ["spoke_on", "pk"]
        verbose_name = "overdrachtscontact"
        verbose_name_plural = "overdrachtscontacten"


CLIENT_CODE_DAYS = 90


class ClientAccessCode(TimeStampedModel):
    """The client's personal code to their page (cliëntreis) without an account.

    Only a hash is stored; the code is shown once, on paper or to the supporter. It is typed on a
    public page together with the birth date, never carried in a URL.
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="access_codes", verbose_name="kandidaat"
    )
    code_hash = models.CharField("code (hash)", max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="uitgegeven door",
    )
    expires_at = models.DateTimeField("verloopt op")
    revoked_at = models.DateTimeField("ingetrokken op", null=True, blank=True)
    last_used_at = models.DateTimeField("laatst gebruikt op", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("mislukte pogingen", default=0)

    class Meta:
        verbose_name = "persoonlijke code"
        verbose_name_plural = "persoonlijke codes"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
