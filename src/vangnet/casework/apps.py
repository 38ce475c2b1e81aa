from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "vangnet.casework"
    verbose_name = "Casuswerk"
