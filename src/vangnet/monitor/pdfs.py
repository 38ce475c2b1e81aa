"""The monitor report counted and rendered as PDF, for the pages, the poll and the command.

Counting takes about a second at national size and is cached per process under the records
version (`build`). Rendering with WeasyPrint takes seconds more (bench/monitor_pdf.py), so a
rendered PDF is stored in the database (`RenderedReport`), where every app server finds it,
and no page request waits for a render: the PDF link answers with a progress page whose HTMX
poll renders in one bounded request (docs/adr/0011-monitor-pdf-rendered-in-a-step.md), and
`python -m vangnet monitor render-pdfs` renders the standard choices ahead (after an import,
or from cron).

A report choice is the dict the views build: ``year_from``, ``year_to``, ``table`` (a table
number or None for national) and ``public``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from vangnet.common.recent import recent as common_recent
from vangnet.regions.models import Table

from . import presentation, selectors
from .models import RenderedReport

REPORT_CACHE_SECONDS = 3600  # the version key already expires a report when records change
T = TypeVar("T")

# Every WeasyPrint render adds one. Tests read it to prove that a stored PDF is served
# without rendering again; nothing else depends on it.
renders = 0

Choice = Mapping[str, Any]


def threshold() -> int:
    return int(getattr(settings, "VANGNET_DISCLOSURE_THRESHOLD", 5))


def _choice(params: Choice) -> tuple[int, int, int | None, bool]:
    return (params["year_from"], params["year_to"], params["table"], params["public"])


def choice_digest(params: Choice) -> str:
    """One key per report choice: the threshold is part of it, since it changes the figures."""
    return hashlib.sha256(repr((_choice(params), threshold())).encode()).hexdigest()


def version_digest(version: str) -> str:
    return hashlib.sha256(version.encode()).hexdigest()


def cache_key(kind: str, params: Choice, version: str) -> str:
    """One key per report choice and records version: a record added, changed or deleted
    changes the version, so nothing cached outlives the records it was made from."""
    digest = hashlib.sha256(repr((version, choice_digest(params))).encode()).hexdigest()
    return f"monitor-{kind}:{digest}"


def count(params: Choice) -> presentation.ReportView:
    rows = selectors.report_rows(
        year_from=params["year_from"], year_to=params["year_to"], table=params["table"]
    )
    return presentation.build_report(
        rows,
        year_from=params["year_from"],
        year_to=params["year_to"],
        table=params["table"],
        public=params["public"],
        threshold=threshold(),
        consultations=selectors.consultation_counts(
            year_from=params["year_from"], year_to=params["year_to"], table=params["table"]
        ),
    )


def max_age() -> int:
    return int(getattr(settings, "VANGNET_MONITOR_REPORT_MAX_AGE", 0))


def recent(key: str, compute: Callable[[], T]) -> T:
    """`compute()`'s answer as computed at most VANGNET_MONITOR_REPORT_MAX_AGE seconds ago, one
    process counting again while the others show the last figures (`common.recent`): the page
    may so lag the records by the maximum age plus one count."""
    return common_recent(key, compute, max_age=max_age())


def build(params: Choice, version: str | None = None) -> presentation.ReportView:
    """The report for this choice, from the cache while no record changed (one aggregate query)
    or counted afresh.

    Without a `version` (the report page) the report is `recent`: at most
    VANGNET_MONITOR_REPORT_MAX_AGE seconds behind the records, without asking for the version
    again: every registration adds a record, and at national size counting takes most of a
    second of CPU, so with registrations coming in every few seconds (bench/web.py) the page
    counted on nearly every request. The figures are periodic counts; a registration shows in
    them within that time. The PDF (`render`) passes the version and is always counted from
    it."""

    def current(version: str | None) -> presentation.ReportView:
        key = cache_key("report", params, version or selectors.report_version())
        view: presentation.ReportView | None = cache.get(key)
        if view is None:
            view = count(params)
            cache.set(key, view, REPORT_CACHE_SECONDS)
        return view

    if version is not None:
        return current(version)
    return recent(f"monitor-report-recent:{choice_digest(params)}", lambda: current(None))


def page_body(params: Choice) -> str:
    """The report as the page shows it: `monitor/_report_body.html` rendered from `build`'s
    figures, cached with them and under the same rule (`recent`). Rendering 65 KB of tables
    through the template engine cost most of the page's time on every request, for HTML that
    only changes with the figures. The PDF renders the same template itself (`render`)."""

    def current() -> str:
        version = selectors.report_version()
        key = cache_key("page", params, version)
        cached: str | None = cache.get(key)
        if cached is None:
            cached = render_to_string("monitor/_report_body.html", {"view": build(params, version)})
            cache.set(key, cached, REPORT_CACHE_SECONDS)
        return cached

    return recent(f"monitor-page-recent:{choice_digest(params)}", current)


def year_span() -> tuple[int, int] | None:
    """`selectors.year_span` for the report page's default period, `recent` like the report
    the page shows."""
    return recent("monitor-year-span-recent", selectors.year_span)


def stored(params: Choice, *, version: str | None = None) -> bytes | None:
    """The PDF rendered for this choice from the current records, if there is one."""
    digest = version_digest(version or selectors.report_version())
    pdf = (
        RenderedReport.objects.filter(choice=choice_digest(params), version=digest)
        .values_list("pdf", flat=True)
        .first()
    )
    return None if pdf is None else bytes(pdf)


def render(params: Choice) -> RenderedReport:
    """Render the PDF for this choice from the current records and store it; a PDF already
    stored for them is returned as it is (two polls, or the command run twice, render once).

    Its "generated" time is when the figures were rendered, which is what the reader needs:
    they stay the same until a record changes. Rows of other versions are never served again,
    so they are deleted here."""
    global renders
    from weasyprint import HTML

    version = selectors.report_version()
    digest = version_digest(version)
    existing = RenderedReport.objects.filter(choice=choice_digest(params), version=digest).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    html = render_to_string(
        "monitor/report_pdf.html",
        {"view": build(params, version), "generated": timezone.localtime()},
    )
    # The template carries its style and charts inline: nothing to fetch from a base URL.
    pdf = HTML(string=html).write_pdf()
    renders += 1
    with transaction.atomic():
        row, _ = RenderedReport.objects.get_or_create(
            choice=choice_digest(params),
            version=digest,
            defaults={
                "year_from": params["year_from"],
                "year_to": params["year_to"],
                "table": params["table"],
                "public": params["public"],
                "pdf": pdf,
                "rendered_at": timezone.now(),
                "render_seconds": round(time.perf_counter() - started, 3),
            },
        )
        RenderedReport.objects.exclude(version=digest).delete()
    return row


def standard_choices(*, tables: Collection[int] | None = None) -> list[dict[str, Any]]:
    """What users open most: the national report (public and internal) and each table's
    internal report (`tables`, default every table), for the whole span of the records (the
    report page's default) and for the latest year. Nothing without records."""
    span = selectors.year_span()
    if span is None:
        return []
    numbers = Table.objects.order_by("number").values_list("number", flat=True)
    if tables is not None:
        numbers = numbers.filter(number__in=tables)
    choices = []
    for year_from, year_to in dict.fromkeys([span, (span[1], span[1])]):
        years = {"year_from": year_from, "year_to": year_to}
        choices.append({**years, "table": None, "public": True})
        choices.append({**years, "table": None, "public": False})
        choices.extend({**years, "table": n, "public": False} for n in numbers)
    return choices


def render_standard(*, tables: Collection[int] | None = None) -> tuple[int, int]:
    """Render every standard choice not yet stored for the current records: (rendered, kept).
    Idempotent: a second run renders nothing until a record changes."""
    rendered = kept = 0
    version = version_digest(selectors.report_version())
    for params in standard_choices(tables=tables):
        if RenderedReport.objects.filter(choice=choice_digest(params), version=version).exists():
            kept += 1
        else:
            render(params)
            rendered += 1
    return rendered, kept
