from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Commands that span every app (demo data, the OpenAPI export). The top of the layers: it
    may import any app, and no app imports it (docs/architecture.md)."""

    name = "vangnet.ops"
    label = "ops"
    verbose_name = "Beheeropdrachten"
