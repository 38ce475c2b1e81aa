"""The access log (NEN 7513 style): one row per access to identifiable case data.

Rows are append-only and tamper-evident:
- the model refuses updates and deletes, the admin does not show the log, and on PostgreSQL
  triggers refuse UPDATE, DELETE and TRUNCATE at the database itself and set the row's time from
  the database clock (the application cannot choose it);
- every row is sealed into a SHA-256 hash chain (`AccessLogSeal`, see `sealing.py`); the
  application connects as a role that may only INSERT and SELECT on both tables.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class Action(models.TextChoices):
    READ = "read", "Inzien"
    LIST = "list", "Lijst"
    SEARCH = "search", "Zoeken"
    EXPORT = "export", "Exporteren"
    CREATE = "create", "Aanmaken"
    UPDATE = "update", "Wijzigen"
    DOWNLOAD = "download", "Document downloaden"
    LOG_VIEW = "log_view", "Toegangslog inzien"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Toegestaan"
    DENIED = "denied", "Geweigerd"


M = TypeVar("M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[M]):
    """Bulk update and delete bypass the model's save/delete guards, so refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Het toegangslog kan niet worden gewijzigd.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Het toegangslog kan niet worden verwijderd.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Het toegangslog kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Het toegangslog kan niet worden verwijderd.")


class AccessLogEntry(AppendOnlyModel):
    # The database sets the time (UTC): a default here, and on PostgreSQL a trigger that overrides
    # whatever the application sends, so no row can be backdated through the application.
    at = models.DateTimeField(db_default=Now(), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=30, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    # The case is kept by id and reference, not by foreign key, so the log outlives any case row.
    # Indexed with the time below (a case's log is read newest first, page by page).
    case_id = models.BigIntegerField(null=True, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    channel = models.CharField(max_length=10, default="web")  # web or api
    # How the user was authenticated (NEN 7513 access point): "session", "token:<id>" for an API
    # token, "clientcode:<id>" for a client's personal code (no account), or empty for an attempt
    # without valid credentials.
    credential = models.CharField(max_length=40, blank=True, default="")
    detail = models.CharField(max_length=200, blank=True)  # never personal data: what, not whom

    objects = AppendOnlyQuerySet["AccessLogEntry"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "toegangslogregel"
        verbose_name_plural = "toegangslog"
        indexes = [
            models.Index(fields=["case_reference", "at", "id"], name="accesslog_case_ref_time"),
            models.Index(fields=["case_id", "at", "id"], name="accesslog_case_time"),
        ]

    @property
    def role_label(self) -> str:
        from vangnet.accounts.models import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def credential_label(self) -> str:
        if self.credential == "session":
            return "sessie"
        if self.credential.startswith("token:"):
            return f"API-token {self.credential.removeprefix('token:')}"
        if self.credential.startswith("clientcode:"):
            # A client opening their transfer page without an account (transfers.client_codes).
            return f"persoonlijke cliëntcode {self.credential.removeprefix('clientcode:')}"
        return "geen (niet aangemeld)" if not self.user_id else self.credential


class AccessLogSeal(AppendOnlyModel):
    """One link of the hash chain: the seal of one access-log row.

    hash = SHA-256(previous_hash + canonical content of the row, its position and sealed_at).
    The chain order is the sealing order (position), not the row id: a row written in a long
    transaction becomes visible, and is sealed, only after it commits.
    """

    position = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(AccessLogEntry, on_delete=models.PROTECT, related_name="seal")
    sealed_at = models.DateTimeField()  # the database clock, checked by a trigger on PostgreSQL
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet["AccessLogSeal"].as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "zegel"
        verbose_name_plural = "zegels"


class AccountLogEntry(AppendOnlyModel):
    """What administrators (and the activation flow) do to accounts: password set, second factor
    added or removed, membership changed, token revoked. Append-only like the access log; the
    privacy officer reads it."""

    at = models.DateTimeField(db_default=Now(), db_index=True)
    actor = models.CharField(max_length=150)  # username of who did it ("systeem" for a flow)
    subject = models.CharField(max_length=150)  # username of the account it was done to
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)

    objects = AppendOnlyQuerySet["AccountLogEntry"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "beheerlogregel"
        verbose_name_plural = "beheerlog"
