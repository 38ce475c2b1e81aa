"""From stored registrations to figures: loads a month's rows into the waitcount engine and
translates the engine's integer codes back to region codes, diagnosis groups and providers.

Month M is counted from the submissions for period M only (see the ADR on waitlist
submissions): each provider's data for M describes its list on M's peildatum and the intakes and
treatment starts during M. The engine is therefore called per month, with `months=[M]`. No
permission checks here: callers are the selectors (per user) and the management command.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from django.db import connection

from vangnet.engines import waitcount as wc
from vangnet.regions.models import Municipality, Province, SafetyRegion, Table
from vangnet.regions.selectors import region_grouping

from .importers import period_end
from .models import DiagnosisGroup, RegionKind, Submission, WaitlistRegistration

Month = tuple[int, int]
ALL_GROUPS = "alle"

COUNT_COLUMNS = (
    "month",
    "region",
    "diagnosis_group",
    "registrations_waiting",
    "persons_waiting",
    "persons_multi_provider",
    "persons_by_preference",
    "over_norm_intake",
    "over_norm_treatment",
)


def parse_month(value: str) -> Month:
    text = (value or "").strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12 and 1990 <= year <= 2200:
            return year, month
    raise ValueError(f"Maand {value!r} is ongeldig: gebruik JJJJ-MM, bijvoorbeeld 2024-03.")


def month_label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def months_between(start: Month, end: Month) -> list[Month]:
    if end < start:
        raise ValueError("De eindmaand ligt vóór de beginmaand.")
    months = wc.month_range(start, end)
    if len(months) > 120:
        raise ValueError("Kies hoogstens 120 maanden.")
    return months


def region_names(kind: str) -> dict[str, str]:
    if kind == RegionKind.PROVINCE:
        return dict(Province.objects.values_list("code", "name"))
    if kind == RegionKind.SAFETY_REGION:
        return dict(SafetyRegion.objects.values_list("code", "name"))
    if kind == RegionKind.TABLE:
        return {
            str(n): f"Tafel {n} – {name}" for n, name in Table.objects.values_list("number", "name")
        }
    raise ValueError(f"onbekende regio-indeling {kind!r}")


def region_sort_key(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (0, code)


# ------------------------------------------------------------------------------------------
# Rows out


@dataclass(frozen=True)
class CountRow:
    month: str
    region: str
    diagnosis_group: str
    registrations_waiting: int
    persons_waiting: int
    persons_multi_provider: int
    persons_by_preference: int
    over_norm_intake: int
    over_norm_treatment: int
    registrations_waiting_intake: int
    registrations_waiting_treatment: int

    def csv_values(self) -> list[Any]:
        return [getattr(self, c) for c in COUNT_COLUMNS]


@dataclass(frozen=True)
class FlowRow:
    month: str
    region: str
    diagnosis_group: str
    intakes: int
    intake_wait_median: float | None
    intake_wait_p80: float | None
    intake_within_norm_share: float | None
    treatment_starts: int
    treatment_wait_median: float | None
    treatment_wait_p80: float | None
    treatment_within_norm_share: float | None


@dataclass(frozen=True)
class ProviderWaitRow:
    month: str
    provider_id: int
    diagnosis_group: str
    waiting_intake: int
    waiting_treatment: int
    median_wait_intake: float | None
    median_wait_treatment: float | None
    breach_intake: bool
    breach_treatment: bool

    @property
    def breach(self) -> bool:
        return self.breach_intake or self.breach_treatment


@dataclass(frozen=True)
class HotspotRow:
    provider_id: int
    diagnosis_group: str
    norm: str  # "intake" or "treatment"
    start: str
    end: str
    months: int


@dataclass(frozen=True)
class LargestBreachRow:
    month: str
    region: str
    provider_id: int
    over_norm: int
    over_norm_intake: int
    over_norm_treatment: int
    registrations_waiting: int


def _nan_to_none(value: float) -> float | None:
    return None if value != value else round(float(value), 2)  # NaN is not equal to itself


# ------------------------------------------------------------------------------------------
# Loading


_DATES = ("registration_date", "intake_date", "treatment_start_date", "exit_date")


def _day_number_sql(vendor: str, column: str) -> str:
    """SQL for a date column as days since 1970-01-01, MISSING when empty."""
    if vendor == "postgresql":
        days = f"({column} - DATE '1970-01-01')"
    else:  # SQLite stores ISO text; julianday of the epoch is 2440587.5
        days = f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"COALESCE({days}, {wc.MISSING})"


def _frame_columns(frame: pl.DataFrame | None) -> list[npt.NDArray[np.int64]] | None:
    """The same nine columns from an import's frame (importers.CLEAN_SCHEMA + person_key)."""
    if frame is None or frame.height == 0:
        return None
    days = [pl.col(c).cast(pl.Int32).fill_null(wc.MISSING).cast(pl.Int64).alias(c) for c in _DATES]
    out = frame.select(
        pl.col("person_key", "provider_id", "municipality_id", "diagnosis_group_id").cast(pl.Int64),
        *days,
        pl.col("preferred_provider").cast(pl.Int64),
    )
    return [out[c].to_numpy() for c in out.columns]


