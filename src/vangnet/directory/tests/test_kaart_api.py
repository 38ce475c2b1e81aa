"""The sociale kaart API: read for every signed-in user, write for the own editors only."""

from __future__ import annotations

import pytest

from vangnet.accounts.models import ApiToken, Role
from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.directory.models import EntryChange, Offer
from vangnet.testing import factories

pytestmark = pytest.mark.django_db

BASE = "/api/v1/directory"


def bearer(user):
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


OFFER = {
    "kind": "addiction",
    "name": "Alcoholpoli",
    "financing": "zvw",
    "access": "referral",
    "diagnosis_groups": ["alcohol"],
    "age_min": 18,
    "stated_wait_weeks": 3,
}


def test_read_for_every_signed_in_user(client, kaart):
    analyst = factories.member(Role.MONITOR_ANALYST)  # no search page, but the API reads
    response = client.get(
        f"{BASE}/offers", {"origin": "GM0344", "sort": "distance"}, **bearer(analyst)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["pages"] == 1
    item = body["items"][0]
    assert item["name"] == "Dubbele diagnose ambulant"
    assert item["location"]["municipality"] == "GM0363"
    assert item["distance_km"] == pytest.approx(35.25, abs=0.01)
    assert item["expected_wait"] == "6 weken (opgave aanbieder)"
    assert item["stale"] is False
    one = client.get(f"{BASE}/offers/{kaart.offer.pk}", **bearer(analyst))
    assert one.json()["diagnosis_groups"] == ["psychotisch"]
    assert client.get(f"{BASE}/locations/{kaart.location.pk}", **bearer(analyst)).status_code == 200


def test_anonymous_and_unknown(client, kaart):
    response = client.get(f"{BASE}/offers")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    missing = client.get(f"{BASE}/offers/999999", **bearer(kaart.coordinator))
    assert missing.status_code == 404 and missing.json()["detail"] == "Dit aanbod bestaat niet."
    bad = client.get(f"{BASE}/offers", {"sort": "distance"}, **bearer(kaart.coordinator))
    assert bad.status_code == 400 and "Kies een gemeente" in bad.json()["detail"]
    bad = client.get(f"{BASE}/offers", {"sort": "hoogte"}, **bearer(kaart.coordinator))
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_editor_writes_own_organisation(client, kaart):
    auth = bearer(kaart.editor)
    created = client.post(
        f"{BASE}/locations/{kaart.location.pk}/offers",
        OFFER,
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    updated = client.put(
        f"{BASE}/offers/{pk}",
        OFFER | {"stated_wait_weeks": 1},
        content_type="application/json",
        **auth,
    )
    assert updated.status_code == 200 and updated.json()["stated_wait_weeks"] == 1
    change = EntryChange.objects.filter(entity="offer", entity_id=pk).first()
    assert change.changes == {"stated_wait_weeks": [3, 1]}
    assert client.post(f"{BASE}/offers/{pk}/confirm", **auth).status_code == 200
    loc = client.post(
        f"{BASE}/locations",
        {
            "organisation_id": kaart.org.pk,
            "name": "Chat",
            "remote": True,
            "served_area": "national",
        },
        content_type="application/json",
        **auth,
    )
    assert loc.status_code == 201 and loc.json()["remote"] is True
    assert client.delete(f"{BASE}/offers/{pk}", **auth).status_code == 204
    assert not Offer.objects.filter(pk=pk).exists()


def test_other_editor_gets_403_problem_json_and_is_logged(client, kaart):
    auth = bearer(kaart.other_editor)
    response = client.put(
        f"{BASE}/offers/{kaart.offer.pk}", OFFER, content_type="application/json", **auth
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "eigen organisatie" in response.json()["detail"]
    response = client.post(
        f"{BASE}/locations",
        {"organisation_id": kaart.org.pk, "name": "Kaping", "municipality": "GM0363"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert client.delete(f"{BASE}/offers/{kaart.offer.pk}", **auth).status_code == 403
    denied = AccessLogEntry.objects.filter(user=kaart.other_editor, outcome=Outcome.DENIED)
    assert denied.count() == 3 and {d.channel for d in denied} == {"api"}
    assert Offer.objects.get(pk=kaart.offer.pk).name == "Dubbele diagnose ambulant"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"age_min": 70, "age_max": 20}, "age_max", "omgedraaid"),
        ({"diagnosis_groups": ["hoogtevrees"]}, "diagnosis_groups", "Onbekende hoofddiagnosegroep"),
        ({"financing": "pgb"}, "financing", "bestaat niet"),
        ({"name": "<b>Alcohol</b>"}, "name", "HTML"),
    ],
)
def test_bad_offer_is_400_problem_json_with_every_problem(client, kaart, change, field, words):
    response = client.put(
        f"{BASE}/offers/{kaart.offer.pk}",
        OFFER | change,
        content_type="application/json",
        **bearer(kaart.editor),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert any(e["field"] == field and words in e["detail"] for e in body["errors"]), body
    assert Offer.objects.get(pk=kaart.offer.pk).name == "Dubbele diagnose ambulant"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"municipality": "GM9999"}, "municipality"),
        ({"postcode": "99"}, "postcode"),
        ({"phone": "bel maar"}, "phone"),
        ({"website": "geen url"}, "website"),
    ],
)
def test_bad_location_is_400(client, kaart, change, field):
    body = {"name": "Hoofdlocatie", "municipality": "GM0363"} | change
    response = client.put(
        f"{BASE}/locations/{kaart.location.pk}",
        body,
        content_type="application/json",
        **bearer(kaart.editor),
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
