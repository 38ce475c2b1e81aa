"""The menu's context: what the user's roles can use, and the unread notifications (in
accounts, beside the memberships it reads)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from vangnet.accounts.selectors import request_actor


def vangnet(request: HttpRequest) -> dict[str, Any]:
    roles: set[str] = set()
    table = False
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The menu shows what a role can use; every page still checks access itself. The
        # memberships are those the view read for its own checks, when it did (request_actor).
        memberships = request_actor(request).memberships
        roles = {m.role for m in memberships}
        table = any(m.table_id for m in memberships)
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "demo_banner": settings.VANGNET_DEMO_BANNER,
        "nav_roles": roles,
        "nav_table": table,
        "nav_unread": unread,
    }
