"""Writes for accounts: notifications (in-app and e-mail) and API tokens."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection, send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from vangnet.common.errors import DomainError

from .models import (
    ACTIVATION_HOURS,
    ActivationLink,
    ApiToken,
    EmailPreference,
    Notification,
    User,
)

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
    recipients = list({u.pk: u for u in users}.values())
    created: list[Notification] = []
    if not dedup_key:
        # Without a key there is no unique row to run into: one INSERT for every recipient, so
        # telling a table's six coordinators costs what telling one does.
        created = Notification.objects.bulk_create(
            Notification(user=user, subject=subject, body=body, case_reference=case_reference)
            for user in recipients
        )
    else:
        have = set(
            Notification.objects.filter(
                user__in=[u.pk for u in recipients], dedup_key=dedup_key
            ).values_list("user_id", flat=True)
        )
        for user in recipients:
            if user.pk in have:
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
    if email and created:
        # robust: a failing mail server must not turn a saved registration into an error page;
        # unsent mails are retried by the reminders job. The rows are the ones just made (not
        # yet mailed), with their users: mailed without reading them back.
        notes = list(created)
        transaction.on_commit(lambda: _mail(notes), robust=True)
    return created


def notification_link(note: Notification) -> str:
    """The address of one notification: opening it marks it read and leads to the page it
    concerns. It carries only the notification's number, never a name or other personal data."""
    from django.urls import reverse

    return settings.VANGNET_SITE_URL + reverse("accounts:notification_open", args=[note.pk])


DIGEST_PREFIX = "digest:"
MAIL_FOOTER = "Deze e-mail bevat bewust geen patiëntgegevens; u leest de details in Vangnet."


def _email_notifications(ids: list[int]) -> None:
    """Mail the notifications `ids` not mailed yet (the reminders job's retry)."""
    _mail(
        list(
            Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user")
        )
    )


def _mail(notifications: list[Notification]) -> None:
    """Mail the notifications that want a mail, over one connection to the mail server (not one
    per mail: a step that tells a whole table would open one per coordinator)."""
    notes = [
        note
        for note in notifications
        # Without an address, or for a user who asked for the digest only (or no mail), the
        # notification stays in Vangnet; the digest reports it.
        if note.user.email
        and (
            note.user.email_preference != EmailPreference.NONE
            if note.dedup_key.startswith(DIGEST_PREFIX)
            else note.user.email_preference == EmailPreference.EACH
        )
    ]
    if not notes:
        return
    connection = get_connection()
    sent: list[int] = []
    try:
        # Opened here, the connection stays open for every mail below (a backend that opens it
        # within a send closes it after that send).
        connection.open()
    except OSError as exc:  # SMTP down: keep them unsent, the reminders job retries
        for note in notes:
            logger.warning("e-mail for notification %s not sent: %s", note.pk, type(exc).__name__)
        return
    try:
        for note in notes:
            message = EmailMultiAlternatives(
                subject=f"[Vangnet] {note.subject}",
                body=f"{note.body}\n\nOpenen in Vangnet: {notification_link(note)}\n\n{MAIL_FOOTER}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[note.user.email],
                connection=connection,
            )
            try:
                message.send()
            except OSError as exc:  # keep it unsent, the reminders job retries
                logger.warning(
                    "e-mail for notification %s not sent: %s", note.pk, type(exc).__name__
                )
                _close_quietly(connection)  # the next mail tries a connection of its own
                continue
            sent.append(note.pk)
    finally:
        _close_quietly(connection)
        if sent:
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


def _close_quietly(connection: Any) -> None:
    with contextlib.suppress(OSError):  # a broken connection: nothing left to close
        connection.close()


DIGEST_LINES = 50  # more than this in one day: the mail says how many more, and links to all


