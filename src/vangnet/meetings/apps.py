from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "vangnet.meetings"
    verbose_name = "Besprekingen"
