"""Admin for the waiting-list reference data, pauses and process-owner regions.

Registrations themselves are not in the admin: they carry pseudonyms, and no page shows one.
Submissions are listed read-only (provider, period, counts), so a support question about an
upload can be answered without seeing its rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    DiagnosisGroup,
    ProcessOwnerRegion,
    PublishedImport,
    RegistrationPause,
    Submission,
)


@admin.register(DiagnosisGroup)
class DiagnosisGroupAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name"]
    ordering = ["position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    # No deleting here either: the month's stored figures are recomputed by the import only
    # (a provider replaces a submission by uploading again).
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    list_display = ["provider", "period", "row_count", "channel", "source_name", "updated_at"]
    list_filter = ["period", "channel"]
    search_fields = ["provider__name", "provider__agb_code"]
    exclude = ["content_sha256"]


@admin.register(PublishedImport)
class PublishedImportAdmin(ReadOnlyAdmin):
    list_display = ["source_name", "created_at", "rows_total", "rows_used"]


@admin.register(RegistrationPause)
class RegistrationPauseAdmin(admin.ModelAdmin):
    list_display = [
        "provider",
        "diagnosis_group",
        "starts_on",
        "planned_end_on",
        "ended_on",
        "recorded_as",
    ]
    list_filter = ["diagnosis_group"]
    search_fields = ["provider__name", "provider__agb_code"]
    raw_id_fields = ["provider", "recorded_by", "ended_by"]


@admin.register(ProcessOwnerRegion)
class ProcessOwnerRegionAdmin(admin.ModelAdmin):
    list_display = ["membership", "region_kind", "region_code"]
    list_filter = ["region_kind"]
    raw_id_fields = ["membership"]