def _month_columns(
    period: date, exclude_providers: Sequence[int] = ()
) -> list[npt.NDArray[np.int64]] | None:
    """A month's stored registrations as nine int64 columns (see `Loader._load`), or None if
    there are none; `exclude_providers` are left out (an import holds their rows)."""
    table = WaitlistRegistration._meta.db_table
    vendor = connection.vendor
    fields = [
        "person_key",
        "provider_id",
        "municipality_id",
        "diagnosis_group_id",
        *(_day_number_sql(vendor, c) for c in _DATES),
        "CASE WHEN preferred_provider THEN 1 ELSE 0 END",
    ]
    where = "period = %s"
    if exclude_providers:
        # Only the other providers' rows are wanted: name them (from the month's submissions,
        # a few thousand rows) so the index finds them, instead of scanning the month for rows
        # not in the list. After a national file there are none, and nothing is read.
        others = sorted(
            set(Submission.objects.filter(period=period).values_list("provider_id", flat=True))
            - set(exclude_providers)
        )
        if not others:
            return None
        where += f" AND provider_id IN ({', '.join(str(int(p)) for p in others)})"
    sql = f"SELECT {', '.join(fields)} FROM {table} WHERE {where}"  # noqa: S608 - our names
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # The month as one text value (tab-separated lines), parsed by Polars at C speed:
            # a row per message (COPY TO, fetchall) costs seconds per million rows in Python.
            line = "concat_ws(E'\\t', " + ", ".join(fields) + ")"
            cursor.execute(
                f"SELECT string_agg({line}, E'\\n') FROM {table} WHERE {where}",  # noqa: S608
                [period],
            )
            (text,) = cursor.fetchone()
            if not text:
                return None
            frame = pl.read_csv(
                io.BytesIO(text.encode()),
                separator="\t",
                has_header=False,
                schema=_INT_SCHEMA,
                quote_char=None,
            )
            return [frame[c].to_numpy() for c in frame.columns]
        cursor.execute(sql, [period.isoformat()])
        rows = cursor.fetchall()
    if not rows:
        return None
    arr = np.array(rows, dtype=np.int64)
    return [arr[:, i] for i in range(arr.shape[1])]


_INT_SCHEMA = {f"c{i}": pl.Int64 for i in range(9)}


