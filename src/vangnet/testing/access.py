"""Helpers for the access tests: the access-log rows a request wrote."""

from __future__ import annotations

from django.urls import reverse

from vangnet.audit.models import AccessLogEntry

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def log_rows(since: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(pk__gt=since).order_by("pk"))


def last_log_id() -> int:
    last = AccessLogEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def get_once(client, url: str) -> tuple[int, list[AccessLogEntry]]:
    mark = last_log_id()
    response = client.get(url)
    return response.status_code, log_rows(mark)


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.reference])
