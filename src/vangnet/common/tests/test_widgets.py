"""`FastSelect` renders exactly what Django's `Select` renders through its templates."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from vangnet.common.widgets import FastSelect, FixedChoices

CHOICES: list[tuple[Any, Any]] = [
    ("", "—"),
    ("GM0014", "Groningen"),
    (3, "Tafel 3 – Den Haag/Zuid-Holland"),
    ("a&b", 'Quotes "and" <tags> & ampersands'),
    ("'s-Hertogenbosch", "'s-Hertogenbosch"),
    ("safe", mark_safe("<b>veilig</b>")),
    ("lazy", gettext_lazy("Alle")),
    (None, "geen"),
    (7, 1234567),
]


@pytest.mark.parametrize(
    "value", [None, "", "GM0014", 3, "3", "a&b", "onbekend", ["GM0014", "3"], "lazy"]
)
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_origin"},
        {"id": "id_x", "required": True, "disabled": False, "aria-describedby": "a b"},
        {"data-x": 'a"b<c>', "class": mark_safe("x&amp;y"), "tabindex": 0},
    ],
)
def test_same_html_as_django_select(value: Any, attrs: dict[str, Any] | None) -> None:
    slow = forms.Select(choices=CHOICES, attrs={"class": "auto-width"})
    fast = FastSelect(choices=CHOICES, attrs={"class": "auto-width"})
    assert fast.render("origin", value, attrs) == slow.render("origin", value, attrs)


def test_same_html_in_a_bound_form() -> None:
    class Slow(forms.Form):
        table = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], help_text="hulp")

    class Fast(forms.Form):
        table = forms.TypedChoiceField(
            coerce=int, empty_value=None, required=False, widget=FastSelect
        )
        kind = forms.ChoiceField(
            choices=[("a", "A"), ("b", "B")], help_text="hulp", widget=FastSelect
        )

    for data in (None, {"table": "2", "kind": "b"}, {"table": "9", "kind": ""}):
        slow, fast = Slow(data), Fast(data)
        tables = [("", "Alle"), (1, "Tafel 1"), (2, "Tafel 2")]
        slow.fields["table"].choices = tables  # type: ignore[attr-defined]
        fast.fields["table"].choices = FixedChoices(tables)  # type: ignore[attr-defined]
        if data is not None:
            assert slow.is_valid() == fast.is_valid()
            assert slow.errors == fast.errors
        assert [str(f) for f in fast] == [str(f) for f in slow]


def test_option_groups_fall_back_to_django() -> None:
    grouped = [("Noord", [("1", "Groningen"), ("2", "Friesland")]), ("3", "Elders")]
    slow = forms.Select(choices=grouped)
    fast = FastSelect(choices=grouped)
    assert fast.render("p", "2", {"id": "id_p"}) == slow.render("p", "2", {"id": "id_p"})
