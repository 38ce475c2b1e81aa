"""Deadlines of the desk in the daily reminders job: sent once, to the right people, with no
personal data; a second run sends nothing new."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vangnet.accounts.models import Notification
from vangnet.casework import reminders as casework_reminders
from vangnet.transfers import proposals, reminders, services
from vangnet.transfers.models import Transfer
from vangnet.waitlists.models import RegionKind

from .conftest import Net, actor, publish, suitable

REGION = (RegionKind.SAFETY_REGION, "VR13")


def offered(net: Net) -> Transfer:
    suitable(net)
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    t = proposals.line_accept(actor=actor(net.desk), line=p.lines.get())
    return services.transfer_offer(actor=actor(net.desk), transfer=t)


def test_an_unanswered_offer_is_reminded_once(net: Net):
    t = offered(net)
    assert t.answer_due is not None
    assert reminders.run(today=t.answer_due)["transfer_antwoord"] == 0  # not late yet
    later = t.answer_due + timedelta(days=1)
    first = reminders.run(today=later)["transfer_antwoord"]
    assert first >= 2  # whoever put the client forward and the desk
    assert reminders.run(today=later)["transfer_antwoord"] == 0
    users = set(Notification.objects.values_list("user_id", flat=True))
    assert {net.data_officer.pk, net.desk.pk} <= users
    note = Notification.objects.first()
    assert note is not None and t.candidate.reference in note.subject
    assert "1990" not in note.body  # no birth date or other personal data


def test_an_accepted_transfer_without_intake_date_is_reminded_via_the_daily_job(net: Net):
    t = offered(net)
    t = services.transfer_answer(actor=actor(net.data_officer), transfer=t, accepted=True)
    assert t.intake_due == timezone.localdate() + timedelta(days=10)
    later = t.intake_due + timedelta(days=1)
    report = casework_reminders.run(today=later)
    assert report.kinds.get("transfer_intakedatum", 0) >= 2
    assert Notification.objects.filter(user=net.receiver_officer).exists()
    again = casework_reminders.run(today=later)
    assert "transfer_intakedatum" not in again.kinds
    # Once the intake date is confirmed nothing is reminded.
    services.handover_contact_record(
        actor=actor(net.receiver_officer), transfer=t, spoke_with="x", spoke_on=timezone.localdate()
    )
    t.refresh_from_db()
    services.transfer_intake_plan(
        actor=actor(net.receiver_officer), transfer=t, intake_date=timezone.localdate()
    )
    assert reminders.run(today=later + timedelta(days=5))["transfer_intakedatum"] == 0
