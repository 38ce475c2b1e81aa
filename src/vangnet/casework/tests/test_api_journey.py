"""A case from registration to closure and reopening through the API only (issue 16 §5): every
step by the user whose role takes it, each with their own bearer token, never a page.

registration (referrer) → triage (coordinator) + four eyes (second screener) → preparation
(timeline, party, invitation, consent, question, document up and down) → meeting (schedule,
share, participant, minutes with an action, adoption; the action done by its organisation) →
plan (fields, goals, the organisation accepts, a coordinator accepts on behalf of one without
users) → financing (request; the insurer's medical adviser decides) → adoption and follow-up
(check-in by the case director) → term suspension and resumption → escalation → closure →
reopening; notifications read and marked read, a consultation recorded and answered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

# The API's schemas are built on import; built under freezegun they would hold its fake date
# class, which pydantic cannot describe. So they are built here, before any clock is frozen.
import vangnet.urls  # noqa: F401
from vangnet.accounts.models import ApiToken, Role
from vangnet.audit.models import AccessLogEntry
from vangnet.cases.models import Case
from vangnet.directory.models import OrganisationType
from vangnet.testing import factories
from vangnet.testing.casework import PDF

pytestmark = pytest.mark.django_db

API = "/api/v1"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

REGISTRATION = {
    "referrer_type": "other_ggz_institution",
    "patient_name": "Fatima el Amrani",
    "patient_birth_date": "1990-07-12",
    "patient_municipality": "GM0363",
    "patient_insurer": "Zilveren Kruis",
    "consent_by": "patient",
    "stuck_description": "Eetstoornis met autisme; geen aanbieder neemt beide op.",
    "best_solution": "Gespecialiseerde klinische opname.",
    "timeline": "2022 ambulant, 2024 crisisopname.",
    "criteria": [1, 3, 7],
    "party_actions": [{"organisation_name": "GGZ X", "action": "Ambulante behandeling."}],
}


class Api:
    """A JSON client with one user's bearer token."""

    def __init__(self, user) -> None:
        _, raw = ApiToken.issue(user=user, name="journey")
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, expect: int = 200):
        r = self.client.get(API + path, **self.auth)
        assert r.status_code == expect, (path, r.status_code, r.content[:600])
        return r

    def post(self, path: str, body: object | None = None, expect: int = 200, method="post"):
        send = getattr(self.client, method)
        r = send(API + path, body or {}, content_type="application/json", **self.auth)
        assert r.status_code == expect, (path, r.status_code, r.content[:600])
        return r.json()


