"""The outcome question after closure (issue 16 §3): sent by the reminders job 3 and 12 months
after a closure with a new offer, answered once through a link that needs the addressee's login,
refused (and logged) when used twice, after expiry or by someone else; counted in the monitor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Notification
from vangnet.audit.models import Outcome
from vangnet.casework import reminders
from vangnet.common.errors import DomainError
from vangnet.monitor.models import MonitorRecord
from vangnet.outcomes import services
from vangnet.outcomes.models import OutcomeRequest
from vangnet.testing.access import last_log_id, log_rows

from .conftest import closed_case, token_sent

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("outcomes:answer", args=[token])


def test_reminders_ask_once_at_three_months(world, closed):
    today = timezone.localdate()
    reminders.run(today=today)
    reminders.run(today=today)  # a second run sends nothing twice
    requests = OutcomeRequest.objects.filter(case=closed)
    assert [(r.months, r.recipient_id) for r in requests] == [(3, world.referrer.pk)]
    notes = Notification.objects.filter(dedup_key__startswith=f"outcome:{closed.pk}:")
    assert notes.count() == 1
    body = notes.get().body
    # The link carries a random token only: no name, no birth date.
    assert closed.patient_name not in body and "uitkomstvraag/" in body
    assert OutcomeRequest.objects.get(case=closed).key_hash not in body


def test_no_question_before_three_months_nor_without_new_offer(world):
    early = closed_case(world, days_ago=60)
    case = closed_case(world, days_ago=100)
    case.outcome = "no_offer"
    case.save(update_fields=["outcome"])
    reminders.run(today=timezone.localdate())
    assert not OutcomeRequest.objects.filter(case__in=[early, case]).exists()


def test_twelve_months_question_follows(world):
    case = closed_case(world, days_ago=370)
    reminders.run(today=timezone.localdate())
    assert list(OutcomeRequest.objects.filter(case=case).values_list("months", flat=True)) == [12]


def test_answer_once_then_link_is_used(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    client = verified_client(world.referrer)
    page = client.get(_url(token))
    assert page.status_code == 200
    assert closed.reference in page.content.decode()
    response = client.post(
        _url(token), {"answer": "partly", "reasons": ["no_capacity"], "note": "Wacht op plek."}
    )
    assert response.status_code == 302
    request = OutcomeRequest.objects.get(case=closed)
    assert request.answer == "partly" and request.reasons == ["no_capacity"]
    # The monitor keeps the codes, never the note.
    record = MonitorRecord.objects.get(case=closed)
    assert record.outcome_followups == {"3": {"answer": "partly", "reasons": ["no_capacity"]}}
    # The coordinators hear that the agreed care does not run fully.
    assert Notification.objects.filter(
        user=world.coordinator, subject__contains="loopt niet volledig"
    ).exists()
    mark = last_log_id()
    again = client.post(_url(token), {"answer": "yes"})
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    rows = log_rows(mark)
    assert [(r.outcome, r.detail) for r in rows] == [
        (Outcome.DENIED, "uitkomstvraag: link al gebruikt")
    ]
    assert OutcomeRequest.objects.get(case=closed).answer == "partly"


def test_expired_link_is_refused_and_logged(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    OutcomeRequest.objects.filter(case=closed).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    mark = last_log_id()
    response = verified_client(world.referrer).get(_url(token))
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()
    assert [r.detail for r in log_rows(mark) if r.outcome == Outcome.DENIED] == [
        "uitkomstvraag: link verlopen"
    ]


def test_wrong_user_is_refused_and_logged(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    for other in (world.other_referrer, world.coordinator):
        mark = last_log_id()
        response = verified_client(other).get(_url(token))
        assert response.status_code == 403
        rows = log_rows(mark)
        assert [(r.outcome, r.detail, r.case_reference) for r in rows] == [
            (Outcome.DENIED, "uitkomstvraag: andere gebruiker", closed.reference)
        ]
        # A refused page does not show the patient.
        assert closed.patient_name not in response.content.decode()
    assert OutcomeRequest.objects.get(case=closed).answered_at is None


def test_unknown_token_and_login_required(world, closed, client, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    anonymous = client.get(_url(token))
    assert anonymous.status_code == 302 and "/account/inloggen/" in anonymous["Location"]
    mark = last_log_id()
    response = verified_client(world.referrer).get(_url("x" * 43))
    assert response.status_code == 404
    assert [r.detail for r in log_rows(mark)] == ["uitkomstvraag: onbekende link"]


def test_answer_rules(world, closed):
    reminders.run(today=timezone.localdate())
    request = OutcomeRequest.objects.get(case=closed)
    from vangnet.testing.followup import ms

    m = ms(world.referrer, "referrer")
    for answer, reasons, match in (
        ("", [], "Kies of de patiënt"),
        ("no", [], "waarom"),
        ("yes", ["moved"], "alleen bij"),
        ("no", ["bogus"], "uit de lijst"),
    ):
        with pytest.raises(DomainError, match=match):
            services.answer_record(
                request=request, actor=world.referrer, membership=m, answer=answer, reasons=reasons
            )
    assert OutcomeRequest.objects.get(pk=request.pk).answered_at is None
    assert not MonitorRecord.objects.filter(case=closed).exclude(outcome_followups={}).exists()


def test_case_file_shows_the_answer(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    verified_client(world.referrer).post(_url(token), {"answer": "yes"})
    page = verified_client(world.coordinator).get(
        reverse("cases:section", args=[closed.reference, "afsluiting"])
    )
    html = page.content.decode()
    assert 'data-testid="outcome-requests"' in html and "de afgesproken zorg loopt" in html


def test_the_link_opens_from_the_notifications_page(world, closed, verified_client):
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, closed)
    html = verified_client(world.referrer).get(reverse("accounts:notifications")).content.decode()
    # The in-app notification shows the link as a link (the e-mail carries the same address).
    assert f'/uitkomstvraag/{token}/"' in html
