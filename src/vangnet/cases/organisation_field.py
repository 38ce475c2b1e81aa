"""Choosing an organisation on a case page without sending the country's directory along.

The field is a text input: the browser suggests the case's own parties at once (a `<datalist>`
rendered with the page) and, as the user types, HTMX replaces the suggestions with matches from
the directory search (`organisation_search`: name, AGB code or municipality). A suggestion reads
"Naam (AGB 12345678)", which the field resolves on submit. Without JavaScript the user types an
exact name or AGB code, and the field resolves that; an unknown or ambiguous text is a form
error in Dutch, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from vangnet.directory.models import Organisation

MAX_SUGGESTIONS = 20
_TAGGED = re.compile(r"\((?:AGB (?P<agb>\d{8})|nr\. (?P<pk>\d+))\)\s*$")


def organisation_label(org: Organisation) -> str:
    """The text a suggestion puts in the field, unique per organisation."""
    return f"{org.name} (AGB {org.agb_code})" if org.agb_code else f"{org.name} (nr. {org.pk})"


def organisation_search(
    text: str, *, queryset: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """Organisations whose name or municipality contains `text`, or whose AGB code starts
    with it; the text of a suggestion finds exactly that organisation again (its name and its
    AGB code or number must both match, so an edited suggestion is not read as another one)."""
    qs = Organisation.objects.all() if queryset is None else queryset
    text = text.strip()[:300]
    tagged = _TAGGED.search(text)
    if tagged:
        name = text[: tagged.start()].strip()
        key = {"agb_code": tagged["agb"]} if tagged["agb"] else {"pk": int(tagged["pk"])}
        return qs.filter(name__iexact=name, **key)
    if not text:
        return qs.none()
    condition = Q(name__icontains=text) | Q(municipality__name__icontains=text)
    if text.isdigit():
        condition |= Q(agb_code__startswith=text)
    return qs.filter(condition).select_related("municipality").order_by("name", "pk")


class OrganisationSearchInput(forms.TextInput):
    """A text input with a suggestion list that HTMX fills from the directory search."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "data-organisation-search": "",
                **(attrs or {}),
            }
        )
        self.quick: list[Organisation] = []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        options = f"{widget_attrs.get('id') or name}_opties"
        widget_attrs.update(
            {
                "list": options,
                "hx-get": reverse("cases:organisation_search"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": f"#{options}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        context["options_id"] = options
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        html = super().render(name, value, attrs, renderer)
        options_id = self.get_context(name, value, attrs)["options_id"]
        return format_html(
            '{}<datalist id="{}">{}</datalist>'
            '<span id="{}" class="help" role="status" aria-live="polite"></span>',
            html,
            options_id,
            suggestions_html(self.quick, note="betrokken partij"),
            options_id.removesuffix("_opties") + "_status",
        )


def suggestions_html(orgs: Iterable[Organisation], *, note: str = "") -> str:
    return format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((organisation_label(o), note or _where(o)) for o in orgs),
    )


def _where(org: Organisation) -> str:
    parts = [org.get_organisation_type_display()]
    if org.municipality is not None:
        parts.append(org.municipality.name)
    return " · ".join(parts)


class OrganisationField(forms.Field):
    """An organisation chosen by search; cleans to an `Organisation` (or None when optional)."""

    widget = OrganisationSearchInput
    default_error_messages = {
        "required": "Kies een organisatie.",
        "unknown": "Geen organisatie gevonden met naam of AGB-code '%(text)s': kies er een uit "
        "de suggesties of typ de naam of AGB-code precies.",
        "ambiguous": "Er zijn meerdere organisaties met de naam '%(text)s': kies er een uit de "
        "suggesties (met AGB-code).",
    }

    def __init__(self, *, queryset: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        self.queryset = Organisation.objects.all() if queryset is None else queryset
        kwargs.setdefault(
            "help_text", "Typ een deel van de naam, de AGB-code of de gemeente en kies."
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Organisation):
            return organisation_label(value)
        if isinstance(value, int) and not isinstance(value, bool):
            # An initial value given as a primary key (one query; pass the object to avoid it).
            org = self.queryset.filter(pk=int(value)).first()
            return organisation_label(org) if org else ""
        return value

    def to_python(self, value: Any) -> Organisation | None:
        if isinstance(value, Organisation):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        tagged = _TAGGED.search(text)
        if tagged:
            found = list(organisation_search(text, queryset=self.queryset)[:2])
        elif re.fullmatch(r"\d{8}", text):
            found = list(self.queryset.filter(agb_code=text)[:2])
        else:
            found = list(self.queryset.filter(name__iexact=text)[:2])
        short = text[:80]
        if not found:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"text": short}
            )
        if len(found) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"text": short}
            )
        return found[0]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


class QuickOrganisationsMixin:
    """Forms with organisation fields: `quick_organisations` (the case's parties) are suggested
    before the user types anything."""

    def __init__(
        self, *args: Any, quick_organisations: Iterable[Organisation] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        quick = list(quick_organisations)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, OrganisationField):
                field.widget.quick = quick
