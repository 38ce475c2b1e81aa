"""The session's two lifetimes: idle (SESSION_COOKIE_AGE, renewed by activity at most once per
VANGNET_SESSION_RENEW_SECONDS) and absolute (a session ends a fixed time after login, default 12
hours, VANGNET_SESSION_ABSOLUTE_SECONDS, however active it is)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "vangnet_login_at"
RENEWED_AT = "vangnet_renewed_at"


@receiver(user_logged_in)
def _remember_login_time(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[RENEWED_AT] = int(time.time())


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            limit = settings.VANGNET_SESSION_ABSOLUTE_SECONDS
            # A session without a login time predates this rule: it gets the full span from now.
            if started is None:
                request.session[LOGIN_AT] = int(time.time())
            elif time.time() - started > limit:
                logout(request)  # the next page sends the user to the login form
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Renew the idle timer: a changed session is saved with a new expiry (SessionMiddleware,
        # on the way out). Once a minute is enough, so a session ends between 29 and 30 minutes
        # after the last activity; an empty (anonymous) session is not created for it.
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.VANGNET_SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now
        return response
