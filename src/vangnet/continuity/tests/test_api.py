"""Continuity over the API (issue 16 §2 and its share of §5): the same permission checks and
access log as the pages, 4xx problem+json with Dutch messages, nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vangnet.accounts.models import ApiToken
from vangnet.continuity.models import CrisisCard, GpLetter, Handover, MedicationLine
from vangnet.testing import followup as fu
from vangnet.testing.access import last_log_id, log_rows

from .helpers import consent_for, practice, set_gp
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
BASE = "/api/v1/continuity"


class Api:
    def __init__(self, user) -> None:
        _, raw = ApiToken.issue(user=user, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path):
        return self.client.get(BASE + path, **self.headers)

    def send(self, method, path, body):
        call = getattr(self.client, method)
        return call(BASE + path, body, content_type="application/json", **self.headers)


def problem(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    for fragment in fragments:
        assert fragment in body["detail"], body
    return body


def day(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


CARD = {
    "early_signs": "Slaapt slecht, trekt zich terug.",
    "what_helps": "Rust en de ervaringsdeskundige bellen.",
    "client_words": "Kom langs als ik niet opneem.",
    "contacts": [{"who": "Crisisdienst", "phone": "020 523 54 00", "hours": "dag en nacht"}],
    "review_on": day(90),
}
OVERVIEW = {
    "somatic_screening_by": "Huisarts",
    "pharmaceutical_care_by": "Psychiater Arkin",
    "review_on": day(60),
}
LINE = {
    "medicine": "Quetiapine",
    "dose_amount": "300",
    "dose_unit": "mg",
    "frequency": "1x per dag",
    "prescriber": "Dr. P",
    "since": day(-100),
    "checked_on": day(-2),
}


@pytest.fixture
def follow_up(world, partners):
    case, _ = fu.follow_up_case(world, partners)
    return case


def test_coordinator_walks_continuity_over_the_api(world, partners, follow_up):
    case = follow_up
    api = Api(world.coordinator)
    ref = case.reference
    org, _ = practice()
    mark = last_log_id()
    r = api.send("put", f"/cases/{ref}/gp", {"practice_id": org.pk, "gp_name": "Dr. H. Arts"})
    assert r.status_code == 200 and r.json()["consent"] is False
    problem(
        api.send("post", f"/cases/{ref}/crisis-card", {**CARD, "share_with_gp": True}),
        400,
        "geen geldige toestemming",
    )
    consent_for(world, case, org)
    r = api.send("post", f"/cases/{ref}/crisis-card", {**CARD, "share_with_gp": True})
    assert r.status_code == 201 and r.json()["version"] == 1
    assert api.send("post", f"/cases/{ref}/crisis-card", CARD).json()["version"] == 2
    versions = api.get(f"/cases/{ref}/crisis-card/versions?size=1").json()
    assert [c["version"] for c in versions["items"]] == [2] and versions["next"]
    rest = api.get(versions["next"].split("/api/v1/continuity", 1)[1]).json()
    assert [c["version"] for c in rest["items"]] == [1] and rest["next"] is None
    assert api.send("put", f"/cases/{ref}/medication", OVERVIEW).status_code == 200
    line = api.send("post", f"/cases/{ref}/medication/lines", LINE)
    assert line.status_code == 201
    r = api.send(
        "post",
        f"/cases/{ref}/medication/lines/{line.json()['id']}/stop",
        {"stopped_on": day(0), "reason": "Bijwerkingen"},
    )
    assert r.json()["stopped_on"] == day(0)
    r = api.send(
        "post",
        f"/cases/{ref}/contacts",
        {
            "audience": "gp",
            "name": "M. Jansen",
            "organisation": "Arkin",
            "phone": "020 123 45 67",
            "reachable": "ma–vr 9–17",
            "until": "de volgende bespreking",
        },
    )
    assert r.status_code == 201
    r = api.send(
        "post",
        f"/cases/{ref}/handovers",
        {
            "kind": "gp",
            "handed_over_by": "M. Jansen",
            "taken_over_by": "Dr. H. Arts",
            "taken_over_organisation_id": org.pk,
            "spoke_on": day(0),
            "agreed_aftercare": "POH-ggz ziet de cliënt maandelijks.",
        },
    )
    assert r.status_code == 201
    r = api.send("post", f"/cases/{ref}/gp-letters", {"event": "planned"})
    assert r.status_code == 201 and r.json()["delivery"] == "vangnet"
    pdf = api.client.get(r.json()["pdf"], **api.headers)
    assert pdf.status_code == 200 and "Integraal plan vastgesteld" in pdf_text(pdf.content)
    whole = api.get(f"/cases/{ref}").json()
    assert whole["crisis_card"]["version"] == 2 and whole["medication"]["lines"][0]["stopped_on"]
    assert whole["gp"]["consent"] is True and len(whole["letters"]) == 1
    rows = log_rows(mark)
    assert rows and all(
        r.channel == "api" and r.outcome == "allowed" for r in rows if r.detail != ""
    )
    assert {r.action for r in rows} >= {"update", "read", "export"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({**LINE, "dose_amount": "0"}, 400, "groter zijn dan nul"),
        ({**LINE, "dose_amount": "25000"}, 400, "onmogelijk hoog"),
        ({**LINE, "since": day(5)}, 400, "startdatum ligt in de toekomst"),
        ({**LINE, "checked_on": day(-200)}, 400, "controledatum ligt vóór de startdatum"),
        ({**LINE, "since": "1850-01-01"}, 400, "vóór 1900"),
        ({**LINE, "since": "gisteren"}, 422, "geen geldige datum"),
        ({**LINE, "dose_unit": "emmer"}, 422, "onbekende waarde"),
    ],
)
def test_impossible_medication_is_refused_with_problem_json(
    world, follow_up, body, status, message
):
    api = Api(world.coordinator)
    api.send("put", f"/cases/{follow_up.reference}/medication", OVERVIEW)
    problem(
        api.send("post", f"/cases/{follow_up.reference}/medication/lines", body), status, message
    )
    assert not MedicationLine.objects.exists()


def test_gp_letter_without_consent_is_a_logged_403(world, follow_up):
    api = Api(world.coordinator)
    org, _ = practice()
    set_gp(world, follow_up, org)
    mark = last_log_id()
    problem(
        api.send("post", f"/cases/{follow_up.reference}/gp-letters", {"event": "planned"}),
        403,
        "geen geldige toestemming",
    )
    assert ("export", "denied", "api") in [(r.action, r.outcome, r.channel) for r in log_rows(mark)]
    assert not GpLetter.objects.exists()


def test_roles_other_than_the_coordinator_cannot_write_and_are_logged(world, partners, follow_up):
    ref = follow_up.reference
    member = partners[0].user  # invited with consent: reads, does not write
    writes = [
        ("post", f"/cases/{ref}/crisis-card", CARD),
        ("put", f"/cases/{ref}/medication", OVERVIEW),
        ("post", f"/cases/{ref}/handovers", {"kind": "gp"}),  # invalid body: still a 403 first
        ("post", f"/cases/{ref}/gp-letters", {"event": "planned"}),
    ]
    for user in (
        member,
        world.referrer,
        world.screener,
        world.other_table_coordinator,
        world.medical_adviser,
    ):
        api = Api(user)
        for method, path, body in writes:
            mark = last_log_id()
            problem(api.send(method, path, body), 403)
            assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "denied")]
    assert not CrisisCard.objects.exists() and not Handover.objects.exists()
    # reading: who reads the plan reads continuity, without the letters
    for user, code in (
        (member, 200),
        (world.referrer, 200),
        (world.other_table_coordinator, 403),
        (world.medical_adviser, 403),
    ):
        mark = last_log_id()
        r = Api(user).get(f"/cases/{ref}")
        assert r.status_code == code
        assert [r.outcome for r in log_rows(mark)] == ["allowed" if code == 200 else "denied"]
        if code == 200:
            assert r.json()["letters"] == []


def test_gp_reads_a_letter_pdf_over_the_api_only_with_consent(world, follow_up):
    from vangnet.cases import services as case_services
    from vangnet.continuity import services
    from vangnet.testing.followup import ms

    org, gp = practice()
    set_gp(world, follow_up, org)
    consent = consent_for(world, follow_up, org)
    letter = services.gp_letter_create(
        case=follow_up, actor=world.coordinator, membership=ms(world.coordinator), event="admitted"
    )
    api = Api(gp)
    assert api.get(f"/gp-letters/{letter.pk}/pdf").status_code == 200
    _, other = practice("Andere praktijk")
    problem(Api(other).get(f"/gp-letters/{letter.pk}/pdf"), 403)
    case_services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    mark = last_log_id()
    problem(api.get(f"/gp-letters/{letter.pk}/pdf"), 403)
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("export", "denied")]
    problem(api.get("/gp-letters/999999/pdf"), 404)


def test_crisis_card_versions_page_through_all_at_a_fixed_cost(world, follow_up):
    """Issue 12 §3: every version, not the newest 100: follow `next` (keyset on the version),
    each once, and a page's queries do not grow with the versions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = follow_up
    api = Api(world.coordinator)

    def versions(start: int, count: int) -> None:
        CrisisCard.objects.bulk_create(
            [
                CrisisCard(
                    case=case,
                    version=v,
                    early_signs="x",
                    what_helps="y",
                    review_on=timezone.localdate(),
                    recorded_by=world.coordinator,
                    recorded_at=timezone.now(),
                )
                for v in range(start, start + count)
            ]
        )

    def walk() -> tuple[list[int], list[int]]:
        seen: list[int] = []
        costs: list[int] = []
        path: str | None = f"/cases/{case.reference}/crisis-card/versions?size=4"
        while path:
            with CaptureQueriesContext(connection) as ctx:
                body = api.get(path).json()
            costs.append(len(ctx.captured_queries))
            seen += [c["version"] for c in body["items"]]
            path = body["next"].split(BASE, 1)[1] if body["next"] else None
        return seen, costs

    versions(1, 5)
    _, few = walk()
    versions(6, 100)
    seen, many = walk()
    assert seen == list(range(105, 0, -1))
    assert len(many) == 27 and max(many) <= max(few)
