from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "vangnet.transfers"
    label = "transfers"
    verbose_name = "Transfers"
