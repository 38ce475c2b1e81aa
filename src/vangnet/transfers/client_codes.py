"""The client's personal code (cliëntreis, issue 14 §5): issue, revoke and open, without an account.

- A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I), printed in groups
  of four: 32^12 ≈ 2^60 possibilities. Only a keyed hash (HMAC-SHA256 with a key derived from the
  secret key) is stored, so a copy of the database does not reveal a usable code; a slow password
  hash is not needed at this entropy, and a keyed hash can be looked up by its unique index.
- It is shown once (on screen or on the printed letter), expires after `CLIENT_CODE_DAYS`, can be
  revoked, and issuing a new code revokes the candidate's earlier ones (the letter got lost).
- Opening needs the code and the birth date, sent by POST (never in a URL). Every refusal gives
  the same sentence, whatever the reason (unknown code, wrong birth date, expired, revoked,
  locked), so nobody can learn which codes exist; the access log records the real reason for the
  privacy officer, and every access and every refusal is logged as an anonymous public access
  with the credential `clientcode:<id>` (or none for an unknown code).
- Rate limits: a code is locked after `CODE_MAX_FAILURES` wrong birth dates (revoke and issue a
  new one to unlock); an address is refused after `VANGNET_CLIENT_CODE_ADDRESS_LIMIT` failures
  within the login cool-off. Address failures are kept in django-axes' attempt table under a name
  no account can have, as the login lockout keeps them: so they also count towards the address
  limit against password spraying (`accounts/spraying.py`), one budget for guessing anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError

from . import client_access
from .models import CLIENT_CODE_DAYS, Candidate, ClientAccessCode

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_MAX_FAILURES = 5
# The name under which failed code attempts are counted per address in axes' table; Django's
# username validator refuses spaces and parentheses, so no account can collide with it.
ATTEMPT_NAME = "(persoonlijke cliëntcode)"
# The one answer to every refused attempt (no enumeration).
REFUSED = (
    "Deze combinatie van code en geboortedatum kunnen we niet openen. Controleer wat u hebt "
    "getypt. Lukt het niet? Vraag uw contactpersoon om een nieuwe code."
)
ADDRESS_REFUSED = (
    "Er is vanaf dit adres te vaak een verkeerde code geprobeerd. Probeer het over een uur "
    "opnieuw, of vraag uw contactpersoon om hulp."
)


class ClientCodeRefused(DomainError):
    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message, field="code", code="refused")


def _key() -> bytes:
    return hashlib.sha256(f"vangnet-client-code:{settings.SECRET_KEY}".encode()).digest()


def normalise(text: str) -> str:
    """What the client typed, without spaces, dashes and case."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[: CODE_LENGTH + 8]


def code_hash(code: str) -> str:
    return hmac.new(_key(), normalise(code).encode(), hashlib.sha256).hexdigest()


def formatted(code: str) -> str:
    raw = normalise(code)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class IssuedCode:
    code: str  # formatted, shown once
    access: ClientAccessCode


