"""Administration of users, their memberships (organisation, role, table) and API tokens."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from .models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "table", "active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "table", "active"]
    list_filter = ["role", "table", "active"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are only revoked here; the secret itself is never stored or shown."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
