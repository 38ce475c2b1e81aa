"""Date arithmetic of the follow-up engine, with hypothesis for the invariants."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vangnet.engines.followup import (
    DueStatus,
    Suspension,
    add_months,
    checkin_dates,
    due_status,
    phase_end,
    suspended_days,
    term_deadline,
)

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_term_without_suspension():
    assert term_deadline(
        admitted_on=date(2026, 1, 1), term_days=90, suspensions=[], today=date(2026, 2, 1)
    ) == date(2026, 4, 1)


def test_closed_suspension_moves_deadline_by_its_length():
    s = Suspension(date(2026, 2, 1), date(2026, 2, 15))  # 14 days
    assert term_deadline(
        admitted_on=date(2026, 1, 1), term_days=90, suspensions=[s], today=date(2026, 3, 1)
    ) == date(2026, 4, 15)


def test_open_suspension_counts_through_today():
    s = Suspension(date(2026, 2, 1), None)
    d1 = term_deadline(
        admitted_on=date(2026, 1, 1), term_days=90, suspensions=[s], today=date(2026, 2, 1)
    )
    d2 = term_deadline(
        admitted_on=date(2026, 1, 1), term_days=90, suspensions=[s], today=date(2026, 2, 2)
    )
    assert d2 - d1 == timedelta(days=1)
    assert d1 == date(2026, 4, 2)


def test_overlapping_suspensions_count_each_day_once():
    a = Suspension(date(2026, 2, 1), date(2026, 2, 11))
    b = Suspension(date(2026, 2, 6), date(2026, 2, 16))
    assert suspended_days([a, b], today=date(2026, 3, 1)) == 15


def test_suspension_before_admission_does_not_count():
    s = Suspension(date(2025, 12, 1), date(2026, 1, 10))
    assert suspended_days([s], today=date(2026, 3, 1), since=date(2026, 1, 1)) == 9


@given(
    dates,
    st.integers(1, 400),
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)), max_size=5),
    st.integers(0, 500),
)
def test_deadline_never_before_plain_term_and_grows_by_suspended_days(start, term, raw, offset):
    today = start + timedelta(days=offset)
    suspensions = [
        Suspension(start + timedelta(days=a), start + timedelta(days=a + b)) for a, b in raw
    ]
    deadline = term_deadline(
        admitted_on=start, term_days=term, suspensions=suspensions, today=today
    )
    days = suspended_days(suspensions, today=today, since=start)
    assert deadline == start + timedelta(days=term + days)
    assert days <= sum(b for _, b in raw)
    assert days >= max((b for _, b in raw), default=0)


@given(dates, st.integers(0, 30), st.integers(-40, 40))
def test_due_status_partition(due, warn, delta):
    today = due + timedelta(days=delta)
    status = due_status(due, today=today, warn_days=warn)
    if delta > 0:
        assert status is DueStatus.OVERDUE
    elif -delta <= warn:
        assert status is DueStatus.NEARING
    else:
        assert status is DueStatus.OK


@given(dates, st.integers(3, 6))
def test_checkins_are_monthly_and_end_at_phase_end(start, months):
    dates_ = checkin_dates(start, months)
    assert len(dates_) == months
    assert dates_[-1] == phase_end(start, months)
    for a, b in zip([start, *dates_], dates_, strict=False):
        assert 28 <= (b - a).days <= 31


def test_month_end_clipping():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


@pytest.mark.parametrize("months", [0, 2, 7])
def test_phase_length_outside_3_to_6_months_is_refused(months):
    with pytest.raises(ValueError):
        phase_end(date(2026, 1, 1), months)
