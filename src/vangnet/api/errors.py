"""Errors as application/problem+json (RFC 9457) with a message a coordinator understands."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder

from vangnet.common.errors import DomainError, DomainErrors
from vangnet.common.middleware import TOO_BIG_MESSAGE

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Niet toegestaan in deze status",
    410: "Niet meer geldig",
    413: "Te groot",
    422: "Ongeldige invoer",
}


def problem(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    """A problem+json response. It needs no API instance, so a domain app's router can answer
    with one without importing the instance that gathers the routers (no import cycle)."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JsonResponse(
        body, status=status, encoder=NinjaJSONEncoder, content_type="application/problem+json"
    )


def _location(loc: list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "payload", "query", "path"))


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        if isinstance(exc, DomainErrors):
            extra["errors"] = [{"field": e.field or "", "detail": e.message} for e in exc.errors]
        return problem(request, exc.status_code, exc.message, code=exc.code, **extra)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _location(list(e.get("loc", []))), "detail": _dutch(e)} for e in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        return problem(request, 422, detail or "Ongeldige invoer.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        from .auth import log_refused_attempt

        log_refused_attempt(request)
        return problem(request, 401, "Log in (met tweede factor) of gebruik een geldig API-token.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = "De inhoud van het verzoek is geen geldige JSON."
        elif exc.status_code == 403 and "csrf" in detail.lower():
            detail = "De CSRF-controle is mislukt: vernieuw de pagina, of gebruik een API-token (Authorization: Bearer)."
        return problem(request, exc.status_code, detail)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) while reading them.
        return problem(request, 413, TOO_BIG_MESSAGE)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Never a stack trace, SQL or personal data in a response.
        import logging

        logging.getLogger("vangnet.api").error("unexpected API error: %s", type(exc).__name__)
        return problem(request, 500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")


def _dutch(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "value_error":
        # Our own checks (common.schema) raise ValueError with a Dutch message.
        return str(error.get("msg", "")).removeprefix("Value error, ") or "ongeldige waarde"
    if kind == "missing":
        return "dit veld is verplicht"
    if kind.startswith("date"):
        return "geen geldige datum (gebruik JJJJ-MM-DD)"
    if kind in {"string_too_long"}:
        return f"te lang (maximaal {error.get('ctx', {}).get('max_length')} tekens)"
    if kind.startswith("int"):
        return "geen geldig geheel getal"
    if kind == "literal_error" or kind == "enum":
        return "onbekende waarde"
    return "ongeldige waarde"


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown API paths answer in problem+json too, not with the HTML 404 page."""
    from django.http import JsonResponse

    body = {
        "type": "about:blank",
        "title": TITLES[404],
        "status": 404,
        "detail": "Dit API-adres bestaat niet.",
    }
    return JsonResponse(body, status=404, content_type="application/problem+json")
