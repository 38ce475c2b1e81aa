"""A new password, however it was set (by the user, by an administrator, through activation),
ends the user's API tokens; Django itself ends their other sessions (the session hash)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import ApiToken, User


@receiver(pre_save, sender=User)
def _revoke_tokens_on_new_password(sender: Any, instance: User, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        ApiToken.objects.filter(user_id=instance.pk, revoked=False).update(revoked=True)
