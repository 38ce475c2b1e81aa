"""Loading the public reference data shipped in `data/` (copied from shared/data, see SOURCES.md).

Used by the data migration, so `migrate` alone brings a new database to a working state.
The default table mapping follows the rules of issue 3 (combinations of acute-ggz regions are not
published as a file); the 2020 division of seed 004 §5c is loaded as the earlier version.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

TABLES = [
    # number, name, region description, coordinating institution (seed 001 Bijlage 1)
    (
        1,
        "Den Haag / Zuid-Holland",
        "Den Haag en Zuid-Holland (zonder Rotterdam-Rijnmond)",
        "Parnassia Groep",
    ),
    (2, "Rotterdam-Rijnmond", "Rotterdam-Rijnmond", "Parnassia Groep"),
    (3, "Amsterdam / Noord-Holland", "Amsterdam en Noord-Holland", "Arkin"),
    (
        4,
        "Utrecht, Flevoland en Gooi/Veluwe",
        "Utrecht, Flevoland, Gooi en Vechtstreek en Noord-Veluwe",
        "GGz Centraal",
    ),
    (5, "Gelderland / Overijssel", "Gelderland en Overijssel", "Pro Persona"),
    (6, "Noord-Brabant / Zeeland", "Noord-Brabant en Zeeland", "GGz Breburg"),
    (7, "Limburg", "Limburg", "Mondriaan"),
    (8, "Noord-Nederland", "Groningen, Friesland en Drenthe", "GGZ Friesland"),
]

# The 2020 plan (seed 004 §5c) was in force from its publication until the eight-table division.
DIVISION_2020_FROM = date(2020, 3, 1)
DIVISION_CURRENT_FROM = date(2021, 1, 1)

NOORD_VELUWE = {"Elburg", "Ermelo", "Harderwijk", "Nunspeet", "Oldebroek", "Putten"}
VR_ROTTERDAM = "VR17"
VR_GOOI = "VR14"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def municipalities() -> list[dict[str, Any]]:
    vr = {r["gemeentecode_gm"]: r for r in read_csv("gemeente_veiligheidsregio.csv")}
    out = []
    for row in read_csv("gemeenten_2025.csv"):
        code = row["gemeentecode_gm"]
        out.append(
            {
                "code": code,
                "name": row["gemeentenaam"],
                "province_code": row["provinciecode_pv"],
                "province_name": row["provincienaam"],
                "vr_code": vr[code]["veiligheidsregiocode"],
                "vr_name": vr[code]["veiligheidsregionaam"],
            }
        )
    return out


def _base_name(name: str) -> str:
    # 2025 names carry CBS suffixes such as "Hengelo (O.)"; the rules use plain names.
    return name.split(" (")[0]


def current_table(m: dict[str, Any]) -> int:
    province = m["province_name"]
    if province in {"Groningen", "Friesland", "Drenthe"}:
        return 8
    if province == "Gelderland" and _base_name(m["name"]) in NOORD_VELUWE:
        return 4
    if province in {"Overijssel", "Gelderland"}:
        return 5
    if province in {"Utrecht", "Flevoland"} or m["vr_code"] == VR_GOOI:
        return 4
    if province == "Noord-Holland":
        return 3
    if m["vr_code"] == VR_ROTTERDAM:
        return 2
    if province == "Zuid-Holland":
        return 1
    if province in {"Noord-Brabant", "Zeeland"}:
        return 6
    if province == "Limburg":
        return 7
    raise ValueError(f"no table rule for {m['name']}")


def table_2020(m: dict[str, Any]) -> int:
    """Seed 004 §5c: seven tables by province, Zeeland with Rotterdam, the north with table 4."""
    province = m["province_name"]
    if m["vr_code"] == VR_ROTTERDAM or province == "Zeeland":
        return 2
    mapping = {
        "Zuid-Holland": 1,
        "Noord-Holland": 3,
        "Flevoland": 4,
        "Utrecht": 4,
        "Friesland": 4,
        "Groningen": 4,
        "Drenthe": 4,
        "Gelderland": 5,
        "Overijssel": 5,
        "Noord-Brabant": 6,
        "Limburg": 7,
    }
    return mapping[province]


def diagnosis_groups() -> list[dict[str, str]]:
    return read_csv("hoofddiagnosegroepen.csv")
