"""Helpers for the waiting-list tests: providers in known regions and files built from rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality
from vangnet.testing import factories
from vangnet.waitlists.importers import COLUMNS

# Amsterdam (VR13, PV27, table 3), Zaanstad (VR11 Zaanstreek-Waterland, PV27, table 3),
# Rotterdam (VR17, PV28, table 2), Utrecht (VR09, PV26, table 4).
AMSTERDAM, ZAANSTAD, ROTTERDAM, UTRECHT = "GM0363", "GM0479", "GM0599", "GM0344"


def provider(agb: str, municipality: str = AMSTERDAM, name: str | None = None) -> Organisation:
    return factories.OrganisationFactory(
        agb_code=agb,
        name=name or f"Aanbieder {agb}",
        municipality=Municipality.objects.get(code=municipality),
    )


def row(**values: Any) -> dict[str, str]:
    base = {
        "person_pseudonym": "v1:p1",
        "provider_agb": "11111111",
        "municipality_code": AMSTERDAM,
        "diagnosis_group": "angst",
        "registration_date": "2024-03-01",
        "intake_date": "",
        "treatment_start_date": "",
        "exit_date": "",
        "preferred_provider": "0",
    }
    base.update({k: str(v) for k, v in values.items()})
    return base


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: r.get(c, "") for c in columns})
    return out.getvalue().encode("utf-8")


@dataclass
class Providers:
    a: Organisation  # Amsterdam
    b: Organisation  # Amsterdam
    c: Organisation  # Rotterdam


@pytest.fixture
def providers(db: None) -> Providers:
    return Providers(
        a=provider("11111111", AMSTERDAM, "GGZ Amstel"),
        b=provider("22222222", AMSTERDAM, "GGZ IJ"),
        c=provider("33333333", ROTTERDAM, "GGZ Maas"),
    )


@pytest.fixture
def import_rows() -> Callable[..., Any]:
    from vangnet.waitlists import services

    def run(rows: list[dict[str, str]], *, period: str | None = "2024-03", **kwargs: Any) -> Any:
        from vangnet.waitlists.importers import parse_period

        return services.submission_import(
            data=csv_bytes(rows),
            name="test.csv",
            actor=services.command_line_actor(),
            period=parse_period(period) if period else None,
            **kwargs,
        )

    return run
