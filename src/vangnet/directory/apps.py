from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "vangnet.directory"
    label = "directory"
    verbose_name = "Organisaties (sociale kaart)"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .forms import search_choices_changed

        for model in ("waitlists.DiagnosisGroup", "regions.Table", "regions.Municipality"):
            for signal in (post_save, post_delete):
                signal.connect(
                    search_choices_changed, sender=model, dispatch_uid=f"search-choices-{model}"
                )
