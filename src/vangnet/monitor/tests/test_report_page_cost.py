"""The report page's cost does not grow with the records (issue 12): the figures and their HTML
are cached together, so a page renders the report's tables only when the records changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from vangnet.monitor import pdfs, services

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "testdata" / "seed001_2020_2021.csv"
URL = "/monitor/rapport/"
PARAMS = {"year_from": 2020, "year_to": 2021, "table": None, "public": True}


def _import(prefix: str) -> None:
    """The 77 records of the seed file, under case references of their own."""
    content = SEED_FILE.read_bytes().replace(b"SIRM-", prefix.encode())
    services.monitor_import(content=content)


def _get(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("max_age", [0, 60])
def test_query_count_does_not_grow_with_records(world, verified_client, settings, max_age):
    """Counted afresh (the records changed) and from the cache, with 77 and with 385 records."""
    settings.VANGNET_MONITOR_REPORT_MAX_AGE = max_age
    client = verified_client(world.monitor_analyst)
    client.get("/monitor/")
    counts = {}
    for size, prefixes, records in (
        ("small", ["SIRM-"], 77),
        ("large", ["SIRA-", "SIRB-", "SIRC-", "SIRD-"], 385),
    ):
        for prefix in prefixes:
            _import(prefix)
        cache.clear()  # past the maximum age
        cold, html = _get(client)
        warm, _ = _get(client)
        counts[size] = (cold, warm)
        assert f"{records} aangemelde casussen" in html
    assert counts["large"] == counts["small"], f"(counted, cached): {counts}"


def test_the_page_shows_the_report_body_rendered_once(db, world, verified_client, settings):
    settings.VANGNET_MONITOR_REPORT_MAX_AGE = 60
    _import("SIRM-")
    client = verified_client(world.monitor_analyst)
    rendered: list[str] = []

    def seen(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        first = client.get(URL).content.decode()
        second = client.get(URL).content.decode()
    finally:
        template_rendered.disconnect(seen)
    assert rendered.count("monitor/_report_body.html") == 1
    body = render_to_string("monitor/_report_body.html", {"view": pdfs.build(PARAMS)})
    assert body in first and body in second


def test_when_the_figures_are_due_one_process_counts_and_the_others_show_the_last(
    world, verified_client, settings, monkeypatch
):
    """Once a minute every worker with a monitor request counted the national report at the
    same time, and every other page waited behind them (bench/web.py: p99 of 3 s on all pages).
    Now, with the figures due and another process counting (its lock in the shared cache), the
    page shows the last figures without counting; when nobody counts, this request counts."""
    import time as clock

    settings.VANGNET_MONITOR_REPORT_MAX_AGE = 60
    _import("SIRM-")
    client = verified_client(world.monitor_analyst)
    assert "77 aangemelde casussen" in _get(client)[1]
    _import("SIRA-")  # the records change; the page may show the old figures up to a minute
    counted: list[object] = []
    real_count = pdfs.count
    monkeypatch.setattr(pdfs, "count", lambda params: counted.append(params) or real_count(params))
    later = clock.time() + 61
    monkeypatch.setattr(pdfs.time, "time", lambda: later)
    for key in [k for k in ("monitor-report-recent", "monitor-page-recent")]:
        cache.add(f"{key}:{pdfs.choice_digest(PARAMS)}:busy", 1, 30)  # another process counts
    cache.add("monitor-year-span-recent:busy", 1, 30)
    html = _get(client)[1]
    assert "77 aangemelde casussen" in html and counted == []
    cache.clear()  # nobody counts any more (and nothing is stored): this request counts
    html = _get(client)[1]
    assert "154 aangemelde casussen" in html and len(counted) == 1
