"""Spreadsheet safety shared by every export and import of free text (monitor, sociale kaart)."""

from __future__ import annotations

import re

_FORMULA_START = re.compile(r"'*[=+\-@]")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@]")


def escape_formula(text: str) -> str:
    """Neutralise a spreadsheet formula in free text (CSV injection) by a leading apostrophe."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula` on import (leading whitespace as the import ignores it)."""
    stripped = text.strip()
    return stripped[1:] if _ESCAPED_FORMULA.match(stripped) else text
