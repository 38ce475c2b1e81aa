"""Meeting detail page and PDF: each reader sees only the cases they may see."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem
from vangnet.meetings.selectors import readable_items
from vangnet.testing import followup as fu
from vangnet.testing.access import last_log_id, log_rows
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- meetings: detail page and PDF, only what the reader may see -----------------------------


@pytest.fixture
def meeting_with_two_cases(world, member_org):
    visible = fu.admitted_case(world)
    hidden = fu.admitted_case(world)
    fu.invite_with_consent(world, visible, member_org)
    item = fu.started_item(visible, world.coordinator)
    meeting = item.meeting
    hidden_item = AgendaItem.objects.create(meeting=meeting, case=hidden, position=2)
    m = ms(world.coordinator)
    for i, text in ((item, "Zichtbaar besproken"), (hidden_item, "Geheim besproken")):
        meeting_services.minutes_record(
            item=i, actor=world.coordinator, membership=m, discussed=text, decisions="Plan maken"
        )
    return meeting, visible, hidden


def pdf_text(content: bytes) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(  # noqa: S603 - a fixed local tool reading our own PDF
        [tool, "-", "-"], input=content, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode()


def test_meeting_pdf_contains_only_cases_the_reader_may_see(
    world, meeting_with_two_cases, verified_client
):
    meeting, visible, hidden = meeting_with_two_cases
    client = verified_client(world.table_member)
    mark = last_log_id()
    response = client.get(reverse("meetings:pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # One row per case printed, naming the case: the hidden case is neither printed nor logged.
    assert [(r.action, r.outcome, r.case_reference) for r in log_rows(mark)] == [
        ("export", "allowed", visible.reference)
    ]

    items = readable_items(world.table_member, meeting)
    assert [i.case for i in items] == [visible]
    html = render_to_string(
        "meetings/meeting_print.html",
        {"meeting": meeting, "items": items, "printed_at": timezone.now()},
        request=response.wsgi_request,
    )
    assert visible.reference in html and "Zichtbaar besproken" in html
    assert hidden.reference not in html and "Geheim besproken" not in html
    text = pdf_text(response.content)
    if text is not None:
        assert visible.reference in text and hidden.reference not in text

    # The coordinator's print holds both; the meeting page follows the same rule.
    assert [i.case for i in readable_items(world.coordinator, meeting)] == [
        visible,
        hidden,
    ]
    mark = last_log_id()
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert visible.reference in page
    assert hidden.reference not in page and "Geheim besproken" not in page
    assert [r.case_reference for r in log_rows(mark)] == [visible.reference]
    mark = last_log_id()
    verified_client(world.coordinator).get(reverse("meetings:detail", args=[meeting.pk]))
    assert sorted(r.case_reference for r in log_rows(mark)) == sorted(
        [visible.reference, hidden.reference]
    )


def test_meeting_pages_refused_outside_the_table(world, meeting_with_two_cases, verified_client):
    meeting, _, _ = meeting_with_two_cases
    for user in (world.other_table_coordinator, world.referrer, world.medical_adviser):
        client = verified_client(user)
        assert client.get(reverse("meetings:pdf", args=[meeting.pk])).status_code == 403
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 403
