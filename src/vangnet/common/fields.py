"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text kept encrypted at rest (`common.crypto`); Python code sees the plain value.

    Lookups on it compare tokens, which differ on every write: search and matching use a keyed
    hash stored beside it instead.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return crypto.decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else ""
