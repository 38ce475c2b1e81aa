"""Bases of the case addresses for pages that link many cases or actions: the template appends
the last part (`{{ case_url }}{{ c.reference }}/`), instead of a URL lookup per row (each
`reverse` or `{% url %}` costs a page tens of microseconds). The case URLs themselves are named
in casework.urls (namespace "cases"); only their names are used here."""

from __future__ import annotations

from django.urls import reverse

_PLACEHOLDER = "x"  # a value every converter of a last argument here accepts (str and slug)


def case_url_prefix(view: str = "detail", *args: str) -> str:
    """The address of the case view `view` up to its last argument, which is left off: with no
    `args`, the base of the case pages ("/casussen/"); with a reference, the base of that case's
    actions, forms or sections."""
    return reverse(f"cases:{view}", args=[*args, _PLACEHOLDER]).removesuffix(f"{_PLACEHOLDER}/")
