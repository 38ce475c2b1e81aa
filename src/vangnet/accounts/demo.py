"""Demo users for `python -m vangnet demo`: every app's demo data creates its users here, with the
one printed demo password."""

from __future__ import annotations

from .models import User

DEMO_PASSWORD = "vangnet-demo-2026"  # noqa: S105 - printed on purpose: demo only


def demo_user(username: str, full_name: str, *, staff: bool = False) -> User:
    """A demo user with the printed demo password (created once; later runs leave it alone)."""
    first, last = full_name.split(" ", 1)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.vangnet.nl"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = staff
        user.save()
    return user
