"""What a CSV reader error means, in words a coordinator understands.

Python's csv module refuses a field longer than `csv.field_size_limit()` (128 KiB) and a few
malformed quotings with `csv.Error`. Every importer turns that into an error on the line it
happened, never a traceback.
"""

from __future__ import annotations

import csv

FIELD_LIMIT_BYTES = csv.field_size_limit()


def csv_error_message(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"een veld is te lang (meer dan {FIELD_LIMIT_BYTES // 1024} KiB); "
            "controleer of er een aanhalingsteken ontbreekt"
        )
    if "NUL" in text or "new-line character seen in unquoted field" in text:
        return "de regel bevat een ongeldig teken; sla het bestand op als CSV UTF-8"
    return "de regel is geen geldige CSV (controleer de aanhalingstekens)"
