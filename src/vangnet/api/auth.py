"""API authentication: a Django session (with CSRF) or a per-user bearer token.

Two factors: a session must be OTP-verified when the settings require it, exactly as the pages.
Tokens can only be created from a verified session, so they inherit that second factor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from vangnet.accounts.models import ApiToken
from vangnet.audit import context as audit_context


class VerifiedSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.VANGNET_REQUIRE_2FA and not request.user.is_verified():  # type: ignore[union-attr]  # added by OTPMiddleware
            return None
        return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=ApiToken.hash(token), revoked=False
            )
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active:
            return None
        if api_token.expires_at is not None and api_token.expires_at <= timezone.now():
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        # The access log records which token was used (NEN 7513 access point).
        audit_context.credential.set(f"token:{api_token.pk}")
        return api_token.user


AUTH = [TokenAuth(), VerifiedSessionAuth()]
