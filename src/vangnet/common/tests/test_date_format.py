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


def test_dates_written_by_python_read_like_the_pages():
    """Issue 11 §5: notification subjects and timeline notes said "01-04-2027" while the pages
    said "1 apr. 2027"."""
    from datetime import UTC, date, datetime

    from vangnet.common.dates import dutch_date, dutch_datetime

    assert dutch_date(date(2027, 4, 1)) == "1 apr. 2027"
    assert dutch_date(date(2027, 5, 30)) == "30 mei 2027"
    # Aware times are shown in Amsterdam time (UTC+1 in winter).
    assert dutch_datetime(datetime(2026, 12, 1, 13, 5, tzinfo=UTC)) == "1 dec. 2026 14:05"
