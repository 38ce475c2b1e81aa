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


def verified_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if settings.VANGNET_REQUIRE_2FA and not request.user.is_verified():  # type: ignore[attr-defined]  # added by OTPMiddleware
            return redirect("accounts:otp")
        return view(request, *args, **kwargs)

    return wrapper