def code_issue(*, actor: Actor, candidate: Candidate, days: int = CLIENT_CODE_DAYS) -> IssuedCode:
    """A new personal code for the candidate; earlier codes stop working."""
    client_access.require_staff(
        actor, candidate, action=Action.CREATE, detail="persoonlijke cliëntcode uitgeven"
    )
    if not 1 <= days <= CLIENT_CODE_DAYS:
        raise DomainError(
            f"Een code is 1 tot en met {CLIENT_CODE_DAYS} dagen geldig.", field="days"
        )
    now = timezone.now()
    with transaction.atomic():
        ClientAccessCode.objects.filter(
            candidate=candidate, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        while True:  # a collision of 60-bit codes is practically impossible; never reuse one
            code = _new_code()
            if not ClientAccessCode.objects.filter(code_hash=code_hash(code)).exists():
                break
        access = ClientAccessCode.objects.create(
            candidate=candidate,
            code_hash=code_hash(code),
            issued_by=actor.user,
            expires_at=now + timedelta(days=days),
        )
    return IssuedCode(formatted(code), access)


def code_revoke(*, actor: Actor, access: ClientAccessCode) -> None:
    client_access.require_staff(
        actor, access.candidate, action=Action.UPDATE, detail=f"cliëntcode {access.pk} intrekken"
    )
    with transaction.atomic():
        locked = ClientAccessCode.objects.select_for_update().get(pk=access.pk)
        if locked.revoked_at is not None:
            raise DomainError("Deze code is al ingetrokken.")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
    access.revoked_at = locked.revoked_at


def _public_log(outcome: str, detail: str, *, access: ClientAccessCode | None) -> None:
    """An anonymous access by personal code: the candidate by reference, the code by number."""
    from vangnet.audit import context

    context.credential.set(f"clientcode:{access.pk}" if access is not None else "")
    try:
        access_log_write(
            actor=Actor(user=AnonymousUser()),  # type: ignore[arg-type]
            action=Action.READ,
            outcome=outcome,
            case_reference=access.candidate.reference if access is not None else "",
            detail=detail,
        )
    finally:
        context.credential.set(None)


def address_failures(address: str | None) -> int:
    if not address:
        return 0
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(
        username=ATTEMPT_NAME, ip_address=address, attempt_time__gte=since
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def all_failures(address: str | None) -> int:
    """Failed logins and codes from the address together (the spraying limit's count)."""
    if not address:
        return 0
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def _address_failed(address: str | None) -> None:
    if not address:
        return
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.filter(
        username=ATTEMPT_NAME, ip_address=address, attempt_time__lt=since
    ).delete()
    attempt, created = AccessAttempt.objects.get_or_create(
        username=ATTEMPT_NAME,
        ip_address=address,
        user_agent="",
        defaults={
            "http_accept": "",
            "path_info": "",
            "get_data": "",
            "post_data": "",  # never the typed code or birth date
            "failures_since_start": 1,
        },
    )
    if not created:
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            failures_since_start=F("failures_since_start") + 1
        )


def address_limit() -> int:
    return int(settings.VANGNET_CLIENT_CODE_ADDRESS_LIMIT)


def code_open(*, code: str, birth_date: date | None, address: str | None) -> ClientAccessCode:
    """The code row when code and birth date match a usable code; else `ClientCodeRefused`.

    Not in one transaction with the caller: the failure counters and the log rows must stay
    when the refusal is raised.
    """
    if (
        address_failures(address) >= address_limit()
        or all_failures(address) >= settings.VANGNET_ADDRESS_FAILURE_LIMIT
    ):
        _public_log(
            Outcome.DENIED, "cliëntpagina: adres geblokkeerd (te veel pogingen)", access=None
        )
        raise ClientCodeRefused(ADDRESS_REFUSED)
    raw = normalise(code)
    access = None
    if len(raw) == CODE_LENGTH:
        access = (
            ClientAccessCode.objects.select_related("candidate")
            .filter(code_hash=code_hash(raw))
            .first()
        )
    now = timezone.now()
    reason = ""
    if access is None:
        reason = "onbekende code"
    elif access.revoked_at is not None:
        reason = "ingetrokken code"
    elif access.expires_at <= now:
        reason = "verlopen code"
    elif access.failed_attempts >= CODE_MAX_FAILURES:
        reason = "code geblokkeerd (te veel pogingen)"
    elif birth_date is None or not hmac.compare_digest(
        access.candidate.birth_date.isoformat(), birth_date.isoformat()
    ):
        reason = "geboortedatum onjuist"
        ClientAccessCode.objects.filter(pk=access.pk).update(
            failed_attempts=F("failed_attempts") + 1
        )
    if reason:
        _address_failed(address)
        _public_log(Outcome.DENIED, f"cliëntpagina geweigerd: {reason}", access=access)
        raise ClientCodeRefused()
    assert access is not None
    ClientAccessCode.objects.filter(pk=access.pk).update(last_used_at=now, failed_attempts=0)
    _public_log(
        Outcome.ALLOWED,
        "cliëntpagina geopend met persoonlijke code",
        access=access,
    )
    return access
