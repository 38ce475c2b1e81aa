from django.contrib import admin

from .models import Municipality, Province, SafetyRegion, Table, TableAssignment
from .services import table_assignment_change


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "coordinating_institution", "offer_term_days", "insurer"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "safety_region"]
    list_filter = ["province", "safety_region"]
    search_fields = ["name", "code"]


@admin.register(TableAssignment)
class TableAssignmentAdmin(admin.ModelAdmin):
    """Administrators correct the table division per municipality with a start date."""

    list_display = ["municipality", "table", "valid_from", "valid_to", "source"]
    list_filter = ["table", "valid_from"]
    search_fields = ["municipality__name"]
    autocomplete_fields = ["municipality"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new row is a correction from a date: close the running period through the service.
        saved = table_assignment_change(
            municipality=obj.municipality,
            table=obj.table,
            valid_from=obj.valid_from,
            source=obj.source or f"correctie door {request.user.get_username()}",
        )
        obj.pk = saved.pk


admin.site.register(Province)
admin.site.register(SafetyRegion)
