"""Writes for accounts: notifications (in-app and e-mail) and API tokens."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ApiToken, Notification, User

logger = logging.getLogger("vangnet.notifications")


def notification_send(
    *,
    users: Iterable[User],
    subject: str,
    body: str,
    case_reference: str = "",
    dedup_key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Create in-app notifications and e-mail them after commit.

    With a `dedup_key`, a user who already has that notification gets nothing new, so a periodic
    job that runs twice (or is interrupted and rerun) sends no duplicates.
    """
    created: list[Notification] = []
    for user in {u.pk: u for u in users}.values():
        if dedup_key and Notification.objects.filter(user=user, dedup_key=dedup_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user,
                    subject=subject,
                    body=body,
                    case_reference=case_reference,
                    dedup_key=dedup_key,
                )
        except IntegrityError:  # a concurrent run created it first
            continue
        created.append(note)
    if email:
        ids = [n.pk for n in created]
        # robust: a failing mail server must not turn a saved registration into an error page;
        # unsent mails are retried by the reminders job.
        transaction.on_commit(lambda: _email_notifications(ids), robust=True)
    return created


def _email_notifications(ids: list[int]) -> None:
    for note in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        if not note.user.email:
            continue
        try:
            send_mail(
                subject=f"[Vangnet] {note.subject}",
                message=f"{note.body}\n\nBekijk dit in Vangnet. Deze e-mail bevat bewust geen patiëntgegevens.",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[note.user.email],
            )
        except OSError as exc:  # SMTP down: keep it unsent, the reminders job retries
            logger.warning("e-mail for notification %s not sent: %s", note.pk, type(exc).__name__)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def notification_mark_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    return ApiToken.issue(user=user, name=name)
