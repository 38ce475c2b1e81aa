"""The monitor API: the JSON report, import and export, with the same rules as the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vangnet.monitor import services
from vangnet.monitor.models import MonitorRecord

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "testdata" / "seed001_2020_2021.csv"
REPORT = "/api/v1/monitor/report"


@pytest.fixture
def seeded(db):
    services.monitor_import(content=SEED_FILE.read_bytes())


def test_the_analyst_gets_the_national_report(world, seeded, verified_client):
    response = verified_client(world.monitor_analyst).get(REPORT, {"from": 2020, "to": 2021})
    assert response.status_code == 200
    data = response.json()
    assert data["from"] == 2020 and data["to"] == 2021
    assert data["registered"] == 77
    assert data["outcomes"]["new_offer"] == 39 and data["offer_not_accepted"] == 4
    assert data["referrer_share"]["2021"]["care_mediation"] == round(3 / 34, 3)


def test_a_coordinator_gets_the_national_report_and_their_own_table(world, seeded, verified_client):
    client = verified_client(world.coordinator)
    own = client.get(REPORT, {"from": 2020, "to": 2021, "table": 3})
    assert own.status_code == 200 and own.json()["registered"] == 3
    national = client.get(REPORT, {"from": 2020, "to": 2021})
    assert national.status_code == 200 and national.json()["registered"] == 77
    response = client.get(REPORT, {"from": 2020, "to": 2021, "table": 1})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("who", ["referrer", "table_member", "medical_adviser"])
def test_others_get_403(world, seeded, verified_client, who):
    client = verified_client(getattr(world, who))
    assert client.get(REPORT, {"from": 2020, "to": 2021, "table": 3}).status_code == 403
    assert client.get("/api/v1/monitor/export").status_code == 403


def test_bad_queries_are_problems(world, verified_client, db):
    client = verified_client(world.monitor_analyst)
    assert client.get(REPORT, {"from": 2022, "to": 2020}).status_code == 400
    assert client.get(REPORT, {"from": 2020, "to": 2021, "table": 9}).status_code == 422
    assert client.get(REPORT, {"to": 2021}).status_code == 422


def test_import_all_or_nothing_with_every_bad_line(world, verified_client, db):
    client = verified_client(world.monitor_analyst)
    bad = SEED_FILE.read_bytes().replace(b"2020-04-12,4,", b"2020-04-12,0,")
    response = client.post(
        "/api/v1/monitor/import", {"file": SimpleUploadedFile("m.csv", bad, "text/csv")}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["errors"] == [
        {"line": 3, "column": "table", "detail": "‘0’ is geen tafelnummer (1 tot en met 8)"}
    ]
    assert not MonitorRecord.objects.exists()
    good = SimpleUploadedFile("m.csv", SEED_FILE.read_bytes(), "text/csv")
    response = client.post("/api/v1/monitor/import", {"file": good})
    assert response.json() == {"created": 77, "updated": 0, "unchanged": 0}


def test_only_the_analyst_imports(world, verified_client, db):
    upload = SimpleUploadedFile("m.csv", SEED_FILE.read_bytes(), "text/csv")
    response = verified_client(world.coordinator).post("/api/v1/monitor/import", {"file": upload})
    assert response.status_code == 403
    assert not MonitorRecord.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "start"), [("csv", b"case_ref,registration_date"), ("xlsx", b"PK")]
)
def test_export(world, seeded, verified_client, fmt, start):
    response = verified_client(world.monitor_analyst).get("/api/v1/monitor/export", {"format": fmt})
    assert response.status_code == 200
    assert response.content.startswith(start)
