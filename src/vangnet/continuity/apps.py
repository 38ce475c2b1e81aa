from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "vangnet.continuity"
    label = "continuity"
    verbose_name = "Continuïteit van zorg"

    def ready(self) -> None:
        # The GP hears of admission, adoption of the plan and closure; the case work announces
        # these and never imports this app (docs/architecture.md, "How a lower app tells ...").
        from vangnet.cases.signals import case_changed

        from .receivers import case_changed as inform_gp

        case_changed.connect(inform_gp, dispatch_uid="continuity-gp-letter")
