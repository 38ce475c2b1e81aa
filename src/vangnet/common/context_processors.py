from typing import Any

from django.conf import settings
from django.http import HttpRequest


def vangnet(request: HttpRequest) -> dict[str, Any]:
    roles: set[str] = set()
    table = False
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The menu shows what a role can use; every page still checks access itself.
        memberships = list(user.memberships.filter(active=True).values_list("role", "table_id"))
        roles = {role for role, _ in memberships}
        table = any(table_id for _, table_id in memberships)
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "demo_banner": settings.VANGNET_DEMO_BANNER,
        "nav_roles": roles,
        "nav_table": table,
        "nav_unread": unread,
    }
