"""Calibration recovers known parameters from generated histories; the backtest against the
naive forecast; too little history is refused in Dutch."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vangnet.engines.simulation import SimulationInputError, simulate, with_changes
from vangnet.engines.simulation.calibrate import (
    backtest,
    calibrate,
    history_from_clients,
    network,
)
from vangnet.engines.simulation.tests._nets import cell_network


def _months(n, start=(2023, 1)):
    y, m = start
    out = []
    for _ in range(n):
        out.append((y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def _history(net, seed=1, upto=None):
    cl = simulate(net, seed)
    return history_from_clients(net, cl, _months(net.n_months), upto=upto), cl


def test_intake_capacity_arrivals_and_patience_are_recovered_when_intake_binds():
    # 2.5 registrations a day, 16 intake slots a week (2.29 a day): the intake is the limit.
    net = cell_network(
        n_providers=2,
        months=24,
        rate=2.5,
        servers=120,
        treatment_days=30,
        intake_per_week=16.0,
        initial=80,
    )
    net = with_changes(net, patience_days=np.full(2, 120.0), urgent_share=np.zeros(2))
    h, _ = _history(net)
    cal = calibrate(h, treatment_days=30.0)
    assert cal.level_per_day == pytest.approx(5.0, rel=0.06)
    assert cal.trend_per_month == pytest.approx(0.0, abs=0.01)
    np.testing.assert_allclose(cal.intake_per_week, 16.0, rtol=0.06)
    assert cal.patience_days == pytest.approx(120.0, rel=0.2)
    np.testing.assert_allclose(cal.provider_share, 0.5, atol=0.03)


def test_treatment_places_are_recovered_when_treatment_binds():
    net = cell_network(
        n_providers=2,
        months=24,
        rate=2.0,
        servers=50,
        treatment_days=30,
        intake_per_week=40.0,
        initial=100,
    )
    net = with_changes(net, initial_busy=np.full(2, 50), patience_days=np.full(2, 300.0))
    h, _ = _history(net)
    cal = calibrate(h, treatment_days=30.0)
    np.testing.assert_allclose(cal.servers, 50, rtol=0.08)


def test_trend_is_recovered_and_absent_trend_is_not_invented():
    months = 24
    net = cell_network(n_providers=1, months=months, rate=1.0, servers=400, intake_per_week=200)
    growing = with_changes(net, arrival_rate=(4.0 * 1.03 ** np.arange(months))[None, :])
    cal = calibrate(_history(growing)[0], treatment_days=25.0)
    assert cal.trend_per_month == pytest.approx(0.03, abs=0.01)
    flat = with_changes(net, arrival_rate=np.full((1, months), 4.0))
    assert calibrate(_history(flat)[0], treatment_days=25.0).trend_per_month == 0.0


def test_seasonality_needs_two_years_and_says_so():
    net = cell_network(n_providers=1, months=12, rate=3.0, servers=400, intake_per_week=200)
    cal = calibrate(_history(net)[0], treatment_days=25.0)
    assert np.all(cal.seasonal == 1.0)
    assert any("seizoenspatroon" in n for n in cal.notes)


def test_backtest_beats_the_naive_forecast_on_a_growing_list():
    # Overloaded intake: the list grows, which the naive forecast cannot follow.
    net = cell_network(
        n_providers=2, months=18, rate=3.0, servers=200, intake_per_week=17.0, initial=50
    )
    net = with_changes(net, patience_days=np.full(2, 400.0))
    full, cl = _history(net)
    at12 = history_from_clients(net, cl, _months(18), upto=12)
    fit = dataclasses.replace(
        full.head(12),
        init_provider=at12.init_provider,
        init_waited=at12.init_waited,
        init_since_intake=at12.init_since_intake,
    )
    bt = backtest(
        fit,
        actual_months=_months(18)[12:],
        actual_days=net.month_days[12:],
        actual_waiting=full.cell_waiting[12:],
        treatment_days=25.0,
        replications=4,
    )
    assert bt.better_than_naive
    assert bt.mape < 0.1
    assert bt.naive_mape > bt.mape


def test_network_starts_from_the_history_queue():
    net = cell_network(n_providers=2, months=12, initial=60)
    h, _ = _history(net)
    cal = calibrate(h, treatment_days=25.0)
    sim = network(cal, h, months=_months(6, (2024, 1)), month_days=np.full(6, 30.0))
    assert len(sim.init_station) == h.cell_waiting[-1]
    assert np.all(sim.init_registered <= 0)


def test_no_history_or_too_little_is_refused_in_dutch():
    net = cell_network(n_providers=1, months=4)
    h, _ = _history(net)
    with pytest.raises(
        SimulationInputError, match=r"Te weinig geschiedenis.*4 maanden.*minstens 6"
    ):
        calibrate(h, treatment_days=25.0)
    empty = dataclasses.replace(h, arrivals=np.zeros_like(h.arrivals))
    with pytest.raises(SimulationInputError, match="Geen wachtlijstgeschiedenis"):
        calibrate(empty, treatment_days=25.0)
