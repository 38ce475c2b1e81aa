"""Dates are written one way (issue 11 §5): "1 dec. 2026", with the time "1 dec. 2026 14:05"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_dates_and_datetimes_are_written_one_way():
    d = date(2026, 12, 1)
    at = datetime(2026, 3, 9, 14, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert render("{{ d|date }}", d=d) == "1 dec. 2026"
    assert render("{{ d }}", d=d) == "1 dec. 2026"
    assert render('{{ at|date:"DATETIME_FORMAT" }}', at=at) == "9 mrt. 2026 14:05"
    assert render("{{ d|date }}", d=date(2026, 5, 4)) == "4 mei 2026"
