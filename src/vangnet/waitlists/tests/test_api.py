"""The waiting-list API: counts, flows, breaches, hotspots, pauses and submissions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from vangnet.accounts.models import ApiToken, Role
from vangnet.audit.models import AccessLogEntry, Action
from vangnet.testing import factories
from vangnet.waitlists.models import RegistrationPause, Submission

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

BASE = "/api/v1/waitlists"


def bearer(user):
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def history(providers, import_rows):
    for period, reg in (
        ("2024-01", "2023-12-01"),
        ("2024-02", "2024-01-01"),
        ("2024-03", "2024-02-01"),
    ):
        import_rows(
            [
                row(person_pseudonym="v1:a1", registration_date=reg),
                row(
                    person_pseudonym="v1:a1",
                    provider_agb="22222222",
                    registration_date=f"{period}-20",
                ),
            ],
            period=period,
        )
    return providers


def test_counts_match_the_command_output(history, world, client):
    auth = bearer(world.monitor_analyst)
    response = client.get(
        f"{BASE}/counts",
        {"regions": "veiligheidsregio", "from": "2024-01", "to": "2024-03"},
        **auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert [
        (
            r["month"],
            r["region"],
            r["diagnosis_group"],
            r["persons_waiting"],
            r["persons_multi_provider"],
        )
        for r in body
    ] == [(m, "VR13", "angst", 1, 1) for m in ("2024-01", "2024-02", "2024-03")]
    assert (
        "person_pseudonym" not in response.content.decode()
        and "v1:" not in response.content.decode()
    )
    entry = AccessLogEntry.objects.get(action=Action.EXPORT, channel="api")
    assert entry.detail.startswith("wachtlijsttellingen veiligheidsregio alle 2024-01..2024-03")


def test_counts_problems(history, world, client):
    auth = bearer(world.monitor_analyst)
    bad = client.get(
        f"{BASE}/counts",
        {"regions": "veiligheidsregio", "from": "2024-13", "to": "2024-03"},
        **auth,
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert "JJJJ-MM" in bad.json()["detail"]
    unknown = client.get(
        f"{BASE}/counts",
        {"regions": "veiligheidsregio", "region": "VR99", "from": "2024-01", "to": "2024-03"},
        **auth,
    )
    assert unknown.status_code == 404
    forbidden = client.get(
        f"{BASE}/counts",
        {"regions": "province", "from": "2024-01", "to": "2024-03"},
        **bearer(world.referrer),
    )
    assert forbidden.status_code == 403
    assert (
        client.get(
            f"{BASE}/counts", {"regions": "province", "from": "2024-01", "to": "2024-03"}
        ).status_code
        == 401
    )


def test_flows_breaches_hotspots_largest(history, world, client):
    auth = bearer(world.administrator)
    q = {"from": "2024-01", "to": "2024-03"}
    flows = client.get(f"{BASE}/flows", {"regions": "province", **q}, **auth).json()
    assert flows == []  # no intakes or starts in these months
    breaches = client.get(f"{BASE}/breaches", q, **auth).json()
    assert {(b["month"], b["provider_agb"]) for b in breaches} == {
        (m, "11111111") for m in ("2024-01", "2024-02", "2024-03")
    }
    (hot,) = client.get(f"{BASE}/hotspots", q, **auth).json()
    assert (hot["provider_name"], hot["norm"], hot["months"]) == ("GGZ Amstel", "intake", 3)
    assert client.get(f"{BASE}/hotspots", {**q, "min_months": 4}, **auth).json() == []
    largest = client.get(f"{BASE}/largest-breaches", {"regions": "table", **q}, **auth).json()
    assert [(r["region"], r["provider_agb"], r["over_norm"]) for r in largest] == [
        ("3", "11111111", 1)
    ] * 3


@freeze_time("2024-04-10")
def test_pauses_record_and_read(history, world, client):
    officer = factories.member(Role.DATA_OFFICER, organisation=history.a)
    payload = {
        "provider_agb": "11111111",
        "diagnosis_group": "angst",
        "starts_on": "2024-04-10",
        "planned_end_on": "2024-06-30",
        "reason": "Hotspot angst.",
    }
    created = client.post(
        f"{BASE}/pauses", payload, content_type="application/json", **bearer(officer)
    )
    assert created.status_code == 201 and created.json()["provider_name"] == "GGZ Amstel"
    again = client.post(
        f"{BASE}/pauses", payload, content_type="application/json", **bearer(officer)
    )
    assert again.status_code == 400 and "al een aanmeldpauze" in again.json()["detail"]
    other = client.post(
        f"{BASE}/pauses",
        {**payload, "provider_agb": "22222222"},
        content_type="application/json",
        **bearer(officer),
    )
    assert other.status_code == 403
    listed = client.get(
        f"{BASE}/pauses",
        {"regions": "veiligheidsregio", "region": "VR13"},
        **bearer(world.referrer),
    )
    assert [p["provider_agb"] for p in listed.json()] == ["11111111"]
    assert RegistrationPause.objects.count() == 1


def test_submission_upload(providers, world, client):
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    good = SimpleUploadedFile("lijst.csv", csv_bytes([row(person_pseudonym="v1:x")]), "text/csv")
    response = client.post(
        f"{BASE}/submissions", {"file": good, "period": "2024-03"}, **bearer(officer)
    )
    assert response.status_code == 201
    assert response.json()["submissions"][0]["status"] == "nieuw"
    bad = SimpleUploadedFile(
        "lijst.csv", csv_bytes([row(person_pseudonym="v1:x", provider_agb="22222222")]), "text/csv"
    )
    response = client.post(
        f"{BASE}/submissions", {"file": bad, "period": "2024-03"}, **bearer(officer)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "line": 2,
            "field": "provider_agb",
            "detail": "AGB-code 22222222 hoort niet bij uw organisatie",
        }
    ]
    assert Submission.objects.count() == 1
    denied = client.post(
        f"{BASE}/submissions", {"file": good, "period": "2024-03"}, **bearer(world.monitor_analyst)
    )
    assert denied.status_code == 403
