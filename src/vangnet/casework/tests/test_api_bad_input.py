"""Bad input to the journey's API (issue 16 §5): a 4xx problem+json in Dutch that lists every
problem of the input at once, and nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vangnet.accounts.models import ApiToken, Role
from vangnet.cases.models import CaseParty
from vangnet.consultations.models import Consultation
from vangnet.followup.models import EscalationStep, GoalProgress
from vangnet.meetings.models import Meeting, Task
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import counts

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM = "application/problem+json"


def api(user):
    _, raw = ApiToken.issue(user=user, name="bad-input")
    client = Client()

    def post(path: str, body: object, method: str = "post"):
        return getattr(client, method)(
            API + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    post.client = client  # type: ignore[attr-defined]
    post.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}  # type: ignore[attr-defined]
    return post


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:600]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def fields(body: dict) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def test_a_party_with_an_unknown_organisation_and_a_bad_email_lists_both(world, case):
    before = counts()
    body = problem(
        api(world.coordinator)(
            f"/cases/{case.reference}/parties",
            {"organisation_id": 999999, "role": "Behandelaar", "contact_email": "geen-adres"},
        ),
        400,
    )
    assert fields(body) == ["contact_email", "organisation_id"]
    assert (
        "geldig e-mailadres" in body["detail"]
        and "Organisatie 999999 bestaat niet" in (body["detail"])
    )
    assert counts() == before


def test_schema_errors_name_every_field_in_dutch(world, case):
    item = fu.started_item(case, world.coordinator)
    body = problem(
        api(world.coordinator)(
            f"/meetings/{item.meeting_id}/items/{item.pk}/minutes",
            {"decisions": "x" * 5001, "tasks": [{"description": "Bellen", "due_on": "morgen"}]},
        ),
        422,
    )
    assert set(fields(body)) == {
        "discussed",
        "decisions",
        "tasks.0.organisation_id",
        "tasks.0.due_on",
    }
    details = {e["field"]: e["detail"] for e in body["errors"]}
    assert details["discussed"] == "dit veld is verplicht"
    assert details["decisions"] == "te lang (maximaal 5000 tekens)"
    assert details["tasks.0.due_on"].startswith("geen geldige datum")


def test_minutes_with_unknown_organisations_and_user_list_each_and_save_nothing(world, case):
    item = fu.started_item(case, world.coordinator)
    org = factories.OrganisationFactory()
    before = counts()
    body = problem(
        api(world.coordinator)(
            f"/meetings/{item.meeting_id}/items/{item.pk}/minutes",
            {
                "discussed": "Besproken.",
                "decisions": "Besloten.",
                "tasks": [
                    {"description": "A", "organisation_id": 999998, "due_on": "2030-01-01"},
                    {"description": "B", "organisation_id": org.pk, "due_on": "2030-01-01"},
                    {"description": "C", "organisation_id": 999997, "due_on": "2030-01-01"},
                ],
            },
        ),
        400,
    )
    assert fields(body) == ["tasks.0.organisation_id", "tasks.2.organisation_id"]
    item.refresh_from_db()
    assert item.minutes_at is None and counts() == before


def test_an_action_due_in_the_past_rolls_the_minutes_back(world, case):
    item = fu.started_item(case, world.coordinator)
    org = factories.OrganisationFactory()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = problem(
        api(world.coordinator)(
            f"/meetings/{item.meeting_id}/items/{item.pk}/minutes",
            {
                "discussed": "Besproken.",
                "decisions": "Besloten.",
                "tasks": [{"description": "A", "organisation_id": org.pk, "due_on": yesterday}],
            },
        ),
        400,
    )
    assert "einddatum in het verleden" in body["detail"]
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.minutes_at is None and item.discussed == "" and case.state == "admitted"
    assert not Task.objects.exists()


def test_a_meeting_with_unknown_cases_and_a_plain_video_link_lists_both(world, case):
    starts = timezone.now() + timedelta(days=3)
    body = problem(
        api(world.coordinator)(
            "/meetings",
            {
                "kind": "scheduled",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "chair_type": "fixed",
                "video_link": "http://video.example/x",
                "cases": [case.reference, "VN-0000-0000", "VN-9999-9999"],
            },
        ),
        400,
    )
    assert fields(body) == ["cases", "cases", "video_link"]
    assert "VN-0000-0000" in body["detail"] and "https://" in body["detail"]
    assert not Meeting.objects.exists()


def test_plan_with_unknown_organisation_and_user_lists_both(world):
    case = fu.plan_case(world)
    body = problem(
        api(world.coordinator)(
            f"/cases/{case.reference}/plan",
            {"regiebehandelaar_organisation_id": 999999, "case_director": "niemand"},
        ),
        400,
    )
    assert fields(body) == ["regiebehandelaar_organisation_id", "case_director"]
    assert case.plan.revisions.count() == 0


def test_escalating_two_rungs_at_once_is_refused_in_dutch(world, case):
    body = problem(
        api(world.coordinator)(
            f"/cases/{case.reference}/escalations", {"to_level": 2, "reason": "Te traag."}
        ),
        400,
    )
    assert body["field"] == "to_level" and "één niveau tegelijk" in body["detail"]
    assert not EscalationStep.objects.exists()


def test_a_step_the_state_does_not_allow_is_409(world, case):
    problem(api(world.coordinator)(f"/cases/{case.reference}/reopen", {"reason": "Waarom?"}), 409)
    body = problem(
        api(world.coordinator)(f"/cases/{case.reference}/plan/adopt", {"months": 3}), 409
    )
    assert body["code"] == "invalid_transition"


def test_a_document_of_a_forbidden_type_is_refused(world, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = api(world.coordinator)
    response = post.client.post(  # type: ignore[attr-defined]
        f"{API}/cases/{case.reference}/documents",
        {"file": SimpleUploadedFile("script.exe", b"MZ\x90\x00")},
        **post.auth,  # type: ignore[attr-defined]
    )
    body = problem(response, 400)
    assert body["field"] == "file" and "bestandstype" in body["detail"]
    assert not case.documents.exists()


def test_a_check_in_must_cover_every_running_goal(world, partners):
    case, goals = fu.follow_up_case(world, partners)
    checkin = case.phases.first().checkins.first()
    body = problem(
        api(world.coordinator)(
            f"/cases/{case.reference}/check-ins/{checkin.pk}",
            {
                "summary": "Gaat goed.",
                "progress": [{"goal_id": goals[0].pk, "progress": "on_track"}],
            },
        ),
        400,
    )
    assert "elk lopend doel" in body["detail"]
    checkin.refresh_from_db()
    assert checkin.done_at is None and not GoalProgress.objects.exists()


def test_a_financing_decision_must_check_all_seven_criteria(world):
    from vangnet.directory.models import OrganisationType
    from vangnet.plans import services as plan_services

    case = fu.plan_case(world)
    insurer = factories.OrganisationFactory(organisation_type=OrganisationType.INSURER)
    adviser = factories.member(Role.MEDICAL_ADVISER, organisation=insurer)
    request = plan_services.financing_request(
        case=case, actor=world.coordinator, membership=fu.ms(world.coordinator), insurer=insurer
    )
    body = problem(
        api(adviser)(
            f"/cases/{case.reference}/financing/{request.pk}/decision",
            {
                "decision": "declined",
                "criteria": [{"number": 1, "verdict": "met"}],
                "reason": "Onvoldoende.",
            },
        ),
        400,
    )
    assert "zeven criteria" in body["detail"]
    request.refresh_from_db()
    assert request.decision == "requested"


def test_a_named_consultation_needs_consent(world):
    body = problem(
        api(world.coordinator)(
            "/consultations",
            {
                "requested_on": timezone.localdate().isoformat(),
                "requester_type": "gp",
                "anonymous": False,
                "patient_name": "Jan de Vries",
                "question": "Wat nu?",
            },
        ),
        400,
    )
    assert body["field"] == "consent_recorded" and "toestemming" in body["detail"]
    assert not Consultation.objects.exists()


def test_an_id_of_another_case_is_not_found(world, case):
    other = fu.admitted_case(world)
    party = CaseParty.objects.create(
        case=other, organisation=factories.OrganisationFactory(), role="Behandelaar"
    )
    body = problem(
        api(world.coordinator)(f"/cases/{case.reference}/parties/{party.pk}/invite", {}), 404
    )
    assert body["detail"] == "Deze partij bestaat niet bij deze casus."
    party.refresh_from_db()
    assert party.invited_at is None


def test_a_date_in_the_future_on_the_timeline_is_refused(world, case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = problem(
        api(world.coordinator)(
            f"/cases/{case.reference}/timeline",
            {"date": tomorrow, "organisation_name": "GGZ X", "description": "Opname."},
        ),
        400,
    )
    assert body["field"] == "date"
    assert not case.timeline_entries.exists()
