"""A case closed with a new offer some months ago, and the link its referrer was sent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Notification
from vangnet.cases.models import Case
from vangnet.testing import casework as helpers
from vangnet.testing import followup as fu

LINK = re.compile(r"/uitkomstvraag/([A-Za-z0-9_-]+)/")


def closed_case(world, *, days_ago: int) -> Case:
    case = fu.admitted_case(world)
    helpers.close(world, case, outcome="new_offer", offer_accepted=True)
    # Test set-up: the case was registered and closed months ago.
    Case.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago),
        registered_at=timezone.now() - timedelta(days=days_ago + 60),
    )
    case.refresh_from_db()
    return case


def token_sent(user, case) -> str:
    note = Notification.objects.filter(
        user=user, dedup_key__startswith=f"outcome:{case.pk}:"
    ).latest("created_at")
    match = LINK.search(note.body)
    assert match, note.body
    return match.group(1)


@pytest.fixture
def closed(world):
    return closed_case(world, days_ago=95)
