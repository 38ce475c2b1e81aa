from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "vangnet.board"
    label = "board"
    verbose_name = "Bestuurlijke overlegtafel"
