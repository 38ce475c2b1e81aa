from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vangnet.audit"
    label = "audit"
    verbose_name = "Toegangslog"
