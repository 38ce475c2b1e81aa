"""Cross-cutting request guards.

`NoStoreMiddleware`: responses with case data must not linger in shared caches or the browser's
back-forward cache.

`HostileInputMiddleware`: one place that refuses input no route can store, before any view sees
it. PostgreSQL cannot hold a NUL character in text, so a NUL anywhere in the path, the query
string, a form field or a JSON string used to end in a database error (500). It also turns an
over-large request body (Django's DATA_UPLOAD_MAX_MEMORY_SIZE) into 413 instead of a 500 from
the API's catch-all handler. API paths answer in problem+json, pages with the Dutch error page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


NUL_MESSAGE = (
    "De invoer bevat een NUL-teken (een onzichtbaar stuurteken). Verwijder het en probeer het "
    "opnieuw."
)
TOO_BIG_MESSAGE = (
    "Het verzoek is te groot. Stuur minder gegevens tegelijk, of lever een bestand aan via het "
    "daarvoor bestemde formulier."
)

# A JSON string holds a NUL only as the escape \u0000; an odd number of backslashes before "u0000"
# is that escape, an even number is an escaped backslash followed by the ordinary text "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_JSON_TYPES = ("application/json", "application/problem+json")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method not in {"POST", "PUT", "PATCH"}:
        return False
    content_type = request.content_type or ""
    if content_type in _JSON_TYPES or content_type.endswith("+json"):
        return bool(_JSON_NUL.search(request.body))
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        # File contents may hold NUL bytes (Parquet, PDF); only the text fields are checked.
        return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists())
    return False


def _refuse(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        return JsonResponse(body, status=status, content_type="application/problem+json")
    return render(request, "errors/error.html", {"title": title, "message": detail}, status=status)


class DropNulCookiesMiddleware:
    """A quoted cookie can carry "\\000", which the cookie parser turns into NUL, and the
    session cookie goes straight to the session lookup. Runs before the session middleware:
    such a cookie is treated as absent (the request goes on without it) and the response deletes
    it, so the browser recovers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = [name for name, value in request.COOKIES.items() if "\x00" in value]
        if not bad:
            return self.get_response(request)
        request.COOKIES = {k: v for k, v in request.COOKIES.items() if k not in bad}
        response = self.get_response(request)
        for name in bad:
            response.delete_cookie(name)
        return response


class HostileInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if _has_nul(request):
                return _refuse(request, 400, "Ongeldige invoer", NUL_MESSAGE)
        except RequestDataTooBig:
            return _refuse(request, 413, "Te groot", TOO_BIG_MESSAGE)
        except TooManyFieldsSent:
            return _refuse(request, 413, "Te groot", TOO_BIG_MESSAGE)
        return self.get_response(request)