class Loader:
    """Loads each month's registrations once (per request or command) as engine input."""

    def __init__(
        self, preloaded: Mapping[Month, tuple[pl.DataFrame, list[int]]] | None = None
    ) -> None:
        # Rows an import has in memory: (frame with person_key, the providers it holds). The
        # month is those rows plus the stored rows of every other provider (none for a national
        # file), so the import does not read back what it just wrote.
        self._preloaded = dict(preloaded or {})
        groups = list(DiagnosisGroup.objects.values_list("id", "position", "code"))
        self.group_codes = [code for _, _, code in sorted(groups, key=lambda g: g[1])]
        max_id = max((gid for gid, _, _ in groups), default=0)
        self._group_position = np.full(max_id + 1, -1, dtype=np.int16)
        for gid, position, _ in groups:
            self._group_position[gid] = position
        self.municipality_ids = dict(Municipality.objects.values_list("code", "id"))
        self._n_municipalities = max(self.municipality_ids.values(), default=0) + 1
        self._months: dict[Month, wc.Registrations] = {}
        self._groupings: dict[tuple[str, Month], tuple[np.ndarray, list[str]]] = {}

    def registrations(self, month: Month) -> wc.Registrations:
        if month not in self._months:
            self._months[month] = self._load(month)
        return self._months[month]

    def forget(self, month: Month) -> None:
        self._months.pop(month, None)

    def _load(self, month: Month) -> wc.Registrations:
        """Integers straight from SQL: the person key assigned at import, ids, and dates as day
        numbers (no date objects, no model instances: ADR 0010)."""
        period = date(month[0], month[1], 1)
        frame, providers = self._preloaded.get(month, (None, []))
        parts = [c for c in (_month_columns(period, providers), _frame_columns(frame)) if c]
        if not parts:
            return wc.Registrations.empty()
        cols = [np.concatenate(group) for group in zip(*parts, strict=True)]
        # Person keys are 63-bit digests: dense codes 0..n-1 keep the engine's tables small.
        _, person = np.unique(cols[0], return_inverse=True)
        return wc.Registrations(
            person=person.astype(np.int64),
            provider=cols[1].astype(np.int32),
            municipality=cols[2].astype(np.int32),
            diagnosis_group=self._group_position[cols[3]],
            registration_date=cols[4].astype(np.int32),
            intake_date=cols[5].astype(np.int32),
            treatment_start_date=cols[6].astype(np.int32),
            exit_date=cols[7].astype(np.int32),
            preferred=cols[8].astype(np.bool_),
        )

    def region_map(self, kind: str, month: Month) -> tuple[np.ndarray, list[str]]:
        """(region_of_municipality indexed by municipality id, region codes) on the peildatum;
        table regions follow the table division valid on that day."""
        key = (kind, month) if kind == RegionKind.TABLE else (kind, (0, 0))
        if key not in self._groupings:
            grouping = region_grouping(kind, on=period_end(date(month[0], month[1], 1)))
            regions = sorted(set(grouping.values()), key=region_sort_key)
            index = {r: i for i, r in enumerate(regions)}
            rom = np.full(self._n_municipalities, -1, dtype=np.int32)
            for gm, region in grouping.items():
                mid = self.municipality_ids.get(gm)
                if mid is not None:
                    rom[mid] = index[region]
            self._groupings[key] = (rom, regions)
        return self._groupings[key]


# ------------------------------------------------------------------------------------------
# Figures


def _region_filter(regions: list[str], region: str | None) -> int | None:
    if region is None:
        return None
    return regions.index(region) if region in regions else -2


def count_rows(
    loader: Loader,
    kind: str,
    months: Iterable[Month],
    *,
    region: str | None = None,
    across_groups: bool = False,
) -> list[CountRow]:
    """Waiting counts per month × region × diagnosis group (non-empty cells only). With
    `across_groups` the diagnosis groups are merged first, so a person waiting in two groups
    counts once in the region's total (diagnosis_group "alle")."""
    out: list[CountRow] = []
    for month in months:
        regs = loader.registrations(month)
        if not len(regs):
            continue
        rom, regions = loader.region_map(kind, month)
        if across_groups:
            regs = replace(regs, diagnosis_group=np.zeros(len(regs), dtype=np.int16))
        table = wc.waiting_counts(regs, region_of_municipality=rom, months=[month])
        wanted = _region_filter(regions, region)
        for row in table.to_rows():
            if wanted is not None and row["region"] != wanted:
                continue
            out.append(
                CountRow(
                    month=month_label(month),
                    region=regions[row["region"]],
                    diagnosis_group=ALL_GROUPS
                    if across_groups
                    else loader.group_codes[row["diagnosis_group"]],
                    registrations_waiting=row["registrations_waiting"],
                    persons_waiting=row["persons_waiting"],
                    persons_multi_provider=row["persons_multi_provider"],
                    persons_by_preference=row["persons_by_preference"],
                    over_norm_intake=row["over_norm_intake"],
                    over_norm_treatment=row["over_norm_treatment"],
                    registrations_waiting_intake=row["registrations_waiting_intake"],
                    registrations_waiting_treatment=row["registrations_waiting_treatment"],
                )
            )
    out.sort(key=lambda r: (r.month, region_sort_key(r.region), r.diagnosis_group))
    return out


