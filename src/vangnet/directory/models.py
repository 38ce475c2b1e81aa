"""Organisations (referrers, table members, insurers, providers) and the sociale kaart: their
locations and offers, kept current by the organisations themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vangnet.common.models import TimeStampedModel


class OrganisationType(models.TextChoices):
    GGZ_INSTITUTION = "ggz_institution", "Ggz-instelling"
    ADDICTION_CARE = "addiction_care", "Verslavingszorg"
    SHELTERED_HOUSING = "sheltered_housing", "Beschermd wonen"
    INTELLECTUAL_DISABILITY_CARE = "intellectual_disability_care", "Gehandicaptenzorg (LVB)"
    INSURER = "insurer", "Zorgverzekeraar"
    MUNICIPALITY = "municipality", "Gemeente"
    UCZ = "ucz", "Unit Complexe Zorgvragen (VWS)"
    GP_PRACTICE = "gp_practice", "Huisartsenpraktijk"
    CCE = "cce", "Centrum voor Consultatie en Expertise"
    OTHER = "other", "Overig"


class Organisation(TimeStampedModel):
    name = models.CharField("naam", max_length=200)
    organisation_type = models.CharField(
        "type", max_length=40, choices=OrganisationType.choices, default=OrganisationType.OTHER
    )
    agb_code = models.CharField(
        "AGB-code",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit 8 cijfers.")],
    )
    kvk_number = models.CharField(
        "KvK-nummer",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", "Een KvK-nummer bestaat uit 8 cijfers.")],
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="gemeente",
    )
    email = models.EmailField(blank=True, verbose_name="e-mail")

    class Meta:
        ordering = ["name"]
        verbose_name = "organisatie"
        verbose_name_plural = "organisaties"
        constraints = [
            models.UniqueConstraint(
                fields=["agb_code"], condition=~models.Q(agb_code=""), name="unique_agb_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- The sociale kaart: locations and offers, kept by the organisations themselves -----------

STALE_AFTER_DAYS = 183  # six months without confirmation: the entry is shown as stale


class MunicipalityPoint(models.Model):
    """One point per municipality, derived from GeoNames places (see `geo.py` for the rule)."""

    municipality = models.OneToOneField(
        "regions.Municipality", on_delete=models.CASCADE, related_name="point"
    )
    latitude = models.FloatField(verbose_name="breedtegraad")
    longitude = models.FloatField(verbose_name="lengtegraad")
    rule = models.CharField(max_length=20)  # own_name, woonplaats, seat, nearby
    place = models.CharField(max_length=100)
    geonameid = models.PositiveIntegerField()

    class Meta:
        verbose_name = "punt van gemeente"
        verbose_name_plural = "punten van gemeenten"

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.place}"


class ServedArea(models.TextChoices):
    """Where a service without a location (e-health, telephone) can be used."""

    NATIONAL = "national", "Heel Nederland"
    PROVINCE = "province", "Provincie"
    REGION = "region", "Tafelregio"


class OfferKind(models.TextChoices):
    BGGZ = "bggz", "Basis-ggz"
    SGGZ = "sggz", "Gespecialiseerde ggz"
    TOP_REFERRAL = "top_referral", "Hoogspecialistische ggz / topreferent"
    ADDICTION = "addiction", "Verslavingszorg"
    CRISIS = "crisis", "Crisisdienst"
    SHELTERED_HOUSING = "sheltered_housing", "Beschermd wonen"
    AMBULANT_SUPPORT = "ambulant_support", "Ambulante begeleiding"
    DAY_ACTIVITIES = "day_activities", "Dagbesteding"
    DEBT_COUNSELLING = "debt_counselling", "Schuldhulpverlening"
    SOCIAL_WORK = "social_work", "Maatschappelijk werk"
    SELF_HELP = "self_help", "Herstel en zelfregie"
    PEER_SUPPORT = "peer_support", "Lotgenoten- en ervaringsdeskundige steun"
    CLIENT_SUPPORT = "client_support", "Onafhankelijke cliëntondersteuning"
    EHEALTH = "ehealth", "E-health"


# Low-threshold kinds shown on the public region page (clients and relatives, no login).
PUBLIC_KINDS = (
    OfferKind.CRISIS,
    OfferKind.SELF_HELP,
    OfferKind.PEER_SUPPORT,
    OfferKind.CLIENT_SUPPORT,
    OfferKind.SOCIAL_WORK,
    OfferKind.DEBT_COUNSELLING,
    OfferKind.DAY_ACTIVITIES,
    OfferKind.EHEALTH,
)


class OfferFinancing(models.TextChoices):
    ZVW = "zvw", "Zvw (zorgverzekering)"
    WMO = "wmo", "Wmo (gemeente)"
    WLZ = "wlz", "Wlz (langdurige zorg)"
    FZ = "fz", "Forensische zorg"
    JEUGDWET = "jeugdwet", "Jeugdwet"
    FREE = "free", "Gratis / vrij toegankelijk"


class Access(models.TextChoices):
    REFERRAL = "referral", "Verwijzing nodig"
    SELF = "self", "Zelf aanmelden"


class StaleMixin(models.Model):
    confirmed_at = models.DateTimeField("laatst bevestigd")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="bevestigd door",
    )

    class Meta:
        abstract = True

    def is_stale(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.confirmed_at < now - timedelta(days=STALE_AFTER_DAYS)


class Location(TimeStampedModel, StaleMixin):
    """A place where an organisation offers care or support, or (remote) a service without a
    place (e-health, telephone) with the area it serves."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name="organisatie",
    )
    name = models.CharField("naam", max_length=200)
    remote = models.BooleanField("zonder vestiging (e-health, telefonisch)", default=False)
    address = models.CharField("adres", max_length=200, blank=True)
    postcode = models.CharField("postcode", max_length=7, blank=True)
    municipality = models.ForeignKey(
        "regions.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="gemeente",
    )
    served_area = models.CharField(
        "werkgebied", max_length=20, choices=ServedArea.choices, blank=True
    )
    served_province = models.ForeignKey(
        "regions.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bediende provincie",
    )
    served_table = models.ForeignKey(
        "regions.Table",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bediende tafelregio",
    )
    phone = models.CharField("telefoon", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    website = models.URLField("website", blank=True)
    opening_hours = models.CharField("openingstijden", max_length=300, blank=True)
    accessibility = models.CharField("toegankelijkheid", max_length=500, blank=True)
    # Copied from the municipality's point when saved, so distance can be ordered in SQL.
    latitude = models.FloatField(null=True, blank=True, verbose_name="breedtegraad")
    longitude = models.FloatField(null=True, blank=True, verbose_name="lengtegraad")

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = "locatie"
        verbose_name_plural = "locaties"
        constraints = [
            models.CheckConstraint(
                condition=Q(remote=True) | Q(municipality__isnull=False),
                name="location_has_municipality_or_is_remote",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.name}"


class Offer(TimeStampedModel, StaleMixin):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="offers", verbose_name="locatie"
    )
    kind = models.CharField("soort", max_length=30, choices=OfferKind.choices)
    name = models.CharField("naam", max_length=200)
    description = models.TextField("omschrijving", max_length=2000, blank=True)
    diagnosis_groups = models.ManyToManyField(
        "waitlists.DiagnosisGroup", blank=True, related_name="+", verbose_name="diagnosegroepen"
    )
    age_min = models.PositiveSmallIntegerField("leeftijd vanaf", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("leeftijd tot en met", null=True, blank=True)
    lvb = models.BooleanField("voor mensen met een LVB", default=False)
    forensic = models.BooleanField("forensisch", default=False)
    financing = models.CharField("financiering", max_length=20, choices=OfferFinancing.choices)
    access = models.CharField("toegang", max_length=20, choices=Access.choices)
    stated_wait_weeks = models.PositiveSmallIntegerField(
        "verwachte wachttijd (weken, volgens aanbieder)", null=True, blank=True
    )
    # From Vangnet's own waiting-list data (median wait of the latest month), refreshed daily.
    observed_wait_weeks = models.FloatField(
        null=True, blank=True, verbose_name="waargenomen wachttijd (weken)"
    )
    observed_wait_month = models.DateField(
        null=True, blank=True, verbose_name="maand van de waargenomen wachttijd"
    )
    # Plain text of the searchable fields, kept by the services (full-text index on PostgreSQL).
    search_text = models.TextField(blank=True, editable=False, verbose_name="zoektekst")

    class Meta:
        ordering = ["name"]
        verbose_name = "aanbod"
        verbose_name_plural = "aanbod"
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_max__gte=models.F("age_min")),
                name="offer_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_id(self) -> int:
        return self.location.organisation_id

    @property
    def expected_wait_weeks(self) -> float | None:
        if self.stated_wait_weeks is not None:
            return float(self.stated_wait_weeks)
        return self.observed_wait_weeks


class EntryChange(models.Model):
    """One change of a location or offer: who, when, and every field's old and new value."""

    class Action(models.TextChoices):
        CREATE = "create", "Aangemaakt"
        UPDATE = "update", "Gewijzigd"
        CONFIRM = "confirm", "Bevestigd"
        DELETE = "delete", "Verwijderd"
        IMPORT = "import", "Geïmporteerd"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="organisatie"
    )
    entity = models.CharField(max_length=10, verbose_name="soort")  # "location" or "offer"
    entity_id = models.BigIntegerField(db_index=True, verbose_name="nummer")
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name="handeling")
    changes = models.JSONField(
        default=dict, blank=True, verbose_name="wijzigingen"
    )  # field -> [old, new]
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="gewijzigd door",
    )
    changed_at = models.DateTimeField(auto_now_add=True, verbose_name="gewijzigd op")

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "wijziging sociale kaart"
        verbose_name_plural = "wijzigingen sociale kaart"


class ShortageRecord(models.Model):
    """No suitable offer was found for a case: the monitor's shortage code (seed 001 §4.1), the
    search that found nothing (its filters, never patient data) and who recorded it when."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    code = models.CharField("tekort", max_length=40)
    note = models.CharField("toelichting", max_length=1000, blank=True)
    search = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "vastgelegd tekort"
        verbose_name_plural = "vastgelegde tekorten"


def insurer_named(name: str) -> Organisation:
    """The insurer organisation of that name (case-insensitive), created when no insurer has it:
    for demo data and data loaders that know insurers by name. Pages and the API never create
    one; they choose from the list."""
    found = (
        Organisation.objects.filter(
            organisation_type=OrganisationType.INSURER, name__iexact=name.strip()
        )
        .order_by("pk")
        .first()
    )
    return found or Organisation.objects.create(
        name=name.strip(), organisation_type=OrganisationType.INSURER
    )
