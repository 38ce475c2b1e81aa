"""The journey's API reads cost the same number of queries whatever the size of what they show
(docs/architecture.md, point 11): the case file's sections with more timeline entries, parties,
documents, phases and check-ins, and the notification, meeting and consultation lists with more
rows. Measured once, grown several times over, measured again: the counts must be equal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vangnet.accounts.models import ApiToken
from vangnet.accounts.services import notification_send
from vangnet.cases import services
from vangnet.consultations.services import consultation_record
from vangnet.followup import services as followup_services
from vangnet.meetings.models import Meeting
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import PDF

pytestmark = pytest.mark.django_db


def _grow(world, case, n: int) -> None:
    coordinator, m = world.coordinator, fu.ms(world.coordinator)
    for i in range(n):
        services.timeline_add(
            case=case,
            actor=coordinator,
            membership=m,
            on=timezone.localdate() - timedelta(days=i + 1),
            organisation_name="GGZ X",
            description="Gebeurtenis.",
        )
        org = factories.OrganisationFactory()
        fu.invite_with_consent(world, case, org)
        services.question_add(case=case, actor=coordinator, membership=m, text="Vraag?")
        services.document_upload(
            case=case, actor=coordinator, membership=m, name="a.pdf", content=PDF
        )
        followup_services.phase_add(case=case, actor=coordinator, membership=m, months=3)
        notification_send(
            users=[coordinator], subject="Melding", body="", case_reference=case.reference
        )
        start = timezone.now() + timedelta(days=10 + i)
        Meeting.objects.create(
            table=case.table,
            kind=Meeting.Kind.SCHEDULED,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            location="Arkin",
            chair_type=Meeting.Chair.FIXED,
            created_by=coordinator,
        )
        consultation_record(
            actor=coordinator,
            membership=m,
            requested_on=timezone.localdate(),
            requester_type="gp",
            question="Wat nu?",
        )


def _queries(client: Client, auth: dict[str, str], url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **auth)
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries)


def test_the_api_reads_cost_the_same_whatever_their_size(world, partners):
    case, _goals = fu.follow_up_case(world, partners)
    _, raw = ApiToken.issue(user=world.coordinator, name="queries")
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    ref = case.reference
    urls = [
        f"/api/v1/cases/{ref}/file/preparation",
        f"/api/v1/cases/{ref}/file/follow-up",
        f"/api/v1/cases/{ref}/file/plan",
        f"/api/v1/cases/{ref}/file/overview",
        "/api/v1/notifications",
        "/api/v1/meetings",
        "/api/v1/consultations",
    ]
    _grow(world, case, 1)
    before = {url: _queries(client, auth, url) for url in urls}
    _grow(world, case, 4)
    after = {url: _queries(client, auth, url) for url in urls}
    assert after == before
