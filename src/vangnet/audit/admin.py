from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the log cannot be changed or deleted through the application."""

    list_display = ["at", "username", "role", "organisation", "case_reference", "action", "outcome"]
    list_filter = ["action", "outcome", "channel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
