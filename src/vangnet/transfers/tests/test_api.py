"""The transfer API: the same rules as the pages (role × endpoint), problem+json in Dutch for bad
input, keyset pages, and the whole journey through the endpoints."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from vangnet.accounts.models import ApiToken
from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.transfers.models import Candidate, Capacity, Transfer

from .conftest import Net, monday, put_forward, suitable

BASE = "/api/v1/transfers"
PROBLEM = "application/problem+json"


class Api:
    def __init__(self, user) -> None:
        _, raw = ApiToken.issue(user=user, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str):
        return self.client.get(BASE + path, **self.headers)

    def post(self, path: str, body: object):
        return self.client.post(BASE + path, body, content_type="application/json", **self.headers)


def problem(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    for fragment in fragments:
        assert fragment in body["detail"], body
    return body


def cap(loc_id: int, **kw: object) -> dict:
    body = {
        "location_id": loc_id,
        "diagnosis_group": "angst",
        "week": monday().isoformat(),
        "free_slots": 2,
        "expected_wait_weeks": 1,
        "valid_until": monday(3).isoformat(),
    }
    body.update(kw)
    return body


def candidate_body(**kw: object) -> dict:
    today = timezone.localdate()
    body = {
        "consent": True,
        "consent_given_on": today.isoformat(),
        "municipality_code": "GM0363",
        "diagnosis_group": "angst",
        "waiting_for": "Intake gespecialiseerde ggz",
        "waiting_since": (today - timedelta(days=150)).isoformat(),
        "birth_date": "1985-03-03",
        "expected_home_wait_weeks": 16,
        "travel_radius_km": 40,
    }
    body.update(kw)
    return body


def test_the_whole_journey_through_the_api(net: Net):
    r = Api(net.receiver_officer).post("/capacity", [cap(net.loc_receiver.pk)])
    assert r.status_code == 201, r.content
    r = Api(net.data_officer).post("/candidates", candidate_body(insurer_id=net.insurer.pk))
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    r = Api(net.screener).post(f"/candidates/{ref}/screening", {"suitable": True})
    assert r.status_code == 200 and r.json()["state"] == "suitable"
    r = Api(net.desk).post("/regions/veiligheidsregio/VR13/proposals", {})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["certificate_ok"] and body["lines"][0]["location_id"] == net.loc_receiver.pk
    line = body["lines"][0]["id"]
    r = Api(net.desk).post(f"/proposal-lines/{line}/accept", {})
    assert r.status_code == 201
    t = r.json()["id"]
    assert Api(net.data_officer).post(f"/transfers/{t}/offer", {"note": ""}).status_code == 200
    r = Api(net.data_officer).post(f"/transfers/{t}/answer", {"accepted": True})
    assert r.json()["state"] == "accepted"
    today = timezone.localdate().isoformat()
    r = Api(net.receiver_officer).post(
        f"/transfers/{t}/contacts", {"spoke_with": "behandelaar", "spoke_on": today}
    )
    assert r.status_code == 201 and r.json()["state"] == "handover"
    r = Api(net.receiver_officer).post(f"/transfers/{t}/intake", {"intake_date": today})
    assert r.json()["state"] == "intake_planned"
    r = Api(net.receiver_officer).post(f"/transfers/{t}/intake-done", {})
    assert r.json()["state"] == "intake_done"
    assert [e["to_state"] for e in r.json()["events"]][-1] == "intake_done"
    assert Candidate.objects.get(reference=ref).state == "transferred"
    assert AccessLogEntry.objects.filter(case_reference=ref, channel="api").count() >= 7


def test_bad_input_is_a_dutch_problem_and_nothing_is_saved(net: Net):
    officer = Api(net.receiver_officer)
    problem(officer.post("/capacity", [cap(999_999)]), 400, "onbekende locatie")
    problem(officer.post("/capacity", [cap(net.loc_receiver.pk, free_slots=-4)]), 400, "negatief")
    problem(officer.post("/capacity", [cap(net.loc_receiver.pk, diagnosis_group="x")]), 400)
    problem(officer.post("/capacity", [cap(net.loc_receiver.pk, free_slots=10**6)]), 400)
    assert not Capacity.objects.exists()
    problem(
        Api(net.data_officer).post("/candidates", candidate_body(consent=False)),
        400,
        "Zonder toestemming",
    )
    assert not Candidate.objects.exists()
    problem(
        Api(net.desk).post("/regions/veiligheidsregio/VR13/proposals", {}), 400, "geen gescreende"
    )
    c = put_forward(net)
    body = problem(
        Api(net.sender_screener).post(f"/candidates/{c.reference}/screening", {"suitable": True}),
        403,
        "Vier ogen",
    )
    assert body["status"] == 403
    r = Api(net.data_officer).post("/candidates", candidate_body(municipality_code="Amsterdam"))
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM


def test_a_step_not_allowed_is_a_409(net: Net):
    suitable(net)
    Api(net.receiver_officer).post("/capacity", [cap(net.loc_receiver.pk)])
    line = Api(net.desk).post("/regions/veiligheidsregio/VR13/proposals", {}).json()["lines"][0]
    t = Api(net.desk).post(f"/proposal-lines/{line['id']}/accept", {}).json()["id"]
    problem(
        Api(net.desk).post(f"/transfers/{t}/answer", {"accepted": True}),
        409,
        "de transfer staat op 'Voorgesteld'",
    )
    problem(Api(net.desk).post(f"/proposal-lines/{line['id']}/accept", {}), 409, "al besloten")
    assert Transfer.objects.count() == 1


def test_role_by_endpoint(net: Net):
    c = put_forward(net)
    detail = f"/candidates/{c.reference}"
    assert Api(net.desk).get(detail).status_code == 200
    assert Api(net.data_officer).get(detail).status_code == 200
    assert Api(net.screener).get(detail).status_code == 200
    for user in (net.other_desk, net.receiver_officer, net.zb, net.outsider, net.analyst):
        problem(Api(user).get(detail), 403)
    assert (
        AccessLogEntry.objects.filter(
            case_reference=c.reference, outcome=Outcome.DENIED, channel="api"
        ).count()
        == 5
    )
    problem(Api(net.other_desk).post("/regions/veiligheidsregio/VR13/proposals", {}), 403)
    problem(Api(net.gp).post("/capacity", [cap(net.loc_receiver.pk)]), 403)
    # Lists show only what the user may see.
    assert [i["reference"] for i in Api(net.desk).get("/candidates").json()["items"]] == [
        c.reference
    ]
    assert Api(net.outsider).get("/candidates").json()["items"] == []


def test_lists_are_keyset_pages(net: Net):
    refs = {put_forward(net).reference for _ in range(3)}
    api = Api(net.desk)
    seen: list[str] = []
    url = "/candidates?size=2"
    while url:
        body = api.get(url).json()
        seen += [i["reference"] for i in body["items"]]
        url = body["next"].split(BASE, 1)[1] if body["next"] else ""
    assert sorted(seen) == sorted(refs)
    problem(api.get("/candidates?cursor=vervalst"), 400)


def test_csv_upload_over_the_api(net: Net):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, raw = ApiToken.issue(user=net.receiver_officer, name="t")
    content = (
        "location_id,diagnosis_group,week,free_slots,expected_wait_weeks,valid_until\n"
        f"{net.loc_receiver.pk},angst,{monday().isoformat()},3,2,{monday(2).isoformat()}\n"
        f"{net.loc_receiver.pk},onbekend,{monday().isoformat()},3,2,{monday(2).isoformat()}\n"
        f"{net.loc_receiver.pk},angst,{monday(1).isoformat()},-3,2,{monday(2).isoformat()}\n"
    ).encode()
    r = Client().post(
        BASE + "/capacity/upload",
        {"file": SimpleUploadedFile("c.csv", content, "text/csv")},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    body = problem(r, 400, "Regel 3")
    assert [e["detail"][:7] for e in body["errors"]] == ["Regel 3", "Regel 4"]
    assert not Capacity.objects.exists()
