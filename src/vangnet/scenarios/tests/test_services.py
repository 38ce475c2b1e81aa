"""Calibration from the imported history, saved scenarios, running in steps, bad input."""

from __future__ import annotations

import pytest

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.scenarios import services
from vangnet.scenarios.models import Calibration, Scenario
from vangnet.scenarios.workflow import Status
from vangnet.testing import factories

pytestmark = pytest.mark.django_db


def _cal(user, **kw):
    return services.calibration_compute(
        actor=actor_for(user),
        region_kind="veiligheidsregio",
        region_code="VR13",
        group_code=kw.pop("group", "angst"),
        **kw,
    )


def test_calibration_estimates_inflow_and_backtests_against_naive(history, analyst):
    cal = _cal(analyst)
    p = cal.parameters
    # 2 providers x 10 registrations a month = ~0.66 a day
    assert p["level_per_day"] == pytest.approx(20 / 30.4, rel=0.3)
    assert [x["name"] for x in p["providers"]] == ["GGZ Amstel", "GGZ IJ"]
    assert p["provider_share"] == pytest.approx([0.5, 0.5], abs=0.15)
    bt = cal.backtest
    assert bt["fit_months"] == 8 and bt["shortened"]  # 14 months: 8 to fit, 6 to test
    assert len(bt["actual"]) == len(bt["simulated"]) == len(bt["naive"]) == 6
    assert bt["mae"] >= 0 and bt["naive_mae"] >= 0
    assert cal.treatment_days == 26 * 7  # the documented default for angst
    # idempotent: the same data and treatment length give the stored calibration
    assert _cal(analyst).pk == cal.pk
    assert _cal(analyst, treatment_weeks=10).pk != cal.pk


def test_no_history_and_too_little_history_are_explained(short_history, analyst):
    with pytest.raises(
        DomainError, match="geen wachtlijstgeschiedenis voor Amsterdam-Amstelland × Eetstoornissen"
    ):
        _cal(analyst, group="eetstoornis")
    with pytest.raises(
        DomainError,
        match="Te weinig geschiedenis om te kalibreren: 3 maanden, er zijn er minstens 6",
    ):
        _cal(analyst)
    assert not Calibration.objects.exists()


def test_only_analysts_administrators_and_process_owners_calibrate(history, world):
    with pytest.raises(NotAllowed):
        _cal(world.coordinator)
    assert _cal(factories.member(Role.PROCESS_OWNER)).pk


def _scenario(cal, user, **kw):
    defaults = dict(name="S", knobs=services.Knobs(), horizon_months=6, replications=4, seed=7)
    defaults.update(kw)
    return services.scenario_create(actor=actor_for(user), calibration=cal, **defaults)


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        (services.Knobs(intake_delta_per_week=-1000), "intakecapaciteit zou negatief worden"),
        (services.Knobs(places_delta=-1000), "behandelplekken zou negatief worden"),
        (services.Knobs(transfer_share_pct=150), "transferbalie moet tussen 0% en 100%"),
        (services.Knobs(ehealth_share_pct=20), "Geef e-health ook plekken"),
        (services.Knobs(inflow_pct=-150), "instroom kan van −100%"),
        (services.Knobs(pause_months=40), "aanmeldpauze duurt 0 tot 6"),
    ],
)
def test_knobs_out_of_range_save_nothing(history, analyst, knobs, message):
    cal = _cal(analyst)
    with pytest.raises(DomainError, match=message):
        _scenario(cal, analyst, knobs=knobs)
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("seed", ["abc", "-3", "1e5"])
def test_unknown_seed_format(history, analyst, seed):
    with pytest.raises(DomainError, match="Onbekend seedformaat"):
        _scenario(_cal(analyst), analyst, seed=seed)
    assert not Scenario.objects.exists()


def test_steps_show_progress_finish_and_rerun_changes_nothing(history, analyst):
    cal = _cal(analyst)
    sc = _scenario(cal, analyst, replications=12)
    sc = services.scenario_step(scenario_id=sc.pk, budget_seconds=0.0)
    assert sc.status == Status.RUNNING and 0 < sc.done_replications < 12
    sc = services.scenario_run(scenario_id=sc.pk)
    assert sc.status == Status.DONE and sc.done_replications == 12
    r = sc.result
    assert len(r["months"]) == 6 and r["months"][0] == "2025-03"
    assert all(
        lo <= m <= hi
        for lo, m, hi in zip(r["waiting_lo"], r["waiting_mean"], r["waiting_hi"], strict=False)
    )
    before = (sc.result, sc.updated_at)
    again = services.scenario_step(scenario_id=sc.pk)
    assert (again.result, again.updated_at) == before


def test_same_inputs_and_seed_reproduce_the_result_in_steps_or_at_once(history, analyst):
    cal = _cal(analyst)
    a = _scenario(cal, analyst, name="A", replications=6)
    b = _scenario(cal, analyst, name="B", replications=6)
    while services.scenario_step(scenario_id=a.pk, budget_seconds=0.0).status != Status.DONE:
        pass
    a.refresh_from_db()
    b = services.scenario_run(scenario_id=b.pk)
    assert a.result == b.result
    c = services.scenario_run(
        scenario_id=_scenario(cal, analyst, name="C", replications=6, seed=8).pk
    )
    assert c.result["waiting_mean"] != a.result["waiting_mean"]


def test_knobs_move_the_figures_the_expected_way(history, analyst):
    cal = _cal(analyst)
    base = services.scenario_run(scenario_id=_scenario(cal, analyst, horizon_months=12).pk)
    more = services.scenario_run(
        scenario_id=_scenario(
            cal, analyst, horizon_months=12, knobs=services.Knobs(inflow_pct=100)
        ).pk
    )
    assert sum(more.result["waiting_mean"]) > 1.3 * sum(base.result["waiting_mean"])
    paused = services.scenario_run(
        scenario_id=_scenario(
            cal, analyst, horizon_months=12, knobs=services.Knobs(pause_months=3, places_delta=2)
        ).pk
    )
    assert paused.status == Status.DONE


def test_data_version_follows_the_submissions(history, analyst):
    from vangnet.waitlists.models import Submission

    cal = _cal(analyst)
    Submission.objects.filter(period__year=2025).update(content_sha256="0" * 64)
    assert _cal(analyst).data_version != cal.data_version


def test_unreachable_dask_scheduler_runs_locally_and_the_scenario_says_so(history, analyst):
    sc = _scenario(_cal(analyst), analyst, replications=2)
    sc = services.scenario_step(scenario_id=sc.pk, scheduler="tcp://127.0.0.1:9")
    assert sc.status == Status.DONE
    assert "niet bereikbaar" in sc.message and "eigen processorkernen" in sc.message


def test_work_command_runs_queued_scenarios_once(history, analyst):
    from io import StringIO

    from django.core.management import call_command

    sc = _scenario(_cal(analyst), analyst, replications=3)
    out = StringIO()
    call_command("scenarios", "work", stdout=out)
    assert f"scenario {sc.pk}: Klaar" in out.getvalue()
    sc.refresh_from_db()
    result = sc.result
    out = StringIO()
    call_command("scenarios", "work", stdout=out)
    assert "0 scenario's gerekend" in out.getvalue()
    sc.refresh_from_db()
    assert sc.result == result
