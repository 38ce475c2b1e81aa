"""Issue 11 §3: notification e-mails link to the page they concern and carry no personal data;
a daily digest lists what is new, once, following the user's e-mail preference."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from vangnet.accounts.models import EmailPreference, Notification
from vangnet.accounts.services import digest_send, notification_send
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver-vangnet/account/meldingen/(\d+)/openen/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.VANGNET_SITE_URL = "http://testserver-vangnet"


def _notify(user, case=None, subject="Nieuwe actie"):
    with_case = {"case_reference": case.reference} if case else {}
    return notification_send(users=[user], subject=subject, body="Bekijk de actie.", **with_case)


def test_the_mail_links_to_the_notification_and_holds_no_personal_data(
    world, django_capture_on_commit_callbacks
):
    case = fu.admitted_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = _notify(world.coordinator, case, f"Casus {case.reference} staat klaar")
    (sent,) = mail.outbox
    assert LINK.search(sent.body).group(1) == str(note.pk)
    text = sent.subject + sent.body
    for personal in (case.patient_name, *case.patient_name.split(), str(case.patient_birth_date)):
        assert personal not in text
    assert case.stuck_description not in text and case.timeline not in text


def test_the_link_marks_read_and_opens_the_case_as_the_reader_may_see_it(world, verified_client):
    case = fu.admitted_case(world)
    (note,) = _notify(world.coordinator, case)
    response = verified_client(world.coordinator).get(f"/account/meldingen/{note.pk}/openen/")
    assert response.status_code == 302
    assert response["Location"] == f"/casussen/{case.reference}/openen/"
    note.refresh_from_db()
    assert note.read_at is not None
    # Someone else's notification is not found (and not marked).
    (other,) = _notify(world.table_member)
    assert (
        verified_client(world.coordinator).get(f"/account/meldingen/{other.pk}/openen/").status_code
        == 404
    )
    other.refresh_from_db()
    assert other.read_at is None


def test_digest_lists_what_is_new_with_links_once_a_day(world, django_capture_on_commit_callbacks):
    user = world.coordinator
    user.email_preference = EmailPreference.DIGEST
    user.save()
    case = fu.admitted_case(world)
    Notification.objects.filter(user=user).update(read_at=timezone.now())  # the set-up's news
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(user, case, f"Casus {case.reference}: actie verlopen")[0]
        second = _notify(user, subject="Nieuwe aanmelding")[0]
    assert mail.outbox == []  # digest only: no mail per notification
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        digest = digest_send(user=user, today=today)
    assert digest is not None and digest.subject == "Dagoverzicht: 2 nieuwe meldingen"
    (sent,) = mail.outbox
    assert (
        f"Casus {case.reference}: actie verlopen" in sent.body and "Nieuwe aanmelding" in sent.body
    )
    assert sorted(int(pk) for pk in LINK.findall(sent.body)) == sorted([first.pk, second.pk])
    assert case.patient_name not in sent.body
    # Idempotent: the same day gives no second digest, and a later day lists only what is new.
    assert digest_send(user=user, today=today) is None
    assert digest_send(user=user, today=today + timedelta(days=1)) is None
    third = _notify(user, subject="Besluit genomen")[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(user=user, today=today + timedelta(days=1)) is not None
    assert len(mail.outbox) == 2
    assert [int(pk) for pk in LINK.findall(mail.outbox[1].body)] == [third.pk]
    assert Notification.objects.filter(user=user, dedup_key__startswith="digest:").count() == 2


def test_digest_leaves_out_what_the_user_may_no_longer_see_and_respects_no_mail(world):
    user = world.coordinator
    Notification.objects.create(
        user=user, subject="Over een oude casus", case_reference="VN-2099-99999"
    )
    assert digest_send(user=user, today=timezone.localdate()) is None
    _notify(user, subject="Zichtbaar")
    user.email_preference = EmailPreference.NONE
    user.save()
    assert digest_send(user=user, today=timezone.localdate()) is None
    user.email_preference = EmailPreference.EACH
    user.save()
    digest = digest_send(user=user, today=timezone.localdate())
    assert digest.body == "Zichtbaar"


def test_preference_is_chosen_on_the_notifications_page(world, verified_client):
    client = verified_client(world.coordinator)
    html = client.get("/account/meldingen/").content.decode()
    assert 'name="preference" value="each"' in html
    response = client.post("/account/meldingen/e-mail/", {"preference": "digest"})
    assert response.status_code == 302
    world.coordinator.refresh_from_db()
    assert world.coordinator.email_preference == EmailPreference.DIGEST
    client.post("/account/meldingen/e-mail/", {"preference": "elk uur"})
    world.coordinator.refresh_from_db()
    assert world.coordinator.email_preference == EmailPreference.DIGEST


# --- issue 12: a notification to many costs what one does --------------------------------------


def test_notifying_twenty_costs_the_queries_of_notifying_two(
    world, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vangnet.accounts.models import Role
    from vangnet.testing import factories

    users = [factories.member(Role.COORDINATOR, table=3) for _ in range(20)]

    def send(to):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            notes = notification_send(users=to, subject="Nieuwe aanmelding", body="Bekijk haar.")
        return len(queries), notes

    few, _ = send(users[:2])
    many, twenty = send(users)
    assert many == few
    assert [n.user for n in twenty] == users
    assert all(n.pk for n in twenty)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users[:2] + users)


class _CountingBackend:
    """A mail backend that counts the connections opened (or refuses them)."""

    opened = 0
    refuse = False

    def __init__(self, **kwargs):
        self.open_now = False

    def open(self):
        if _CountingBackend.refuse:
            raise ConnectionRefusedError
        _CountingBackend.opened += 1
        self.open_now = True
        return True

    def close(self):
        self.open_now = False

    def send_messages(self, messages):
        if not self.open_now:  # a send without an open connection opens one of its own
            self.open()
            self.close()
        mail.outbox.extend(messages)
        return len(messages)


def test_the_mails_of_one_step_go_over_one_connection(
    world, settings, django_capture_on_commit_callbacks
):
    from vangnet.accounts.models import Role
    from vangnet.testing import factories

    settings.EMAIL_BACKEND = f"{__name__}._CountingBackend"
    _CountingBackend.opened, _CountingBackend.refuse = 0, False
    users = [factories.member(Role.COORDINATOR, table=3) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        notes = notification_send(users=users, subject="Nieuwe aanmelding", body="Bekijk haar.")
    assert _CountingBackend.opened == 1
    assert len(mail.outbox) == 5
    assert all(n.emailed_at for n in Notification.objects.filter(pk__in=[n.pk for n in notes]))


def test_a_mail_server_that_is_down_leaves_the_notifications_unsent(
    world, settings, django_capture_on_commit_callbacks, caplog
):
    from vangnet.accounts.models import Role
    from vangnet.testing import factories

    settings.EMAIL_BACKEND = f"{__name__}._CountingBackend"
    _CountingBackend.refuse = True
    users = [factories.member(Role.COORDINATOR, table=3) for _ in range(3)]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notes = notification_send(users=users, subject="Nieuwe aanmelding", body="Bekijk haar.")
    finally:
        _CountingBackend.refuse = False
    assert mail.outbox == []
    assert not Notification.objects.filter(pk__in=[n.pk for n in notes], emailed_at__isnull=False)
    for note in notes:  # each one named in the log, as before, for the reminders job to retry
        assert f"e-mail for notification {note.pk} not sent: ConnectionRefusedError" in caplog.text
