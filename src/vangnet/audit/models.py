"""The access log (NEN 7513 style): one row per access to identifiable case data.

Rows are append-only: the model refuses updates and deletes, the admin is read-only, and on
PostgreSQL a trigger refuses UPDATE and DELETE at the database itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


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


class AppendOnlyQuerySet(models.QuerySet["AccessLogEntry"]):
    """Bulk update and delete bypass the model's save/delete guards, so refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Het toegangslog kan niet worden gewijzigd.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Het toegangslog kan niet worden verwijderd.")


class AccessLogEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)  # stored in UTC (USE_TZ)
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
    detail = models.CharField(max_length=200, blank=True)  # never personal data: what, not whom

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "toegangslogregel"
        verbose_name_plural = "toegangslog"
        indexes = [
            models.Index(fields=["case_reference", "at", "id"], name="accesslog_case_ref_time"),
            models.Index(fields=["case_id", "at", "id"], name="accesslog_case_time"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Het toegangslog kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Het toegangslog kan niet worden verwijderd.")

    @property
    def role_label(self) -> str:
        from vangnet.accounts.models import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role
