from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "vangnet.common"
    label = "common"
