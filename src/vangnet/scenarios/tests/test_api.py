"""The scenarios API: calibration, run and results; problem+json in Dutch; the role matrix."""

from __future__ import annotations

import pytest

from vangnet.accounts.models import TABLE_ROLES, ApiToken, Role
from vangnet.scenarios.models import Scenario
from vangnet.testing import factories

pytestmark = pytest.mark.django_db
BASE = "/api/v1/scenarios"


def bearer(user):
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_calibrate_create_run_and_read(history, analyst, client):
    h = bearer(analyst)
    r = client.post(
        f"{BASE}/calibrations",
        {"region": "VR13", "group": "angst"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200, r.content
    cal = r.json()
    assert cal["backtest"]["fit_months"] == 8 and "init_provider" not in cal["parameters"]
    r = client.post(
        BASE,
        {
            "calibration": cal["id"],
            "name": "API",
            "horizon_months": 6,
            "replications": 3,
            "seed": "42",
            "knobs": {"transfer_share_pct": 15},
        },
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201, r.content
    sc = r.json()
    assert (
        sc["status"] == "queued" and sc["seed"] == 42 and sc["data_version"] == cal["data_version"]
    )
    r = client.post(f"{BASE}/{sc['id']}/run?until_done=true", **h)
    assert r.json()["status"] == "done"
    got = client.get(f"{BASE}/{sc['id']}", **h).json()
    assert len(got["result"]["waiting_mean"]) == 6
    assert client.get(f"{BASE}/calibrations/{cal['id']}", **h).status_code == 200
    assert [s["id"] for s in client.get(BASE, **h).json()["items"]] == [sc["id"]]


def test_bad_input_is_problem_json_in_dutch(history, analyst, client):
    h = bearer(analyst)
    cal = client.post(
        f"{BASE}/calibrations",
        {"region": "VR13", "group": "angst"},
        content_type="application/json",
        **h,
    ).json()
    r = client.post(
        BASE,
        {"calibration": cal["id"], "name": "X", "seed": "twaalf"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/problem+json")
    assert "Onbekend seedformaat" in r.json()["detail"]
    r = client.post(
        BASE,
        {
            "calibration": cal["id"],
            "name": "X",
            "knobs": {"ehealth_share_pct": 130, "ehealth_places": 3},
        },
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and "tussen 0% en 100%" in r.json()["detail"]
    r = client.post(
        f"{BASE}/calibrations",
        {"region": "VR13", "group": "psychotisch"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and "geen wachtlijstgeschiedenis" in r.json()["detail"]
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_role_matrix(role, client):
    h = bearer(factories.member(role, table=3 if role in TABLE_ROLES else None))
    r = client.get(BASE, **h)
    allowed = role in {Role.MONITOR_ANALYST, Role.ADMINISTRATOR, Role.PROCESS_OWNER}
    assert r.status_code == (200 if allowed else 403)
