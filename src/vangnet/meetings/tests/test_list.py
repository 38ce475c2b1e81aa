"""Issue 11 §3: the meetings list is paginated and sortable, with no cap of 100."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.meetings import views
from vangnet.meetings.models import Meeting
from vangnet.regions.models import Table
from vangnet.testing.pages import walk

pytestmark = pytest.mark.django_db


def test_every_meeting_is_reachable_beyond_the_old_cap(world, verified_client, monkeypatch):
    monkeypatch.setattr(views, "MEETINGS_PER_PAGE", 30)
    start = timezone.now() - timedelta(days=400)
    table = Table.objects.get(number=3)
    Meeting.objects.bulk_create(
        [
            Meeting(
                table=table,
                kind=Meeting.Kind.SCHEDULED,
                starts_at=start + timedelta(days=i),
                ends_at=start + timedelta(days=i, hours=1),
                location=f"Zaal {i:03d}",
                chair_type=Meeting.Chair.FIXED,
                created_by=world.coordinator,
            )
            for i in range(105)
        ]
    )
    client = verified_client(world.table_member)
    seen, _ = walk(
        client, "/besprekingen/?sorteer=wanneer", lambda h: re.findall(r"Zaal (\d{3})", h)
    )
    assert seen == [f"{i:03d}" for i in range(105)]  # oldest first, each once
