from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "vangnet.monitor"
    label = "monitor"
    verbose_name = "Monitor"

    def ready(self) -> None:
        # The monitor depends on the case work, never the other way round: cases announces.
        from vangnet.cases.signals import case_changed

        from .receivers import case_changed as sync_questionnaire

        case_changed.connect(sync_questionnaire, dispatch_uid="monitor-questionnaire")
