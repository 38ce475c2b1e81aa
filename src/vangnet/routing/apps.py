from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "vangnet.routing"
    label = "routing"
    verbose_name = "Routering (UCZ, zorgbemiddeling, signalen)"
