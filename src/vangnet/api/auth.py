"""API authentication: a Django session (with CSRF) or a per-user bearer token.

Two factors: a session must be OTP-verified when the settings require it, exactly as the pages.
Tokens can only be created from a verified session, so they inherit that second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from vangnet.accounts.models import ApiToken
from vangnet.audit import context as audit_context

# Runs after a successful authentication and before django-ninja validates the body: endpoints
# use it to check (and log) their permission first, so a refused call is never a 422.
Then = Callable[[HttpRequest], None]


class VerifiedSessionAuth(SessionAuth):
    def __init__(self, then: Then | None = None) -> None:
        super().__init__()
        self.then = then

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.VANGNET_REQUIRE_2FA and not request.user.is_verified():  # type: ignore[union-attr]  # added by OTPMiddleware
            return None
        if self.then is not None:
            self.then(request)
        return user


class TokenAuth(HttpBearer):
    def __init__(self, then: Then | None = None) -> None:
        super().__init__()
        self.then = then

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash(token))
        except ApiToken.DoesNotExist:
            return _refused(request, "token:onbekend", "onbekend API-token")
        if api_token.revoked:
            return _refused(request, f"token:{api_token.pk}", "ingetrokken API-token")
        if not api_token.user.is_active:
            return _refused(request, f"token:{api_token.pk}", "API-token van inactieve gebruiker")
        if api_token.expires_at is not None and api_token.expires_at <= timezone.now():
            return _refused(request, f"token:{api_token.pk}", "verlopen API-token")
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        # The access log records which token was used (NEN 7513 access point).
        audit_context.credential.set(f"token:{api_token.pk}")
        if self.then is not None:
            self.then(request)
        return api_token.user


def _refused(request: HttpRequest, credential: str, why: str) -> None:
    """Remember which token was refused and why, for the access-log row of the 401 answer."""
    request.vangnet_refused = (credential, why)  # type: ignore[attr-defined]
    return None


def log_refused_attempt(request: HttpRequest) -> None:
    """A 401 on a case address leaves a denied access-log row (who tried which case, how)."""
    from vangnet.audit.services import access_log_attempt

    match = getattr(request, "resolver_match", None)
    reference = match.kwargs.get("reference") if match else None
    if not isinstance(reference, str):
        return
    credential, why = getattr(request, "vangnet_refused", ("", "niet ingelogd"))
    user = request.user if getattr(request, "user", None) is not None else AnonymousUser()
    if user.is_authenticated:  # a session without the second factor
        why, credential = "tweede factor niet bevestigd", "session"
    access_log_attempt(
        user=user, case_reference=reference, channel="api", detail=why, credential=credential
    )


AUTH = [TokenAuth(), VerifiedSessionAuth()]


def auth_then(then: Then) -> list[Any]:
    """The API's authentication followed by `then` (e.g. a permission check), before the body."""
    return [TokenAuth(then), VerifiedSessionAuth(then)]