def digest_send(*, user: User, today: date) -> Notification | None:
    """The daily digest of one user: one e-mail listing the notifications that are new since
    their previous digest (the last day for a first one), each with its link, and no personal
    data. Idempotent: at most one digest per user per day (its dedup key), and a notification
    is never listed in two digests. Returns the digest, or None when there was nothing new or
    the user wants no e-mail."""

    from .selectors import actor_for, notifications_visible_qs

    if user.email_preference == EmailPreference.NONE or not user.is_active:
        return None
    previous = (
        Notification.objects.filter(user=user, dedup_key__startswith=DIGEST_PREFIX)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    since = previous or timezone.now() - timedelta(days=1)
    new = (
        notifications_visible_qs(actor_for(user))
        .filter(read_at__isnull=True, created_at__gt=since)
        .exclude(dedup_key__startswith=DIGEST_PREFIX)
        .order_by("created_at", "pk")
    )
    count = new.count()
    if count == 0:
        return None
    shown = list(new[:DIGEST_LINES])
    created = notification_send(
        users=[user],
        subject=f"Dagoverzicht: {count} nieuwe melding{'' if count == 1 else 'en'}",
        body="\n".join(n.subject for n in shown),
        dedup_key=f"{DIGEST_PREFIX}{user.pk}:{today.isoformat()}",
        email=False,
    )
    if not created:  # this day's digest exists already
        return None
    digest = created[0]
    # The digest itself is no news: it is read at once, so it is never counted as new.
    Notification.objects.filter(pk=digest.pk).update(read_at=timezone.now())
    if user.email:
        ids = [n.pk for n in shown]
        # After commit, like every notification mail: a rolled-back run sends nothing, and a
        # digest whose mail was not sent is flushed by the next run (see `_email_notifications`).
        transaction.on_commit(lambda: _email_digest(digest.pk, ids, count), robust=True)
    return digest


def _email_digest(digest_id: int, ids: list[int], count: int) -> None:
    from django.urls import reverse

    digest = Notification.objects.select_related("user").get(pk=digest_id)
    if digest.emailed_at is not None:
        return
    shown = Notification.objects.filter(pk__in=ids).order_by("created_at", "pk")
    lines = [f"- {n.subject}\n  {notification_link(n)}" for n in shown]
    if count > len(lines):
        lines.append(
            f"... en nog {count - len(lines)}: "
            f"{settings.VANGNET_SITE_URL}{reverse('accounts:notifications')}"
        )
    message = "Nieuw in Vangnet sinds uw vorige overzicht:\n\n" + "\n".join(lines)
    try:
        send_mail(
            subject=f"[Vangnet] {digest.subject}",
            message=f"{message}\n\n{MAIL_FOOTER}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[digest.user.email],
        )
    except OSError as exc:  # SMTP down: the next run flushes it
        logger.warning("digest %s not sent: %s", digest.pk, type(exc).__name__)
        return
    Notification.objects.filter(pk=digest.pk).update(emailed_at=timezone.now())


def email_preference_set(*, user: User, preference: str) -> None:
    if preference not in EmailPreference.values:
        raise DomainError("Kies hoe u meldingen per e-mail wilt ontvangen.", field="preference")
    user.email_preference = preference
    user.save(update_fields=["email_preference"])


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


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """A user revokes one of their own tokens (someone else's is not found)."""
    return bool(ApiToken.objects.filter(user=user, pk=token_id, revoked=False).update(revoked=True))


def password_changed(*, user: User) -> int:
    """After a password change: every API token of the user stops working. Other sessions end
    by themselves (Django checks the password hash stored in each session). Returns how many
    tokens were revoked."""
    from vangnet.audit.services import account_log_write

    revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    account_log_write(
        actor=user.get_username(),
        subject=user.get_username(),
        action="wachtwoord gewijzigd",
        detail=f"door de gebruiker zelf; {revoked} API-token(s) ingetrokken",
    )
    return revoked


def account_activation_send(*, user: User, by: str, absolute: Callable[[str], str]) -> str:
    """Send `user` a one-time activation link (new account, or a reset of a lost second factor).

    Earlier links stop working; the password becomes unusable and existing second factors are
    removed until the user sets a new password and enrols a new authenticator through the link.
    Returns the link (the administrator sees it once, e.g. to hand it over in person).
    """
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vangnet.audit.services import account_log_write

    with transaction.atomic():
        ActivationLink.objects.filter(user=user, used_at__isnull=True).update(
            expires_at=timezone.now()
        )
        _, raw = ActivationLink.issue(user=user)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        account_log_write(
            actor=by,
            subject=user.get_username(),
            action="activeringslink",
            detail=f"activeringslink verstuurd (geldig {ACTIVATION_HOURS} uur)"
            + (f"; {removed} tweede factor(en) verwijderd" if removed else ""),
        )
    url = absolute(reverse("accounts:activate", args=[raw]))
    if user.email:
        send_mail(
            "Activeer uw Vangnet-account",
            f"Stel uw wachtwoord en tweede factor in via {url}\n"
            f"De link werkt één keer en verloopt na {ACTIVATION_HOURS} uur.",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    return url


def account_activate(*, link: ActivationLink, password: str) -> None:
    """The user set a password and confirmed a new second factor through `link`."""
    from vangnet.audit.services import account_log_write

    user = link.user
    user.set_password(password)
    user.save(update_fields=["password"])
    ActivationLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    account_log_write(
        actor=user.get_username(),
        subject=user.get_username(),
        action="geactiveerd",
        detail="wachtwoord ingesteld en tweede factor ingeschreven via activeringslink",
    )
