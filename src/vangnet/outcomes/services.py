"""Writes of the outcome follow-up: asking the referrer (from the daily reminders job) and
recording the answer given through the one-time link (page or API).

`request_open` is the one access check for a link: it finds the request by the token's hash,
refuses a link that is unknown, addressed to someone else, used or expired, and writes exactly one
access-log row ("allowed" or "denied") for every attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import Actor
from vangnet.accounts.services import notification_send
from vangnet.audit.models import Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.cases.services import record_event, table_staff
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.common.validators import clean_text
from vangnet.reference import outcome_followup as vocab

from .models import OutcomeRequest, token_hash

DETAIL = "uitkomstvraag"


class LinkGone(DomainError):
    """A link used before or expired (410): the page says so in words, the attempt is logged."""

    status_code = 410

    def __init__(self, message: str) -> None:
        super().__init__(message, code="link_gone")


def link_url(raw: str) -> str:
    return settings.VANGNET_SITE_URL + reverse("outcomes:answer", args=[raw])


def recipient_for(case: Case) -> User | None:
    """Who is asked: the referrer who registered the case while they are still a referrer of its
    organisation, else a current referrer of that organisation (the organisation keeps the care
    relation when a person leaves)."""
    active = Membership.objects.filter(
        organisation_id=case.referrer_organisation_id,
        role=Role.REFERRER,
        active=True,
        user__is_active=True,
    )
    if active.filter(user_id=case.referrer_id).exists():
        return case.referrer
    first = active.select_related("user").order_by("pk").first()
    return first.user if first else None


def request_send(*, case: Case, months: int, closed_on: date) -> OutcomeRequest | None:
    """Create the question for `months` after the closure on `closed_on` and send its link.
    Idempotent: a question that exists already is not sent again (None)."""
    if months not in vocab.MONTHS:
        raise DomainError("Een uitkomstvraag volgt 3 of 12 maanden na de afsluiting.")
    recipient = recipient_for(case)
    if recipient is None:
        return None
    if OutcomeRequest.objects.filter(case=case, months=months, closed_on=closed_on).exists():
        return None
    raw, key_hash, expires_at = OutcomeRequest.new_key()
    try:
        with transaction.atomic():
            request = OutcomeRequest.objects.create(
                case=case,
                months=months,
                closed_on=closed_on,
                recipient=recipient,
                key_hash=key_hash,
                expires_at=expires_at,
            )
            # The link is the notification's only way to the form; it carries the random token
            # and nothing about the patient (the case reference is in the subject, as in every
            # notification).
            notification_send(
                users=[recipient],
                subject=f"Casus {case.reference}: krijgt de patiënt de afgesproken zorg nog?",
                body=(
                    f"De casus is {months} maanden geleden afgesloten met een nieuw aanbod. "
                    "Laat de tafel in één kort formulier weten of de afgesproken zorg nog loopt, "
                    f"en zo niet, waarom niet. Het formulier (inloggen nodig, eenmalig te "
                    f"gebruiken, tot {dutch_date(timezone.localdate(expires_at))}): "
                    f"{link_url(raw)}"
                ),
                case_reference=case.reference,
                dedup_key=f"outcome:{case.pk}:{months}:{closed_on.isoformat()}",
            )
    except IntegrityError:  # a concurrent run created it first
        return None
    return request


def request_open(
    actor: Actor, raw: str, *, action: str, channel: str = "web"
) -> tuple[OutcomeRequest, Membership]:
    """The request behind a link, if `actor` may answer it now; every refusal is logged."""
    request = (
        OutcomeRequest.objects.select_related("case", "case__table", "case__referrer_organisation")
        .filter(key_hash=token_hash(raw or ""))
        .first()
    )
    if request is None:
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            channel=channel,
            detail=f"{DETAIL}: onbekende link",
        )
        raise NotFound("Deze link naar een uitkomstvraag bestaat niet. Controleer het adres.")
    case = request.case

    def refuse(why: str) -> None:
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            case_id=case.pk,
            case_reference=case.reference,
            channel=channel,
            detail=f"{DETAIL}: {why}",
        )

    if request.recipient_id != actor.user.pk:
        refuse("andere gebruiker")
        raise NotAllowed(
            "Deze uitkomstvraag is aan een andere verwijzer gestuurd. Log in met het account "
            "waaraan de link is gestuurd."
        )
    if request.answered_at is not None:
        refuse("link al gebruikt")
        raise LinkGone(
            f"Deze link is al gebruikt: de vraag over casus {case.reference} is op "
            f"{dutch_date(timezone.localdate(request.answered_at))} beantwoord. Een link werkt "
            "één keer. Wilt u iets aanvullen, neem dan contact op met de tafelcoördinator."
        )
    if request.expired:
        refuse("link verlopen")
        raise LinkGone(
            f"Deze link is verlopen op {dutch_date(timezone.localdate(request.expires_at))}. "
            "Neem contact op met de tafelcoördinator als u de vraag over casus "
            f"{case.reference} toch wilt beantwoorden."
        )
    membership = case_access(
        actor,
        case,
        permission=Permission.REFERRER_ACT,
        action=action,
        channel=channel,
        detail=DETAIL,
    )
    return request, membership


@transaction.atomic
def answer_record(
    *,
    request: OutcomeRequest,
    actor: User,
    membership: Membership,
    answer: str,
    reasons: Sequence[str] = (),
    note: str = "",
) -> OutcomeRequest:
    """Record the answer once; the link is used up. Counted in the monitor (codes only)."""
    from vangnet.monitor.services import monitor_outcome_followup_record

    request = OutcomeRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if request.answered_at is not None:
        raise LinkGone("Deze uitkomstvraag is al beantwoord; een link werkt één keer.")
    if answer not in vocab.codes(vocab.ANSWERS):
        raise DomainError("Kies of de patiënt de afgesproken zorg nog krijgt.", field="answer")
    given = sorted(set(reasons))
    unknown = set(given) - set(vocab.codes(vocab.REASONS))
    if unknown:
        raise DomainError("Kies de redenen uit de lijst.", field="reasons")
    if answer in vocab.NOT_FULLY and not given:
        raise DomainError(
            "Geef aan waarom de afgesproken zorg niet (volledig) loopt.", field="reasons"
        )
    if answer not in vocab.NOT_FULLY and given:
        raise DomainError("Een reden hoort alleen bij 'gedeeltelijk' of 'nee'.", field="reasons")
    request.answer = answer
    request.reasons = given
    request.note = clean_text(
        note, field="note", label="De toelichting", max_length=1000, required=False
    )
    request.answered_at = timezone.now()
    request.answered_by = actor
    request.save()
    case = request.case
    label = dict(vocab.ANSWERS)[answer]
    record_event(
        case,
        actor=actor,
        role=membership.role,
        transition="outcome_answer",
        from_state=case.state,
        note=f"Uitkomstvraag na {request.months} maanden: {label}",
    )
    monitor_outcome_followup_record(case=case, months=request.months, answer=answer, reasons=given)
    if answer in vocab.NOT_FULLY:
        notification_send(
            users=table_staff(case.table, Role.COORDINATOR),
            subject=f"Casus {case.reference}: afgesproken zorg loopt niet volledig",
            body=(
                f"De verwijzer meldt {request.months} maanden na de afsluiting dat de afgesproken "
                "zorg niet (volledig) loopt. Bekijk het antwoord in de casus; heropen de casus "
                "als de tafel opnieuw moet helpen."
            ),
            case_reference=case.reference,
        )
    return request
