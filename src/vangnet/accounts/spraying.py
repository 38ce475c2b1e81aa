"""Password spraying: many usernames tried from one client address.

django-axes locks a username at an address after AXES_FAILURE_LIMIT failures. One address that
fails with many usernames is refused once its failures within the cool-off reach
VANGNET_ADDRESS_FAILURE_LIMIT (default 20): high enough that colleagues behind one address do
not lock each other out with a few typing errors, low enough to stop spraying. The address is
the client's, read through the trusted proxy (vangnet.common.clientip).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from vangnet.common.clientip import client_ip


def address_failures(request: HttpRequest) -> int:
    address = client_ip(request)
    if not address:
        return 0
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def address_locked(request: HttpRequest | None) -> bool:
    if request is None:
        return False
    return address_failures(request) >= settings.VANGNET_ADDRESS_FAILURE_LIMIT


class AddressLimitBackend:
    """Before ModelBackend in AUTHENTICATION_BACKENDS: refuses every login from a spraying
    address (also the admin's), before any password is checked. It has no `get_user`: it
    never logs anyone in, so no session is ever bound to it."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if address_locked(request):
            raise PermissionDenied("te veel mislukte inlogpogingen vanaf dit adres")
        return None
