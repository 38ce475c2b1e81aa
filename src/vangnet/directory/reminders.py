"""The sociale kaart's part of the daily reminders run (`python -m vangnet reminders`).

Editors (role *sociale kaart beheren*) of an organisation are reminded of each of its locations
and offers not confirmed for six months. The dedup key names the entry and the confirmation it is
stale since, so a run twice sends nothing twice, and a later staleness (after a new confirmation)
reminds again. The same run refreshes the offers' waiting times from the waiting-list data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.services import notification_send

from .models import STALE_AFTER_DAYS, Location, Offer
from .services import observed_waits_refresh


def _editors(organisation_id: int, cache: dict[int, list[User]]) -> list[User]:
    if organisation_id not in cache:
        cache[organisation_id] = [
            m.user
            for m in Membership.objects.filter(
                organisation_id=organisation_id, role=Role.DIRECTORY_EDITOR, active=True
            ).select_related("user")
        ]
    return cache[organisation_id]


def run(*, today: date) -> int:
    """Send the stale-entry reminders of `today`; returns the notifications created."""
    cutoff = timezone.make_aware(datetime.combine(today, time.min)) - timedelta(
        days=STALE_AFTER_DAYS
    )
    cache: dict[int, list[User]] = {}
    created = 0
    for location in Location.objects.filter(confirmed_at__lt=cutoff).select_related("organisation"):
        created += len(
            notification_send(
                users=_editors(location.organisation_id, cache),
                subject=f"Sociale kaart: locatie '{location.name}' is verouderd",
                body="Deze locatie is al zes maanden niet bevestigd. Controleer en bevestig haar gegevens.",
                dedup_key=f"kaart:location:{location.pk}:{location.confirmed_at:%Y%m%d%H%M%S}",
            )
        )
    for offer in Offer.objects.filter(confirmed_at__lt=cutoff).select_related("location"):
        created += len(
            notification_send(
                users=_editors(offer.location.organisation_id, cache),
                subject=f"Sociale kaart: aanbod '{offer.name}' is verouderd",
                body="Dit aanbod is al zes maanden niet bevestigd. Controleer en bevestig de gegevens.",
                dedup_key=f"kaart:offer:{offer.pk}:{offer.confirmed_at:%Y%m%d%H%M%S}",
            )
        )
    observed_waits_refresh()
    return created
