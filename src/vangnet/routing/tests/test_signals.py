"""The public signal form and status page: no account, minimal data, a receipt code typed on a
page (never in the URL), rate-limited, the same answer for every unknown code, and logged. The
coordinator answers a signal or turns it into a registration with a professional referrer."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from vangnet.accounts.models import Role
from vangnet.audit.models import AccessLogEntry
from vangnet.cases.models import Case
from vangnet.routing import services
from vangnet.routing.models import Signal

pytestmark = pytest.mark.django_db

FORM = {
    "table": "3",
    "relation": "relative",
    "message": "Mijn broer krijgt geen zorg.",
    "contact": "06 1234 5678",
}


def submit(client: Client, data=None):
    return client.post("/signaal/", data or FORM)


def test_signal_without_account_gives_a_receipt_code_and_tells_the_coordinator(world):
    r = submit(Client())
    assert r.status_code == 200
    html = r.content.decode()
    signal = Signal.objects.get()
    assert signal.table.number == 3 and signal.state == "new"
    code = html.split('data-testid="receipt-code">')[1].split("<")[0]
    assert len(code.replace("-", "")) == 12
    assert code.replace("-", "") not in signal.code_hash  # only a keyed hash is stored
    assert world.coordinator.notifications.filter(subject__contains=signal.reference).exists()
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (
        row.username == "anoniem" and signal.reference in row.detail and "broer" not in row.detail
    )


def test_status_by_code_typed_on_the_page(world):
    html = submit(Client()).content.decode()
    code = html.split('data-testid="receipt-code">')[1].split("<")[0]
    signal = Signal.objects.get()
    services.signal_answer(
        signal=signal,
        user=world.coordinator,
        membership=world.coordinator.memberships.get(role=Role.COORDINATOR),
        answer="Wij bellen u morgen.",
    )
    r = Client().post("/signaal/status/", {"code": code.lower().replace("-", " ")})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Wij bellen u morgen." in page and "Beantwoord" in page
    assert code not in page  # the code is not echoed back
    # The code in the query string does nothing: a GET shows only the empty form.
    assert "Wij bellen" not in Client().get(f"/signaal/status/?code={code}").content.decode()


def test_unknown_and_malformed_codes_get_the_same_answer(world):
    submit(Client())
    answers = set()
    for code in ("ABCD-EFGH-JKMN", "x", "' OR 1=1 --", "2222-2222-2222"):
        r = Client().post("/signaal/status/", {"code": code})
        assert r.status_code == 404
        answers.add(r.content.decode().split('data-testid="unknown">')[1].split("<")[0])
    assert len(answers) == 1
    assert (
        AccessLogEntry.objects.filter(outcome="denied", detail="ontvangstcode onbekend").count()
        == 4
    )


@override_settings(VANGNET_SIGNAL_LIMIT=3)
def test_a_flood_of_signals_is_rate_limited_and_logged(world):
    client = Client()
    for _ in range(3):
        assert submit(client).status_code == 200
    r = submit(client)
    assert r.status_code == 429
    assert "te vaak" in r.content.decode()
    assert Signal.objects.count() == 3
    assert AccessLogEntry.objects.filter(outcome="denied", detail="signaal: te vaak").count() == 1
    # Another address is not affected.
    assert Client(REMOTE_ADDR="10.1.2.3").post("/signaal/", FORM).status_code == 200


@override_settings(VANGNET_RECEIPT_LIMIT=5)
def test_guessing_receipt_codes_is_rate_limited(world):
    client = Client()
    for i in range(5):
        assert client.post("/signaal/status/", {"code": f"AAAA-AAAA-AAA{i + 2}"}).status_code == 404
    assert client.post("/signaal/status/", {"code": "AAAA-AAAA-AAA9"}).status_code == 429


@override_settings(VANGNET_SIGNAL_LIMIT=1)
def test_public_api_is_rate_limited_with_problem_json(world):
    body = {"table": 3, "relation": "patient", "message": "Vast.", "contact": "06"}
    first = Client().post("/api/v1/routing/public/signals", body, content_type="application/json")
    assert first.status_code == 201
    code = first.json()["code"]
    second = Client().post("/api/v1/routing/public/signals", body, content_type="application/json")
    assert second.status_code == 429 and second["Content-Type"] == "application/problem+json"
    status = Client().post(
        "/api/v1/routing/public/signals/status", {"code": code}, content_type="application/json"
    )
    assert status.status_code == 200 and status.json()["state"] == "new"
    unknown = Client().post(
        "/api/v1/routing/public/signals/status",
        {"code": "ZZZZ-ZZZZ-ZZZZ"},
        content_type="application/json",
    )
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"message": ""}, "verplicht"),
        ({"table": "99"}, "tafel"),
        ({"message": "<script>x</script>"}, "HTML"),
        ({"contact": ""}, "verplicht"),
        ({"relation": "buurman"}, ""),
    ],
)
def test_bad_signal_input_is_refused_in_dutch(world, change, words):
    r = submit(Client(), {**FORM, **change})
    assert r.status_code == 400
    assert words in r.content.decode()
    assert not Signal.objects.exists()


def test_coordinator_turns_a_signal_into_a_registration(world, verified_client):
    signal, _ = services.signal_submit(
        data=services.SignalInput(
            table_number=3, relation="relative", message="Vast.", contact="06 1"
        )
    )
    form = {
        "referrer_type": "coordinating_institution",
        "patient_name": "Piet Signaal",
        "patient_birth_date": "1970-02-03",
        "patient_municipality": "GM0363",
        "insurer": "VGZ",
        "consent_by": "patient",
        "stuck_description": "Vast.",
        "best_solution": "Beschermd wonen.",
        "timeline": "Sinds 2023.",
        "party_organisation": "Huisarts",
        "party_action": "Verwezen naar ggz.",
    }
    r = verified_client(world.coordinator).post(
        f"/vragen/signalen/{signal.reference}/aanmelden/", form
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    signal.refresh_from_db()
    case = Case.objects.get()
    assert signal.state == "registered" and signal.case == case
    assert case.referrer == world.coordinator and case.referrer_type == "coordinating_institution"
    assert case.table.number == 3 and case.insurer.name == "VGZ"
    # Once registered, answering is no longer possible.
    r = verified_client(world.coordinator).post(
        f"/vragen/signalen/{signal.reference}/", {"answer": "x"}
    )
    assert r.status_code == 409 and "Dit kan niet meer" in r.content.decode()
