"""Users, their memberships of organisations with a role, and per-user API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from vangnet.common.models import TimeStampedModel


class Role(models.TextChoices):
    REFERRER = "referrer", "Verwijzer"
    COORDINATOR = "coordinator", "Tafelcoördinator"
    SECOND_SCREENER = "second_screener", "Tweede beoordelaar"
    TABLE_MEMBER = "table_member", "Tafellid"
    MEDICAL_ADVISER = "medical_adviser", "Medisch adviseur zorgverzekeraar"
    MONITOR_ANALYST = "monitor_analyst", "Monitoranalist"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    DATA_OFFICER = "data_officer", "Datafunctionaris aanbieder"
    PROCESS_OWNER = "process_owner", "Proceseigenaar transfermechanisme"
    DIRECTORY_EDITOR = "directory_editor", "Sociale kaart beheren"
    ADMINISTRATOR = "administrator", "Beheerder"
    # The network around the tables and the transfer mechanism (issues 14 and 16).
    ZORGBEMIDDELING = "zorgbemiddeling", "Zorgbemiddelaar zorgverzekeraar"
    UCZ_OFFICER = "ucz_officer", "Medewerker UCZ (VWS)"
    GENERAL_PRACTITIONER = "general_practitioner", "Huisarts"
    PROVIDER_MANAGER = "provider_manager", "Manager aanbieder"
    CLINICIAN = "clinician", "Behandelaar aanbieder"
    CLIENT_SUPPORTER = "client_supporter", "Onafhankelijke cliëntondersteuner"
    TRANSFER_SCREENER = "transfer_screener", "Screener transfermechanisme"
    BOARD_MEMBER = "board_member", "Bestuurder (bestuurlijke overlegtafel)"


# Roles whose holders can see identifiable case data: two factors are mandatory for them.
CASE_DATA_ROLES = {
    Role.REFERRER,
    Role.COORDINATOR,
    Role.SECOND_SCREENER,
    Role.TABLE_MEMBER,
    Role.MEDICAL_ADVISER,
    Role.PRIVACY_OFFICER,
    Role.ADMINISTRATOR,
    Role.ZORGBEMIDDELING,
    Role.UCZ_OFFICER,
    Role.GENERAL_PRACTITIONER,
    Role.CLINICIAN,
    Role.CLIENT_SUPPORTER,
    Role.TRANSFER_SCREENER,
    Role.BOARD_MEMBER,
}
# Roles that act for one table.
TABLE_ROLES = {Role.COORDINATOR, Role.SECOND_SCREENER, Role.TABLE_MEMBER}


class EmailPreference(models.TextChoices):
    EACH = "each", "Elke melding direct per e-mail, en een dagelijks overzicht"
    DIGEST = "digest", "Alleen een dagelijks overzicht van wat nieuw is"
    NONE = "none", "Geen e-mail; ik kijk zelf in Vangnet"


class User(AbstractUser):
    # How notifications reach the user by e-mail; in Vangnet they always appear.
    email_preference = models.CharField(
        "e-mail bij meldingen",
        max_length=10,
        choices=EmailPreference.choices,
        default=EmailPreference.EACH,
    )

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"

    def roles(self) -> set[str]:
        return set(self.memberships.filter(active=True).values_list("role", flat=True))


class Membership(TimeStampedModel):
    """A user acts for an organisation in a role; table roles also name the table."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="gebruiker"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="organisatie",
    )
    role = models.CharField(max_length=30, choices=Role.choices, verbose_name="rol")
    table = models.ForeignKey(
        "regions.Table",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="tafel",
    )
    active = models.BooleanField(default=True, verbose_name="actief")

    class Meta:
        verbose_name = "lidmaatschap"
        verbose_name_plural = "lidmaatschappen"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "table"], name="unique_membership"
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    role__in=sorted(r.value for r in TABLE_ROLES)
                )  # sorted: stable migrations
                | models.Q(table__isnull=False),
                name="table_role_needs_table",
            ),
        ]

    def __str__(self) -> str:
        table = f" ({self.table})" if self.table_id else ""
        return f"{self.user} – {self.get_role_display()} bij {self.organisation}{table}"


API_TOKEN_DAYS = 90


class ApiToken(TimeStampedModel):
    """A per-user API token. Only a hash is stored; the token is shown once when created."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="gebruiker"
    )
    name = models.CharField(max_length=100, verbose_name="naam")
    key_hash = models.CharField(max_length=64, unique=True, verbose_name="sleutel (hash)")
    prefix = models.CharField(max_length=8, verbose_name="voorvoegsel")
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name="laatst gebruikt op")
    revoked = models.BooleanField(default=False, verbose_name="ingetrokken")
    # Tokens skip the interactive second factor, so they live for a bounded time only.
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name="verloopt op")

    class Meta:
        verbose_name = "API-token"
        verbose_name_plural = "API-tokens"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = "vn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + timedelta(days=API_TOKEN_DAYS),
        )
        return token, raw


class Notification(TimeStampedModel):
    """An in-app message. Texts carry case references, never patient data (they may be e-mailed)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    # A stable key makes periodic jobs idempotent: the same reminder is never sent twice.
    dedup_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "melding"
        verbose_name_plural = "meldingen"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="unique_notification_dedup",
            )
        ]


ACTIVATION_HOURS = 72


class ActivationLink(TimeStampedModel):
    """A one-time link for a new account: set the password and enrol the second factor.

    Two factors are never enrolled on first use of a password (trust on first use): whoever had
    the password could enrol their own authenticator. The link goes to the user's own e-mail
    address, works once, and expires. Only a hash of its secret is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_links")
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "activeringslink"
        verbose_name_plural = "activeringslinks"

    @classmethod
    def issue(cls, *, user: User) -> tuple[ActivationLink, str]:
        raw = secrets.token_urlsafe(32)
        link = cls.objects.create(
            user=user,
            key_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + timedelta(hours=ACTIVATION_HOURS),
        )
        return link, raw

    @classmethod
    def valid(cls, raw: str) -> ActivationLink | None:
        return (
            cls.objects.select_related("user")
            .filter(
                key_hash=ApiToken.hash(raw),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                user__is_active=True,
            )
            .first()
        )
