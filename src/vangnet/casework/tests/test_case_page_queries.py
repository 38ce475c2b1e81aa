"""The case page costs the same number of queries whatever the amount of data of the case
(issue 12: the page every write redirects to, 20% of the load test). A follow-up case with a
couple of rows in every list the page shows is measured, grown tenfold, and measured again, for
each reader: the coordinator, the referrer and an invited organisation (table member).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vangnet.cases import services
from vangnet.followup import services as followup_services
from vangnet.meetings.models import AgendaItem, Meeting, Task
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import PDF

pytestmark = pytest.mark.django_db


def _grow(world, case, n: int) -> None:
    """`n` more of every list the case page shows: timeline entries, invited parties with
    consent, questions, documents, goals, phases (with their check-ins, the first one done),
    meetings (agenda items) and actions."""
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
        fu.add_goal(world, case, org, "housing")
        followup_services.phase_add(case=case, actor=coordinator, membership=m, months=3)
        start = timezone.now() - timedelta(days=30 + i)
        meeting = Meeting.objects.create(
            table=case.table,
            kind=Meeting.Kind.SCHEDULED,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            location="Arkin",
            chair_type=Meeting.Chair.FIXED,
            created_by=coordinator,
        )
        item = AgendaItem.objects.create(meeting=meeting, case=case, position=1)
        Task.objects.create(
            case=case,
            agenda_item=item,
            description=f"Actie {i}",
            organisation=org,
            due_on=timezone.localdate() + timedelta(days=i - 1),
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "referrer", "partner"])
def test_case_page_queries_do_not_grow_with_the_case(world, verified_client, who):
    partner = fu.partner("Zorgpartner Noord")
    case, goals = fu.follow_up_case(world, [partner])
    # A done check-in with progress, so the follow-up section shows progress per goal.
    first = case.phases.get().checkins.order_by("due_on").first()
    followup_services.checkin_record(
        checkin=first,
        actor=world.coordinator,
        membership=fu.ms(world.coordinator),
        summary="Gaat goed.",
        progress=[
            followup_services.ProgressInput(goal_id=g.pk, progress="on_track") for g in goals
        ],
    )
    user = partner.user if who == "partner" else getattr(world, who)
    client = verified_client(user)
    url = f"/casussen/{case.reference}/"
    _grow(world, case, 2)
    small = _queries(client, url)
    _grow(world, case, 18)
    large = _queries(client, url)
    assert large == small, f"case page as {who}: {small} queries with 2 of each, {large} with 20"
    page = client.get(url).content.decode()
    assert page.count("Vraag?") == 20 and page.count("Gebeurtenis.") == 20


def test_coordinator_case_page_stays_within_its_query_budget(world, verified_client):
    """The whole case file of a case with data in every section, for its coordinator: a fixed
    budget (the login and session, the case, the access log, one count of the related lists, one
    query per filled list)."""
    partner = fu.partner("Zorgpartner Zuid")
    case, _goals = fu.follow_up_case(world, [partner])
    _grow(world, case, 3)
    client = verified_client(world.coordinator)
    # 32 on SQLite in the tests (savepoints and the access log's own check included); before
    # the page read every list separately, some twice, and memberships per agenda item: 63.
    assert _queries(client, f"/casussen/{case.reference}/") <= 34
