from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "vangnet.scenarios"
    label = "scenarios"
    verbose_name = "Scenarioanalyses"
