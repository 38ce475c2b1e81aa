"""The network model: reproducibility, pauses, the transfer desk, e-health, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from vangnet.engines.simulation import SimulationInputError, simulate, summarise, with_changes
from vangnet.engines.simulation.engine import parse_seed
from vangnet.engines.simulation.tests._nets import cell_network


def test_same_seed_same_result_other_seed_other_result():
    net = cell_network(initial=50)
    a, b, c = simulate(net, 5), simulate(net, 5), simulate(net, 6)
    for field in ("station", "registered", "intake", "start", "left"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert len(a.station) != len(c.station) or not np.array_equal(a.registered, c.registered)


def test_pause_redirects_registrations_to_the_other_providers():
    net = cell_network()
    paused = with_changes(
        net,
        pause_start=np.array([30.0, np.inf, np.inf]),
        pause_end=np.array([120.0, np.inf, np.inf]),
    )
    cl = simulate(paused, 1)
    at0 = (cl.station == 0) & (cl.registered >= 30) & (cl.registered < 120)
    assert not at0.any()
    during = (cl.registered >= 30) & (cl.registered < 120)
    # Nobody lost: the registrations went to providers 1 and 2 (~ 3 x 2 per day for 90 days).
    assert cl.not_registered == 0
    assert 450 < during.sum() < 630
    # A cell without another provider loses them, and says how many.
    lone = cell_network(n_providers=1)
    lone = with_changes(lone, pause_start=np.array([0.0]), pause_end=np.array([60.0]))
    cl1 = simulate(lone, 1)
    assert 90 < cl1.not_registered < 150
    assert not (cl1.registered[cl1.registered >= 0] < 60).any()


def test_transfer_desk_moves_the_share_to_spare_capacity():
    net = cell_network()
    # Provider 0 is overloaded; 1 and 2 have room.
    net = with_changes(
        net, servers=np.array([30, 80, 80]), transfer_share=np.array([0.5, 0.0, 0.0])
    )
    base = simulate(with_changes(net, transfer_share=np.zeros(3)), 3)
    moved = simulate(net, 3)
    share0 = (base.station == 0).mean(), (moved.station == 0).mean()
    assert share0[0] == pytest.approx(1 / 3, abs=0.03)
    assert share0[1] == pytest.approx(1 / 6, abs=0.03)
    # and the waiting list shrinks
    w_base = summarise(net, base).waiting[-1]
    w_moved = summarise(net, moved).waiting[-1]
    assert w_moved < w_base


def test_ehealth_takes_its_share_of_non_urgent_clients():
    net = cell_network(ehealth_servers=30)
    net = with_changes(net, ehealth_share=np.array([0.2, 0.2, 0.2, 0.0]))
    cl = simulate(net, 4)
    to_eh = cl.station == 3
    assert not cl.urgent[to_eh].any()
    assert to_eh.mean() == pytest.approx(0.2 * 0.9, abs=0.02)


def test_more_intake_capacity_shortens_the_list():
    net = cell_network(intake_per_week=12.0, servers=60, initial=300)  # intake is the bottleneck
    more = with_changes(net, intake_per_week=np.full(3, 18.0))
    a = np.mean([summarise(net, simulate(net, s)).waiting[-1] for s in range(4)])
    b = np.mean([summarise(more, simulate(more, s)).waiting[-1] for s in range(4)])
    assert b < 0.7 * a


def test_summary_counts_agree_with_a_direct_count():
    net = cell_network(initial=100)
    cl = simulate(net, 9)
    s = summarise(net, cl)
    end = cl.wait_end
    for k, p in enumerate(np.cumsum(net.month_days)):
        assert s.waiting[k] == ((cl.registered <= p) & (end > p)).sum()
    assert s.intakes.sum() == (~np.isnan(cl.intake) & (cl.intake >= 0)).sum()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"servers": np.array([-1, 4, 4])}, "behandelplekken kan niet negatief"),
        ({"transfer_share": np.array([1.5, 0, 0])}, "tussen 0% en 100%"),
        ({"ehealth_share": np.array([-0.1, 0, 0])}, "tussen 0% en 100%"),
        ({"intake_per_week": np.array([-2.0, 1, 1])}, "intakecapaciteit kan niet negatief"),
        ({"treatment_days": np.array([0.0, 1, 1])}, "behandelduur"),
    ],
)
def test_knobs_out_of_range_are_refused_in_dutch(change, message):
    with pytest.raises(SimulationInputError, match=message):
        simulate(with_changes(cell_network(), **change), 1)


@pytest.mark.parametrize("bad", ["-1", "1.5", "abc", "", "9" * 20])
def test_unknown_seed_format_is_refused(bad):
    with pytest.raises(SimulationInputError, match="Onbekend seedformaat"):
        parse_seed(bad)
    assert parse_seed(" 42 ") == 42
