"""Page guards: logged in, and (where settings require it) verified with a second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect


def _log_attempt(request: HttpRequest, kwargs: dict[str, Any], why: str) -> None:
    """An attempt on a case address without (full) login is an access event too (NEN 7513)."""
    reference = kwargs.get("reference")
    if isinstance(reference, str):
        from vangnet.audit.services import access_log_attempt

        access_log_attempt(user=request.user, case_reference=reference, channel="web", detail=why)


def verified_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            _log_attempt(request, kwargs, "niet ingelogd")
            return redirect_to_login(request.get_full_path())
        if settings.VANGNET_REQUIRE_2FA and not request.user.is_verified():  # type: ignore[attr-defined]  # added by OTPMiddleware
            _log_attempt(request, kwargs, "tweede factor niet bevestigd")
            return redirect("accounts:otp")
        return view(request, *args, **kwargs)

    return wrapper
