"""Scenario figures as table rows (pages, PDF) and as an XLSX workbook. Aggregates only."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from .models import Scenario

KNOB_LABELS = {
    "target_provider": "Aanbieder (id)",
    "intake_delta_per_week": "Intakeplekken per week erbij",
    "places_delta": "Behandelplekken erbij",
    "treatment_length_pct": "Behandelduur ± %",
    "inflow_pct": "Instroom ± %",
    "transfer_share_pct": "Transferbalie %",
    "pause_from_month": "Aanmeldpauze vanaf maand",
    "pause_months": "Aanmeldpauze maanden",
    "ehealth_share_pct": "E-health %",
    "ehealth_places": "E-healthplekken",
}


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{round(100 * v)}%"


def rows(sc: Scenario) -> list[dict[str, Any]]:
    r = sc.result
    if not r:
        return []
    return [
        {
            "month": m,
            "waiting": r["waiting_mean"][i],
            "lo": r["waiting_lo"][i],
            "hi": r["waiting_hi"][i],
            "intake_within": _pct(r["intake_within_share"][i]),
            "treatment_within": _pct(r["treatment_within_share"][i]),
            "over_norm": _pct(r["over_norm_share"][i]),
        }
        for i, m in enumerate(r["months"])
    ]


def summary(sc: Scenario) -> list[tuple[str, Any]]:
    r = sc.result
    cal = sc.calibration
    out: list[tuple[str, Any]] = [
        ("Scenario", sc.name),
        ("Regio", cal.region_code),
        ("Diagnosegroep", cal.diagnosis_group.name),
        ("Gegevensversie", cal.data_version[:12]),
        ("Seed", sc.seed),
        ("Replicaties", sc.replications),
        ("Horizon (maanden)", sc.horizon_months),
        ("Behandelduur basis (weken)", round(cal.treatment_days / 7, 1)),
    ]
    out += [(label, sc.knobs.get(key)) for key, label in KNOB_LABELS.items()]
    out += [
        ("Binnen 4 weken intake", _pct(r.get("intake_within_total"))),
        ("Binnen 10 weken behandeling", _pct(r.get("treatment_within_total"))),
        ("Mediane wachttijd (weken)", r.get("median_wait_weeks")),
        ("80e percentiel wachttijd (weken)", r.get("p80_wait_weeks")),
        ("Norm weer gehaald vanaf", r.get("norm_met_month") or "niet binnen de horizon"),
    ]
    return out


def xlsx(scenarios: list[Scenario]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Overzicht"
    labels = [label for label, _ in summary(scenarios[0])] if scenarios else []
    ws.append(["", *[s.name for s in scenarios]])
    for i, label in enumerate(labels):
        ws.append([label, *[summary(s)[i][1] for s in scenarios]])
    for k, s in enumerate(scenarios, start=1):
        sheet = wb.create_sheet(f"Scenario {k}")
        sheet.append([s.name])
        sheet.append(
            [
                "Maand",
                "Unieke wachtenden (gemiddeld)",
                "95%-band laag",
                "95%-band hoog",
                "Intake binnen 4 weken",
                "Behandeling binnen 10 weken",
                "Boven de norm",
            ]
        )
        for row in rows(s):
            sheet.append(list(row.values()))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
