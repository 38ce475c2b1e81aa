"""Admin of the transfer mechanism: for looking up and correcting, not for daily work (the desk
pages and the API apply the access rules and the state machines; the admin does not)."""

from django.contrib import admin

from .models import Candidate, Capacity, Proposal, ProposalLine, Transfer, TransferEvent


@admin.register(Capacity)
class CapacityAdmin(admin.ModelAdmin):
    list_display = ("location", "diagnosis_group", "week", "free_slots", "expected_wait_weeks")
    list_filter = ("diagnosis_group",)
    raw_id_fields = ("location", "published_by")


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("reference", "state", "region_kind", "region_code", "diagnosis_group")
    list_filter = ("state", "region_kind")
    search_fields = ("reference",)
    raw_id_fields = (
        "municipality",
        "current_provider",
        "current_location",
        "insurer",
        "preferred_provider",
        "consent_recorded_by",
        "put_forward_by",
        "put_forward_organisation",
        "screened_by",
        "screened_organisation",
    )
    filter_horizontal = ("refused_providers",)


class ProposalLineInline(admin.TabularInline):
    model = ProposalLine
    extra = 0
    raw_id_fields = ("candidate", "location", "capacity")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("pk", "region_kind", "region_code", "state", "objective", "certificate_ok")
    inlines = [ProposalLineInline]
    raw_id_fields = ("requested_by",)


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    extra = 0
    raw_id_fields = ("actor",)


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("pk", "candidate", "state", "receiving_location", "answer_due", "intake_due")
    list_filter = ("state",)
    inlines = [TransferEventInline]
    raw_id_fields = (
        "candidate",
        "proposal_line",
        "receiving_location",
        "capacity",
        "created_by",
        "zorgbemiddeling",
    )