def test_a_case_from_registration_to_closure_through_the_api_only(world):
    insurer = factories.OrganisationFactory(
        name="Zorgverzekeraar Noord", organisation_type=OrganisationType.INSURER
    )
    adviser_user = factories.member(Role.MEDICAL_ADVISER, organisation=insurer)
    no_users_org = factories.OrganisationFactory(name="Woningcorporatie Zonder Account")
    member_org = world.table_member.memberships.get(role=Role.TABLE_MEMBER).organisation

    with freeze_time(T0) as clock:
        referrer = Api(world.referrer)
        coordinator = Api(world.coordinator)
        screener = Api(world.screener)
        member = Api(world.table_member)
        adviser = Api(adviser_user)

        # --- registration and triage with four eyes ---
        ref = referrer.post("/cases", REGISTRATION, expect=201)["reference"]
        triage = {
            "assessments": [{"number": n, "verdict": "met"} for n in range(1, 8)],
            "decision": "admit",
            "reason": "Past bij de tafel.",
        }
        coordinator.post(f"/cases/{ref}/triage", triage)
        assert screener.post(f"/cases/{ref}/screen", {"verdict": "confirm"})["verdict"] == (
            "confirmed"
        )
        assert referrer.get(f"/cases/{ref}").json()["state"] == "admitted"

        # --- preparation ---
        coordinator.post(
            f"/cases/{ref}/timeline",
            {"date": "2026-11-02", "organisation_name": "GGZ X", "description": "Crisisopname."},
            expect=201,
        )
        party = coordinator.post(
            f"/cases/{ref}/parties",
            {"organisation_id": member_org.pk, "role": "Behandelaar", "has_mandate": True},
            expect=201,
        )
        coordinator.post(f"/cases/{ref}/parties/{party['id']}/invite")
        coordinator.post(
            f"/cases/{ref}/consents",
            {"organisation_id": member_org.pk, "given_by": "patient", "valid_from": "2027-03-01"},
            expect=201,
        )
        coordinator.post(
            f"/cases/{ref}/questions", {"text": "Wie biedt een klinische plek?"}, expect=201
        )
        upload = coordinator.client.post(
            f"{API}/cases/{ref}/documents",
            {"file": _file("brief.pdf", PDF)},
            **coordinator.auth,
        )
        assert upload.status_code == 201, upload.content
        # The invited organisation now sees the preparation, and downloads the document.
        prep = member.get(f"/cases/{ref}/file/preparation").json()
        assert [p["organisation"] for p in prep["parties"]] == [member_org.name]
        assert prep["questions"][0]["text"] == "Wie biedt een klinische plek?"
        download = member.get(f"/cases/{ref}/documents/{prep['documents'][0]['id']}")
        assert b"".join(download.streaming_content) == PDF

        # --- the meeting: schedule, share, participant, minutes with an action, adoption ---
        starts = T0 + timedelta(days=2)
        meeting = coordinator.post(
            "/meetings",
            {
                "kind": "scheduled",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "chair_type": "independent",
                "location": "Arkin, Amsterdam",
                "cases": [ref],
            },
            expect=201,
        )
        item = meeting["agenda"][0]
        assert item["reference"] == ref
        coordinator.post(f"/cases/{ref}/agenda-items/{item['id']}/share")
        mid = meeting["id"]
        coordinator.post(
            f"/meetings/{mid}/items/{item['id']}/participants",
            {"kind": "organisation", "person_name": "Dr. Jansen", "organisation_id": member_org.pk},
            expect=201,
        )
        clock.move_to(starts + timedelta(hours=1))
        minutes = coordinator.post(
            f"/meetings/{mid}/items/{item['id']}/minutes",
            {
                "discussed": "Klinische opname en wonen.",
                "decisions": "Integraal plan opstellen.",
                "tasks": [
                    {
                        "description": "Intake plannen.",
                        "organisation_id": member_org.pk,
                        "due_on": "2027-03-20",
                    }
                ],
            },
        )
        assert minutes["tasks"][0]["description"] == "Intake plannen."
        assert coordinator.post(f"/meetings/{mid}/items/{item['id']}/adopt")["minutes_adopted_at"]
        assert referrer.get(f"/cases/{ref}").json()["state"] == "plan"
        member.post(f"/cases/{ref}/tasks/{minutes['tasks'][0]['id']}/done")
        assert member.get(f"/meetings/{mid}").json()["agenda"][0]["tasks"][0]["done_at"]

        # --- the plan: fields, goals, acceptance (own and on behalf), financing ---
        coordinator.post(
            f"/cases/{ref}/plan",
            {
                "regiebehandelaar": "Dr. Jansen",
                "regiebehandelaar_organisation_id": member_org.pk,
                "case_director": world.table_member.username,
            },
        )
        goal = coordinator.post(
            f"/cases/{ref}/plan/goals",
            {
                "domain": "treatment",
                "description": "Klinische behandeling eetstoornis.",
                "organisation_id": member_org.pk,
                "financing": "maatwerk",
            },
            expect=201,
        )
        housing = coordinator.post(
            f"/cases/{ref}/plan/goals",
            {
                "domain": "housing",
                "description": "Woning na ontslag.",
                "organisation_id": no_users_org.pk,
                "financing": "wmo",
            },
            expect=201,
        )
        member.post(f"/cases/{ref}/plan/goals/{goal['id']}/response", {"response": "accept"})
        coordinator.post(
            f"/cases/{ref}/plan/goals/{housing['id']}/confirm",
            {
                "confirmed_by": "J. de Boer, teamleider",
                "confirmed_via": "phone",
                "confirmed_on": "2027-03-03",
            },
        )
        request = coordinator.post(
            f"/cases/{ref}/financing", {"insurer_id": insurer.pk}, expect=201
        )
        assert [r["reference"] for r in adviser.get("/financing/requests").json()["items"]] == [ref]
        seen = adviser.get(f"/cases/{ref}/financing/{request['id']}").json()
        assert [g["id"] for g in seen["goals"]] == [goal["id"], housing["id"]]
        decided = adviser.post(
            f"/cases/{ref}/financing/{request['id']}/decision",
            {
                "decision": "approved",
                "criteria": [{"number": n, "verdict": "met"} for n in range(1, 8)],
                "reason": "Voldoet aan de zeven criteria.",
                "amount": "25000.00",
                "duration_months": 12,
                "goal_ids": [goal["id"]],
            },
        )
        assert decided["decision"] == "approved" and decided["goal_ids"] == [goal["id"]]
        plan = coordinator.get(f"/cases/{ref}/file/plan").json()
        assert {g["status"] for g in plan["goals"]} == {"accepted"}
        assert plan["financing"][0]["decision"] == "approved"
        revisions = coordinator.get(f"/cases/{ref}/plan/revisions?size=2").json()
        assert len(revisions["items"]) == 2 and revisions["next"]

        # --- adoption, follow-up and a check-in by the case director ---
        coordinator.post(f"/cases/{ref}/plan/adopt", {"months": 3, "focus": "Opname"}, expect=201)
        follow = member.get(f"/cases/{ref}/file/follow-up").json()
        assert len(follow["phases"][0]["checkins"]) == 3
        clock.move_to(T0 + timedelta(days=33))
        member.post(
            f"/cases/{ref}/check-ins/{follow['next_checkin_id']}",
            {
                "summary": "Opgenomen; wonen loopt.",
                "progress": [
                    {"goal_id": goal["id"], "progress": "on_track"},
                    {"goal_id": housing["id"], "progress": "delayed", "note": "Wachtlijst."},
                ],
            },
        )

        # --- term and escalation ---
        suspension = coordinator.post(
            f"/cases/{ref}/suspensions",
            {"reason": "Elders opgenomen.", "starts_on": "2027-04-03"},
            expect=201,
        )
        coordinator.post(f"/cases/{ref}/suspensions/{suspension['id']}/resume")
        step = coordinator.post(
            f"/cases/{ref}/escalations",
            {"to_level": 1, "reason": "Woning blijft uit; informatiepositie op orde brengen."},
            expect=201,
        )
        coordinator.post(
            f"/cases/{ref}/escalations/{step['id']}/result", {"result": "Gemeente aangesloten."}
        )
        follow = coordinator.get(f"/cases/{ref}/file/follow-up").json()
        assert follow["escalation_level"] == 1 and follow["escalations"][0]["result"]
        assert follow["phases"][0]["checkins"][0]["done_at"]

        # --- closure and reopening ---
        closed = coordinator.post(
            f"/cases/{ref}/close",
            {
                "outcome": "new_offer",
                "offer_accepted": True,
                "helped_by": ["clarify_care"],
                "note": "Opgenomen en woning gevonden.",
            },
        )
        assert closed["state"] == "closed"
        closure = referrer.get(f"/cases/{ref}/file/closure").json()
        assert closure["outcome"] == "new_offer" and closure["offer_accepted"] is True
        reopened = coordinator.post(f"/cases/{ref}/reopen", {"reason": "Plaatsing mislukt."})
        assert reopened["state"] == "follow_up"

        # --- the referrer's notifications, read through the API ---
        notes = referrer.get("/notifications?unread=true").json()["items"]
        subjects = [n["subject"] for n in notes]
        assert f"Casus {ref} is heropend" in subjects and f"Casus {ref} is afgesloten" in subjects
        referrer.post(f"/notifications/{notes[0]['id']}/read")
        assert referrer.post("/notifications/read-all")["marked_read"] == len(notes) - 1
        assert referrer.get("/notifications?unread=true").json()["items"] == []

        # --- a consultation without admission ---
        consultation = coordinator.post(
            "/consultations",
            {"requested_on": "2027-04-01", "requester_type": "gp", "question": "Wat nu?"},
            expect=201,
        )
        answered = member.post(
            f"/consultations/{consultation['id']}/answer",
            {"advice": "Verwijs naar de FACT.", "minutes_spent": 20},
        )
        assert answered["advice"] == "Verwijs naar de FACT."

    case = Case.objects.get(reference=ref)
    assert case.state == "follow_up" and case.escalation_level == 1
    # Every step left its trace in the access log, through the API channel.
    rows = AccessLogEntry.objects.filter(case_reference=ref)
    assert rows.filter(channel="api").count() == rows.count() > 30
    assert not rows.filter(outcome="denied").exists()
    details = set(rows.values_list("detail", flat=True))
    assert {
        "tijdlijn",
        "afsluiten",
        "heropenen",
        "financiering",
        "check-in",
        "escaleren",
    } <= details


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_referrer_withdraws_and_the_table_ends_through_the_api(world):
    """The two other ways a case ends: the referrer withdraws a registration nobody assessed yet,
    and the table ends an admitted case during preparation; both with the reason why."""
    from vangnet.testing import followup as fu

    referrer, coordinator = Api(world.referrer), Api(world.coordinator)
    ref = referrer.post("/cases", REGISTRATION, expect=201)["reference"]
    withdrawn = referrer.post(f"/cases/{ref}/withdraw", {"reason": "Zorg elders gevonden."})
    assert withdrawn["state"] == "closed"
    assert referrer.get(f"/cases/{ref}/file/closure").json()["outcome"] == "withdrawn"

    admitted = fu.admitted_case(world)
    referrer.post(f"/cases/{admitted.reference}/withdraw", {"reason": "Te laat."}, expect=403)
    ended = coordinator.post(f"/cases/{admitted.reference}/end", {"reason": "Patiënt verhuisd."})
    assert ended["state"] == "closed"
    coordinator.post(f"/cases/{admitted.reference}/end", {"reason": "Nog eens."}, expect=409)
