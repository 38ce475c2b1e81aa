from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation_type", "agb_code", "kvk_number", "municipality"]
    list_filter = ["organisation_type"]
    search_fields = ["name", "agb_code", "kvk_number"]
    autocomplete_fields = ["municipality"]
