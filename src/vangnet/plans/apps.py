from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "vangnet.plans"
    verbose_name = "Integrale plannen"
