"""Over-long CSV fields and over-large uploads are refused by line or by size, never a 500 or a
traceback (issue 10 §4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from vangnet.accounts.models import ApiToken, Role
from vangnet.common.csvtext import FIELD_LIMIT_BYTES
from vangnet.testing import factories
from vangnet.waitlists import api as waitlists_api
from vangnet.waitlists.models import WaitlistRegistration

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

LONG = "v1:" + "a" * (FIELD_LIMIT_BYTES + 1)


def bearer(user):
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def officer(providers):
    return factories.member(Role.DATA_OFFICER, organisation=providers.a)


def test_api_field_over_128_kib_is_a_line_error(providers, client):
    data = csv_bytes([row(), row(person_pseudonym=LONG), row(person_pseudonym="v1:p3")])
    upload = SimpleUploadedFile("lijst.csv", data, content_type="text/csv")
    r = client.post(
        "/api/v1/waitlists/submissions",
        {"file": upload, "period": "2024-03"},
        **bearer(officer(providers)),
    )
    assert r.status_code == 400, r.content[:300]
    assert r["Content-Type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert errors[0]["line"] == 3 and "te lang" in errors[0]["detail"]
    assert not WaitlistRegistration.objects.exists()


def test_command_field_over_128_kib_is_a_line_error_not_a_traceback(providers, tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_bytes(csv_bytes([row(), row(person_pseudonym=LONG)]))
    with pytest.raises(CommandError, match="regel met fouten"):
        call_command("waitlists", "import", str(path), "--period", "2024-03")
    err = capsys.readouterr().err
    assert "regel 3" in err and "te lang" in err
    assert not WaitlistRegistration.objects.exists()


def test_api_upload_over_the_limit_is_refused_before_reading(providers, client, monkeypatch):
    monkeypatch.setattr(waitlists_api, "MAX_UPLOAD_BYTES", 100)
    upload = SimpleUploadedFile("lijst.csv", csv_bytes([row()] * 5), content_type="text/csv")
    r = client.post(
        "/api/v1/waitlists/submissions",
        {"file": upload, "period": "2024-03"},
        **bearer(officer(providers)),
    )
    assert r.status_code == 413, r.content[:300]
    assert r["Content-Type"] == "application/problem+json"
    assert "te groot" in r.json()["detail"]


# --- plausible dates ---------------------------------------------------------------------------


def test_service_refuses_a_pause_in_the_year_9999(providers):
    from datetime import date

    from vangnet.accounts.selectors import actor_for
    from vangnet.common.errors import DomainError
    from vangnet.waitlists import services
    from vangnet.waitlists.models import DiagnosisGroup, RegistrationPause

    with pytest.raises(DomainError, match="controleer het jaar") as exc:
        services.pause_record(
            actor=actor_for(officer(providers)),
            provider=providers.a,
            diagnosis_group=DiagnosisGroup.objects.get(code="angst"),
            starts_on=date(9999, 1, 1),
            planned_end_on=date(9999, 6, 1),
            reason="Wachttijd boven de norm.",
        )
    assert exc.value.field == "starts_on"
    assert not RegistrationPause.objects.exists()


def test_api_refuses_a_pause_in_the_year_9999(providers, client):
    payload = {
        "provider_agb": "11111111",
        "diagnosis_group": "angst",
        "starts_on": "9999-01-01",
        "planned_end_on": "9999-06-01",
        "reason": "Wachttijd boven de norm.",
    }
    r = client.post(
        "/api/v1/waitlists/pauses",
        payload,
        content_type="application/json",
        **bearer(officer(providers)),
    )
    assert r.status_code == 400, r.content[:300]
    assert r["Content-Type"] == "application/problem+json"
    assert "controleer het jaar" in r.json()["detail"]


def test_form_refuses_a_pause_in_the_year_9999(providers, verified_client):
    from vangnet.waitlists.models import DiagnosisGroup, RegistrationPause

    r = verified_client(officer(providers)).post(
        "/wachtlijsten/pauzes/nieuw/",
        {
            "provider": providers.a.pk,
            "diagnosis_group": DiagnosisGroup.objects.get(code="angst").pk,
            "starts_on": "9999-01-01",
            "planned_end_on": "9999-06-01",
            "reason": "Wachttijd boven de norm.",
        },
    )
    assert r.status_code == 200
    assert "controleer het jaar" in r.content.decode()
    assert not RegistrationPause.objects.exists()
