"""Waiting-count engine (issue 6): who waits where on each peildatum, flows and hotspots.

Pure computation on columnar numpy data; no Django, no other Vangnet packages. See
:mod:`vangnet.engines.waitcount.engine` for the counting rules and
:mod:`vangnet.engines.waitcount.oracle` for the same rules as plain SQL (the specification).

Typical use::

    regs, codebook = registrations_from_rows(rows, municipalities=gm_codes)
    rom = codebook.region_of_municipality(vr_of_gm, regions=vr_codes)
    table = waiting_counts(regs, region_of_municipality=rom, months=month_range((2023, 1), (2024, 12)))
    table.to_rows()
"""

from vangnet.engines.waitcount.build import (
    Codebook,
    registrations_from_rows,
    registrations_from_table,
)
from vangnet.engines.waitcount.engine import (
    flows,
    hotspots,
    largest_breaches,
    provider_waits,
    waiting_counts,
)
from vangnet.engines.waitcount.model import (
    INTAKE_NORM_DAYS,
    MISSING,
    TREATMENT_NORM_DAYS,
    CountTable,
    FlowTable,
    Hotspot,
    ProviderWaitTable,
    Registrations,
    TopProviderTable,
    date_to_days,
    days_to_iso,
    month_range,
    peildatum,
)

__all__ = [
    "INTAKE_NORM_DAYS",
    "MISSING",
    "TREATMENT_NORM_DAYS",
    "Codebook",
    "CountTable",
    "FlowTable",
    "Hotspot",
    "ProviderWaitTable",
    "Registrations",
    "TopProviderTable",
    "date_to_days",
    "days_to_iso",
    "flows",
    "hotspots",
    "largest_breaches",
    "month_range",
    "peildatum",
    "provider_waits",
    "registrations_from_rows",
    "registrations_from_table",
    "waiting_counts",
]
