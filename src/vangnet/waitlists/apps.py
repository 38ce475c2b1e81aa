from django.apps import AppConfig


class WaitlistsConfig(AppConfig):
    name = "vangnet.waitlists"
    label = "waitlists"
