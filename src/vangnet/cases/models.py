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
    # Monitor Q7: is the patient currently in ggz treatment? (None: not known)
    in_ggz_treatment = models.BooleanField(null=True)
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

    @property
    def label(self) -> str:
        from .workflow import event_label

        return event_label(self.transition)


class ReferenceCounter(models.Model):
    """Per-year counter for human-readable case references (VN-2026-00042)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


# --- Preparation (seed 000 Zorgconsul and FCON; seed 001 §2) -------------------------------


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


# --- Meetings --------------------------------------------------------------------------------


class Meeting(TimeStampedModel):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Geplande tafelbespreking"
        AD_HOC = "ad_hoc", "Ad-hocbespreking voor één casus"

    class Chair(models.TextChoices):
        INDEPENDENT = "independent", "Onafhankelijk voorzitter"
        FIXED = "fixed", "Vaste voorzitter"
        ROTATING = "rotating", "Roulerend voorzitterschap"

    table = models.ForeignKey("regions.Table", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    chair_type = models.CharField(max_length=20, choices=Chair.choices)
    chair_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    shared_at = models.DateTimeField(
        null=True, blank=True
    )  # prepared case shared with participants
    discussed = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")
        ]


class Participant(models.Model):
    """Who joins the discussion of one case: organisation, person, mandate; patient or relative."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisatie"
        PATIENT = "patient", "Patiënt"
        RELATIVE = "relative", "Naaste"
        EXPERT_BY_EXPERIENCE = "expert_by_experience", "Ervaringsdeskundige"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.ORGANISATION)
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(max_length=200)
    has_mandate = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class Task(TimeStampedModel):
    """Who does what by when — from minutes, or set by the coordinator."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    description = models.TextField()
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


# --- The integral plan (seed 004 §5b, §5d; FCON, Tien in Twente) -----------------------------


class LifeDomain(models.TextChoices):
    TREATMENT = "treatment", "Behandeling"
    HOUSING = "housing", "Wonen"
    FINANCES = "finances", "Financiën"
    DAYTIME = "daytime", "Dagbesteding of werk"
    SOCIAL = "social", "Sociaal netwerk"
    SAFETY = "safety", "Veiligheid"


class Financing(models.TextChoices):
    ZVW = "zvw", "Zvw"
    WMO = "wmo", "Wmo"
    WLZ = "wlz", "Wlz"
    FZ = "fz", "Forensische zorg"
    JEUGDWET = "jeugdwet", "Jeugdwet"
    MAATWERK = "maatwerk", "Maatwerkarrangement"


class Plan(TimeStampedModel):
    """The one integral plan of a case. Every change adds a PlanRevision (versioned)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    version = models.PositiveIntegerField(default=1)
    regiebehandelaar = models.CharField(max_length=200, blank=True)
    regiebehandelaar_organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procesregie = models.CharField(max_length=200, blank=True)
    handover_from = models.CharField(max_length=200, blank=True)
    handover_to = models.CharField(max_length=200, blank=True)
    handover_on = models.DateField(null=True, blank=True)
    takeover_goals = models.TextField(blank=True)
    takeover_return_condition = models.TextField(blank=True)
    if_placement_fails = models.TextField(blank=True)


class PlanGoal(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Voorgesteld"
        ACCEPTED = "accepted", "Geaccepteerd"
        DECLINED = "declined", "Geweigerd – terug naar coördinator"
        IN_PROGRESS = "in_progress", "Loopt"
        ACHIEVED = "achieved", "Bereikt"
        STOPPED = "stopped", "Gestopt"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=20, choices=LifeDomain.choices)
    description = models.TextField()
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(max_length=200, blank=True)
    financing = models.CharField(max_length=20, choices=Financing.choices)
    # The sociale kaart offer (at a location) that carries out this goal, when one was found.
    offer = models.ForeignKey(
        "directory.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    response_note = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class PlanRevision(models.Model):
    """One change to the plan: who changed what (field, old, new), and the resulting version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=list)  # [{"field": ..., "old": ..., "new": ...}]

    class Meta:
        ordering = ["-version", "-id"]


class FinancingDecision(TimeStampedModel):
    """The insurer's medical adviser checks the seven criteria and decides on a maatwerkarrangement."""

    class Decision(models.TextChoices):
        REQUESTED = "requested", "Aangevraagd"
        APPROVED = "approved", "Goedgekeurd"
        DECLINED = "declined", "Afgewezen"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="financing_decisions")
    insurer = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.REQUESTED)
    criteria_checks = models.JSONField(default=dict, blank=True)  # {"1": "met", ...}
    reason = models.TextField(blank=True)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


# --- Follow-up, term and escalation ----------------------------------------------------------


class FollowUpPhase(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    months = models.PositiveSmallIntegerField()
    ends_on = models.DateField()
    focus = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_phase_number")
        ]


class CheckIn(models.Model):
    phase = models.ForeignKey(FollowUpPhase, on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on"]


class GoalProgress(models.Model):
    class Progress(models.TextChoices):
        ON_TRACK = "on_track", "Op koers"
        DELAYED = "delayed", "Vertraagd"
        STALLED = "stalled", "Stagneert"
        ACHIEVED = "achieved", "Bereikt"

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    note = models.TextField(blank=True)


class TermSuspension(models.Model):
    """The offer term is suspended for a reason; the deadline moves by the suspended time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    starts_on = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]


class EscalationLevel(models.IntegerChoices):
    """Zorgconsul's four levels (seed 000)."""

    NONE = 0, "Geen escalatie"
    INFORMATION = 1, "1 – Informatiepositie op orde"
    MEDIATION = 2, "2 – Smeerolie (bemiddelen)"
    CONTRACT_MANAGEMENT = 3, "3 – Contractmanagement zorgverzekeraar of gemeente betrekken"
    ADMINISTRATIVE = 4, "4 – Escalatie naar de bestuurlijke overlegtafel"


class EscalationStep(models.Model):
    """One step up or down the ladder: who, when, why and the result. Names no one to blame."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    to_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    result = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def direction(self) -> str:
        return "op" if self.to_level > self.from_level else "af"
