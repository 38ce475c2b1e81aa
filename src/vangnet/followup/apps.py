from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "vangnet.followup"
    verbose_name = "Nazorg"
