from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "vangnet.consultations"
    label = "consultations"
