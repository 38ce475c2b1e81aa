"""Form widgets shared by every app.

`FastSelect` renders a select list in Python instead of through Django's widget templates.
Django renders each option through two template includes (`select_option.html` and
`attrs.html`): a list of the 342 municipalities costs about 10 ms of CPU per page, most of a
search page's time on the national data set. The HTML is the same, byte for byte, as Django's
`Select` (a test compares them), down to the newline the option template file ends with;
option groups fall back to Django's rendering.

`FixedChoices` holds choices that are already plain (value, label) pairs: Django walks every
choice list set on a field (`normalize_choices`, two calls per option), which a list it gets
as a choice iterator skips.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


class FixedChoices(BaseChoiceIterator):
    """Flat (value, label) pairs, used as they are."""

    def __init__(self, choices: Iterable[tuple[Any, Any]]) -> None:
        self.items = list(choices)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _text(value: Any) -> str:
    """As `{{ value }}` with autoescaping (localized, safe text kept)."""
    if type(value) is str:
        return html.escape(value)
    return str(conditional_escape(localize(value)))


def _format(value: Any) -> str:
    """As `{{ value|stringformat:'s' }}` with autoescaping (not localized, safe text kept)."""
    if type(value) is str:
        return html.escape(value)
    return str(conditional_escape(value if hasattr(value, "__html__") else str(value)))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As `django/forms/widgets/attrs.html`."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}")
        if value is not True:
            out.append(f'="{_format(value)}"')
    return "".join(out)


class FastSelect(forms.Select):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        final_attrs = self.build_attrs(self.attrs, attrs)
        parts = [f'<select name="{_text(name)}"{_attrs(final_attrs)}>']
        has_selected = False
        for option_value, label in choices:
            if option_value is None:
                option_value = ""
            selected = (not has_selected or self.allow_multiple_selected) and str(
                option_value
            ) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_format(option_value)}"'
                f"{' selected' if selected else ''}>{_text(label)}</option>\n"
            )
        parts.append("\n</select>")
        # Every value, label and attribute above is escaped as the template would.
        return mark_safe("".join(parts))  # noqa: S308
