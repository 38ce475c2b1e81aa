from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "vangnet.outcomes"
    label = "outcomes"
    verbose_name = "Uitkomst na afsluiting"
