"""The admin speaks Dutch (issue 11 §5): no field of an admin-registered model shows its English
code name (Django's fallback label) in the apps listed here."""

from __future__ import annotations

import pytest
from django.contrib import admin

# The apps whose fields all have a Dutch verbose_name; the others follow as their models change.
# created_at/updated_at come from the shared TimeStampedModel and are left to that change.
DUTCH_APPS = (
    "regions",
    "waitlists",
    "directory",
    "accounts",
    "cases",
    "plans",
    "meetings",
    "followup",
    "monitor",
    "consultations",
    "audit",
    "scenarios",
    "transfers",
)
SHARED: set[str] = set()
SAME_IN_DUTCH = {"code", "postcode", "website", "parameters", "zorgbemiddeling"}


@pytest.mark.parametrize("app", DUTCH_APPS)
def test_admin_fields_have_dutch_labels(app):
    untranslated = [
        f"{model._meta.label}.{field.name}"
        for model in admin.site._registry
        if model._meta.app_label == app
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
        and not field.auto_created
        and field.name not in SHARED
        and str(field.verbose_name) == field.name.replace("_", " ")
        and field.name not in SAME_IN_DUTCH
    ]
    assert untranslated == []
