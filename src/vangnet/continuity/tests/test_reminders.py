"""The reminders job warns once when a crisis card or medication overview passes its review
date (issue 16 §2), and again only for a new version or a new review date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Notification
from vangnet.casework import reminders
from vangnet.continuity import reminders as continuity_reminders
from vangnet.continuity.models import CrisisCard, MedicationOverview
from vangnet.testing import followup as fu

from .helpers import overview, save_card

pytestmark = pytest.mark.django_db


def review_notes(user, what: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, subject__contains=what))


def test_overdue_reviews_are_reminded_once_to_coordinator_and_case_director(world, partners):
    case, _ = fu.follow_up_case(world, partners)
    director = case.plan.case_director
    save_card(world, case)
    overview(world, case)
    card = CrisisCard.objects.get(case=case)
    medication = MedicationOverview.objects.get(case=case)
    today = timezone.localdate()
    # Not yet due: nothing.
    assert continuity_reminders.run(today=min(card.review_on, medication.review_on)) == 0
    later = max(card.review_on, medication.review_on) + timedelta(days=1)
    assert continuity_reminders.run(today=later) == 4  # card and overview, two readers each
    for user in (world.coordinator, director):
        assert len(review_notes(user, "Crisiskaart van casus")) == 1
        assert len(review_notes(user, "Medicatieoverzicht van casus")) == 1
        note = review_notes(user, "Crisiskaart van casus")[0]
        assert case.patient_name not in note.subject + note.body
    # Idempotent: the whole job again gives nothing new.
    report = reminders.run(today=later)
    assert report.kinds.get("continuity_review", 0) == 0
    # A new version of the card (with a new review date) is reminded again once it is overdue.
    save_card(world, case, review_on=today + timedelta(days=30))
    assert continuity_reminders.run(today=today + timedelta(days=10)) == 0
    assert continuity_reminders.run(today=today + timedelta(days=31)) == 2


def test_closed_cases_are_not_reminded(world, partners):
    from vangnet.testing.casework import close

    case, _ = fu.follow_up_case(world, partners)
    save_card(world, case)
    close(world, case)
    card = CrisisCard.objects.get(case=case)
    assert continuity_reminders.run(today=card.review_on + timedelta(days=5)) == 0


def test_the_reminders_job_includes_the_review_warnings(world, partners):
    case, _ = fu.follow_up_case(world, partners)
    overview(world, case)
    due = MedicationOverview.objects.get(case=case).review_on + timedelta(days=1)
    report = reminders.run(today=due)
    assert report.kinds["continuity_review"] == 2
