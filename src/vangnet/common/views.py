"""Error pages in Dutch that never show data, a stack trace or the request path."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {
            "title": "Geen toegang",
            "message": "U heeft geen toegang tot deze pagina of gegevens. Deze poging is vastgelegd.",
        },
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"title": "Niet gevonden", "message": "Deze pagina of casus bestaat niet."},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {
            "title": "Er ging iets mis",
            "message": "Er ging iets mis aan onze kant. Probeer het later opnieuw; er is niets opgeslagen dat half is.",
        },
        status=500,
    )
