"""Administration of users, their memberships (organisation, role, table) and API tokens.

Everything an administrator does to an account is also written to the append-only account log
(audit.AccountLogEntry) that the privacy officer reads; Django's own admin log can be edited
by whoever controls the database rows, ours cannot. An administrator never sets a user's
second-factor key: a new account, or one that lost its authenticator, gets a one-time
activation link instead.
"""

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.audit.services import account_log_write

from .models import ApiToken, Membership, User
from .services import account_activation_send


def _subject(obj: Model) -> str:
    user = obj if isinstance(obj, User) else getattr(obj, "user", None)
    return user.get_username() if isinstance(user, User) else str(obj)


class AccountLogMixin:
    """Copies each admin log message into the append-only account log."""

    def _account_log(self, request: HttpRequest, obj: Model, action: str, message: Any) -> None:
        if isinstance(message, list):
            message = json.dumps(message)
        text = LogEntry(change_message=message).get_change_message() if message else ""
        kind = obj._meta.verbose_name
        account_log_write(
            actor=request.user.get_username(),
            subject=_subject(obj),
            action=f"{kind} {action}",
            detail=f"{obj}: {text}" if text else str(obj),
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._account_log(request, obj, "toegevoegd", message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._account_log(request, obj, "gewijzigd", message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._account_log(request, obj, "verwijderd", "")
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "table", "active"]


@admin.register(User)
class UserAdmin(AccountLogMixin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    actions = ["send_activation"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # a new account activates itself: own password, own authenticator
            self._send(request, obj)

    @admin.action(description="Activeringslink versturen (nieuw wachtwoord en tweede factor)")
    def send_activation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self._send(request, user)

    def _send(self, request: HttpRequest, user: User) -> None:
        url = account_activation_send(
            user=user, by=request.user.get_username(), absolute=request.build_absolute_uri
        )
        where = f"gemaild naar {user.email}" if user.email else "geen e-mailadres: geef hem zelf"
        messages.info(request, f"Activeringslink voor {user.get_username()} ({where}): {url}")


@admin.register(Membership)
class MembershipAdmin(AccountLogMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "table", "active"]
    list_filter = ["role", "table", "active"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(AccountLogMixin, admin.ModelAdmin):
    """Tokens are only revoked here; the secret itself is never stored or shown."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# django-otp's own admin lets an administrator type in anyone's TOTP key. Here a second factor
# can only be seen and removed (logged); a new one comes through the activation link.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AccountLogMixin, admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
