from django.contrib import admin
from django.http import HttpRequest

from .models import EntryChange, Location, Offer, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation_type", "agb_code", "kvk_number", "municipality"]
    list_filter = ["organisation_type"]
    search_fields = ["name", "agb_code", "kvk_number"]
    autocomplete_fields = ["municipality"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """Organisations keep their own entries (role 'Sociale kaart beheren'); the admin can look
    and correct, but changes here bypass the versioning, so they are read-only."""

    list_display = ["name", "organisation", "municipality", "remote", "confirmed_at"]
    list_filter = ["remote", "served_area"]
    search_fields = ["name", "organisation__name"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "financing", "location", "confirmed_at"]
    list_filter = ["kind", "financing", "access"]
    search_fields = ["name", "location__organisation__name"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EntryChange)
class EntryChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "organisation", "entity", "entity_id", "action", "changed_by"]
    list_filter = ["entity", "action"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