def flow_rows(
    loader: Loader,
    kind: str,
    months: Iterable[Month],
    *,
    region: str | None = None,
    across_groups: bool = False,
) -> list[FlowRow]:
    """Intakes and treatment starts per month × region × group with realised waits (days)."""
    out: list[FlowRow] = []
    for month in months:
        regs = loader.registrations(month)
        if not len(regs):
            continue
        rom, regions = loader.region_map(kind, month)
        wanted = _region_filter(regions, region)
        if across_groups:
            regs = replace(regs, diagnosis_group=np.zeros(len(regs), dtype=np.int16))
        for row in wc.flows(regs, region_of_municipality=rom, months=[month]).to_rows():
            if wanted is not None and row["region"] != wanted:
                continue
            out.append(
                FlowRow(
                    month=month_label(month),
                    region=regions[row["region"]],
                    diagnosis_group=ALL_GROUPS
                    if across_groups
                    else loader.group_codes[row["diagnosis_group"]],
                    intakes=row["intakes"],
                    intake_wait_median=_nan_to_none(row["intake_wait_median"]),
                    intake_wait_p80=_nan_to_none(row["intake_wait_p80"]),
                    intake_within_norm_share=_nan_to_none(row["intake_within_norm_share"]),
                    treatment_starts=row["treatment_starts"],
                    treatment_wait_median=_nan_to_none(row["treatment_wait_median"]),
                    treatment_wait_p80=_nan_to_none(row["treatment_wait_p80"]),
                    treatment_within_norm_share=_nan_to_none(row["treatment_within_norm_share"]),
                )
            )
    out.sort(key=lambda r: (r.month, region_sort_key(r.region), r.diagnosis_group))
    return out


def _provider_tables(loader: Loader, months: Iterable[Month]) -> list[wc.ProviderWaitTable]:
    tables = []
    for month in months:
        regs = loader.registrations(month)
        if len(regs):
            tables.append(wc.provider_waits(regs, months=[month]))
    return tables


def provider_wait_rows(
    loader: Loader, months: Iterable[Month], *, provider_ids: set[int] | None = None
) -> list[ProviderWaitRow]:
    """Per month × provider × diagnosis group: median waits and breaches of the Treeknorm."""
    out = []
    for table in _provider_tables(loader, months):
        for row in table.to_rows():
            if provider_ids is not None and row["provider"] not in provider_ids:
                continue
            out.append(
                ProviderWaitRow(
                    month=month_label((row["year"], row["month"])),
                    provider_id=row["provider"],
                    diagnosis_group=loader.group_codes[row["diagnosis_group"]],
                    waiting_intake=row["waiting_intake"],
                    waiting_treatment=row["waiting_treatment"],
                    median_wait_intake=_nan_to_none(row["median_wait_intake"]),
                    median_wait_treatment=_nan_to_none(row["median_wait_treatment"]),
                    breach_intake=bool(row["breach_intake"]),
                    breach_treatment=bool(row["breach_treatment"]),
                )
            )
    return out


def hotspot_rows(
    loader: Loader,
    months: Sequence[Month],
    *,
    min_months: int = 3,
    provider_ids: set[int] | None = None,
) -> list[HotspotRow]:
    """Breaches that lasted `min_months` consecutive months or more (engine `hotspots`)."""
    tables = _provider_tables(loader, months)
    if not tables:
        return []
    merged = wc.ProviderWaitTable(
        **{
            name: np.concatenate([t.columns()[name] for t in tables])
            for name in tables[0].columns()
        }
    )
    out = []
    for h in wc.hotspots(merged, min_months=min_months):
        if provider_ids is not None and h.provider not in provider_ids:
            continue
        out.append(
            HotspotRow(
                provider_id=h.provider,
                diagnosis_group=loader.group_codes[h.diagnosis_group],
                norm=h.norm,
                start=month_label(h.start),
                end=month_label(h.end),
                months=h.length,
            )
        )
    return out


def largest_breach_rows(
    loader: Loader, kind: str, months: Iterable[Month], *, region: str | None = None
) -> list[LargestBreachRow]:
    """Per month × region the provider with the most waiting registrations over the norm
    (seed 002: it takes the lead for the region's transfer mechanism)."""
    out = []
    for month in months:
        regs = loader.registrations(month)
        if not len(regs):
            continue
        rom, regions = loader.region_map(kind, month)
        wanted = _region_filter(regions, region)
        table = wc.largest_breaches(regs, region_of_municipality=rom, months=[month])
        for row in table.to_rows():
            if wanted is not None and row["region"] != wanted:
                continue
            out.append(
                LargestBreachRow(
                    month=month_label(month),
                    region=regions[row["region"]],
                    provider_id=row["provider"],
                    over_norm=row["over_norm"],
                    over_norm_intake=row["over_norm_intake"],
                    over_norm_treatment=row["over_norm_treatment"],
                    registrations_waiting=row["registrations_waiting"],
                )
            )
    out.sort(key=lambda r: (r.month, region_sort_key(r.region)))
    return out
