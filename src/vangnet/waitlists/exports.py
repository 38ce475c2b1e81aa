"""CSV and XLSX exports of a region's waiting counts (aggregates only, never a pseudonym)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .counting import COUNT_COLUMNS, CountRow, FlowRow

FLOW_COLUMNS = tuple(f.name for f in fields(FlowRow))


def counts_csv(rows: Sequence[CountRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COUNT_COLUMNS)
    for r in rows:
        writer.writerow(r.csv_values())
    return out.getvalue()


def _sheet(wb: Workbook, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(list(r))
    ws.freeze_panes = "A2"


def counts_xlsx(
    counts: Sequence[CountRow], flows: Sequence[FlowRow], *, title: str, source: str
) -> bytes:
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "Toelichting"
    info.append([title])
    info["A1"].font = Font(bold=True)
    info.append([source])
    info.append(
        [
            "Wachtend op de peildatum (laatste dag van de maand): aangemeld op of voor de "
            "peildatum, zonder start behandeling of uitschrijving op of voor de peildatum. "
            "Boven de norm: langer dan 28 dagen wachtend op intake of 70 dagen op behandeling."
        ]
    )
    _sheet(wb, "Wachtenden", COUNT_COLUMNS, [r.csv_values() for r in counts])
    _sheet(wb, "Instroom", FLOW_COLUMNS, [[getattr(f, c) for c in FLOW_COLUMNS] for f in flows])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
