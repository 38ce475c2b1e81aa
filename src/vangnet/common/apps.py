from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "vangnet.common"
    label = "common"

    def ready(self) -> None:
        _no_silent_cut()


def _no_silent_cut() -> None:
    """A `maxlength` attribute makes the browser cut pasted text without a word, so a coordinator
    loses the end of a long note unseen (issue 11). Text fields keep their server-side limit,
    which answers at the field with the number of characters typed; the attribute is left out."""
    from django import forms

    original = forms.CharField.widget_attrs
    if getattr(original, "no_silent_cut", False):
        return

    def widget_attrs(self: forms.CharField, widget: forms.Widget) -> dict[str, str]:
        attrs = original(self, widget)
        attrs.pop("maxlength", None)
        return attrs

    widget_attrs.no_silent_cut = True  # type: ignore[attr-defined]
    forms.CharField.widget_attrs = widget_attrs  # type: ignore[method-assign]
