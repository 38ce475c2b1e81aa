"""Stored waiting-list figures: computed once per month when its submissions change, read by the
pages, the API and the command.

`refresh_months` runs the engine (through `counting`) over a month's registrations and replaces
that month's stored rows; it is idempotent and runs inside the import's transaction, so stored
figures never disagree with the stored registrations. The readers return the same dataclasses
as `counting`, in the same order: a test compares them on generated data (ADR 0010).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet

from vangnet.engines import waitcount as wc

from . import counting
from .counting import (
    ALL_GROUPS,
    CountRow,
    FlowRow,
    HotspotRow,
    LargestBreachRow,
    Month,
    ProviderWaitRow,
)
from .models import (
    DiagnosisGroup,
    LargestBreach,
    ProviderWait,
    RegionKind,
    WaitCount,
    WaitFlow,
)

COUNT_FIELDS = (
    "registrations_waiting",
    "persons_waiting",
    "persons_multi_provider",
    "persons_by_preference",
    "over_norm_intake",
    "over_norm_treatment",
    "registrations_waiting_intake",
    "registrations_waiting_treatment",
)
FLOW_FIELDS = (
    "intakes",
    "intake_wait_median",
    "intake_wait_p80",
    "intake_within_norm_share",
    "treatment_starts",
    "treatment_wait_median",
    "treatment_wait_p80",
    "treatment_within_norm_share",
)
PROVIDER_FIELDS = (
    "waiting_intake",
    "waiting_treatment",
    "median_wait_intake",
    "median_wait_treatment",
    "breach_intake",
    "breach_treatment",
)
LARGEST_FIELDS = ("over_norm", "over_norm_intake", "over_norm_treatment", "registrations_waiting")


def _period(month: Month) -> date:
    return date(month[0], month[1], 1)


# ------------------------------------------------------------------------------------------
# Writing


def refresh_months(
    periods: Iterable[date],
    *,
    preloaded: Mapping[date, tuple[pl.DataFrame, list[int]]] | None = None,
) -> None:
    """Recompute and replace the stored figures of these months (first days). A month without
    registrations ends up without stored rows, exactly as the engine would report it.
    `preloaded`: per month the rows an import holds in memory and their providers (these
    providers' stored rows are not read back)."""
    loader = counting.Loader({(p.year, p.month): value for p, value in (preloaded or {}).items()})
    with transaction.atomic():
        for period in sorted(set(periods)):
            month = (period.year, period.month)
            _refresh_month(loader, month, period)
            loader.forget(month)  # a national month is ~100 MB of arrays


def _refresh_month(loader: counting.Loader, month: Month, period: date) -> None:
    for model in (WaitCount, WaitFlow, ProviderWait, LargestBreach):
        model.objects.filter(period=period).delete()
    counts: list[tuple[Any, ...]] = []
    flows: list[tuple[Any, ...]] = []
    largest: list[tuple[Any, ...]] = []
    for kind in RegionKind.values:
        for across in (False, True):
            for c in counting.count_rows(loader, kind, [month], across_groups=across):
                counts.append(
                    (
                        period,
                        kind,
                        c.region,
                        c.diagnosis_group,
                        *(getattr(c, f) for f in COUNT_FIELDS),
                    )
                )
            for f in counting.flow_rows(loader, kind, [month], across_groups=across):
                flows.append(
                    (
                        period,
                        kind,
                        f.region,
                        f.diagnosis_group,
                        *(getattr(f, n) for n in FLOW_FIELDS),
                    )
                )
        for b in counting.largest_breach_rows(loader, kind, [month]):
            largest.append(
                (period, kind, b.region, b.provider_id, *(getattr(b, n) for n in LARGEST_FIELDS))
            )
    waits = [
        (period, w.provider_id, w.diagnosis_group, *(getattr(w, n) for n in PROVIDER_FIELDS))
        for w in counting.provider_wait_rows(loader, [month])
    ]
    cell = ("period", "region_kind", "region_code", "diagnosis_group")
    _insert(WaitCount, (*cell, *COUNT_FIELDS), counts)
    _insert(WaitFlow, (*cell, *FLOW_FIELDS), flows)
    _insert(
        LargestBreach,
        ("period", "region_kind", "region_code", "provider_id", *LARGEST_FIELDS),
        largest,
    )
    _insert(ProviderWait, ("period", "provider_id", "diagnosis_group", *PROVIDER_FIELDS), waits)


def _insert(model: type[Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain rows into a stored-figures table: COPY on PostgreSQL (a national month has ~20,000
    provider rows; model instances cost seconds), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=2000
        )
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row(r)


def refresh_all() -> list[date]:
    """Recompute every month that has registrations (after a change of the region division, or
    once after upgrading to stored figures). Returns the months refreshed."""
    from .models import Submission

    periods = set(Submission.objects.values_list("period", flat=True).distinct())
    stored = set(WaitCount.objects.values_list("period", flat=True).distinct())
    refresh_months(periods | stored)
    return sorted(periods)


# ------------------------------------------------------------------------------------------
# Reading (the same rows as the `counting` functions, from the stored tables)


def _cells(
    model: type[WaitCount] | type[WaitFlow],
    kind: str,
    months: Sequence[Month],
    region: str | None,
    across: bool,
) -> QuerySet[Any]:
    qs: QuerySet[Any] = model.objects.filter(
        region_kind=kind, period__in=[_period(m) for m in months]
    )
    if region is not None:
        qs = qs.filter(region_code=region)
    if across:
        return qs.filter(diagnosis_group=ALL_GROUPS)
    return qs.exclude(diagnosis_group=ALL_GROUPS)


def count_rows(
    kind: str, months: Sequence[Month], *, region: str | None = None, across_groups: bool = False
) -> list[CountRow]:
    return _count_rows(_cells(WaitCount, kind, months, region, across_groups))


def count_rows_both(
    kind: str, months: Sequence[Month], *, region: str | None = None
) -> tuple[list[CountRow], list[CountRow]]:
    """`count_rows` per diagnosis group and across the groups, in one query."""
    qs = WaitCount.objects.filter(region_kind=kind, period__in=[_period(m) for m in months])
    if region is not None:
        qs = qs.filter(region_code=region)
    rows = _count_rows(qs)
    return (
        [r for r in rows if r.diagnosis_group != ALL_GROUPS],
        [r for r in rows if r.diagnosis_group == ALL_GROUPS],
    )


def _count_rows(qs: QuerySet[Any]) -> list[CountRow]:
    rows = qs.values_list("period", "region_code", "diagnosis_group", *COUNT_FIELDS)
    out = [
        CountRow(
            counting.month_label((p.year, p.month)),
            code,
            group,
            *values,
        )
        for p, code, group, *values in rows
    ]
    out.sort(key=lambda r: (r.month, counting.region_sort_key(r.region), r.diagnosis_group))
    return out


def flow_rows(
    kind: str, months: Sequence[Month], *, region: str | None = None, across_groups: bool = False
) -> list[FlowRow]:
    rows = _cells(WaitFlow, kind, months, region, across_groups).values_list(
        "period", "region_code", "diagnosis_group", *FLOW_FIELDS
    )
    out = [
        FlowRow(counting.month_label((p.year, p.month)), code, group, *values)
        for p, code, group, *values in rows
    ]
    out.sort(key=lambda r: (r.month, counting.region_sort_key(r.region), r.diagnosis_group))
    return out


def _provider_waits(
    months: Sequence[Month],
    provider_ids: Collection[int] | QuerySet[Any] | None,
    *,
    breaches_only: bool = False,
) -> list[ProviderWaitRow]:
    qs = ProviderWait.objects.filter(period__in=[_period(m) for m in months])
    if provider_ids is not None:
        qs = qs.filter(provider_id__in=provider_ids)
    if breaches_only:
        qs = qs.filter(Q(breach_intake=True) | Q(breach_treatment=True))
    rows = qs.order_by("period", "provider_id", "id").values_list(
        "period", "provider_id", "diagnosis_group", *PROVIDER_FIELDS
    )
    return [
        ProviderWaitRow(counting.month_label((p.year, p.month)), provider, group, *values)
        for p, provider, group, *values in rows
    ]


def provider_wait_rows(
    months: Sequence[Month], *, provider_ids: set[int] | None = None, breaches_only: bool = False
) -> list[ProviderWaitRow]:
    """Per month × provider × diagnosis group: median waits and breaches of the Treeknorm."""
    return _provider_waits(months, provider_ids, breaches_only=breaches_only)


def hotspot_rows(
    months: Sequence[Month],
    *,
    min_months: int = 3,
    provider_ids: Collection[int] | QuerySet[Any] | None = None,
    group_codes: Sequence[str] | None = None,
) -> list[HotspotRow]:
    """Breaches of `min_months` consecutive months or more. Only breach rows are read: a month
    without a breach ends a run whether or not its row exists, so the result is the same.
    `provider_ids`: ids, or a query of them (used as a subquery). `group_codes`: the diagnosis groups' codes in their order, when the caller has them."""
    rows = _provider_waits(months, provider_ids, breaches_only=True)
    if not rows:
        return []
    codes = list(
        group_codes
        if group_codes is not None
        else DiagnosisGroup.objects.order_by("position").values_list("code", flat=True)
    )
    position = {c: i for i, c in enumerate(codes)}
    n = len(rows)
    table = wc.ProviderWaitTable(
        year=np.fromiter((int(r.month[:4]) for r in rows), dtype=np.int32, count=n),
        month=np.fromiter((int(r.month[5:]) for r in rows), dtype=np.int32, count=n),
        provider=np.fromiter((r.provider_id for r in rows), dtype=np.int32, count=n),
        diagnosis_group=np.fromiter(
            (position[r.diagnosis_group] for r in rows), dtype=np.int32, count=n
        ),
        waiting_intake=np.fromiter((r.waiting_intake for r in rows), dtype=np.int64, count=n),
        waiting_treatment=np.fromiter((r.waiting_treatment for r in rows), dtype=np.int64, count=n),
        median_wait_intake=np.array(
            [np.nan if r.median_wait_intake is None else r.median_wait_intake for r in rows]
        ),
        median_wait_treatment=np.array(
            [np.nan if r.median_wait_treatment is None else r.median_wait_treatment for r in rows]
        ),
        breach_intake=np.fromiter((r.breach_intake for r in rows), dtype=np.bool_, count=n),
        breach_treatment=np.fromiter((r.breach_treatment for r in rows), dtype=np.bool_, count=n),
    )
    return [
        HotspotRow(
            provider_id=h.provider,
            diagnosis_group=codes[h.diagnosis_group],
            norm=h.norm,
            start=counting.month_label(h.start),
            end=counting.month_label(h.end),
            months=h.length,
        )
        for h in wc.hotspots(table, min_months=min_months)
    ]


def largest_breach_rows(
    kind: str, months: Sequence[Month], *, region: str | None = None
) -> list[LargestBreachRow]:
    qs = LargestBreach.objects.filter(region_kind=kind, period__in=[_period(m) for m in months])
    if region is not None:
        qs = qs.filter(region_code=region)
    out = [
        LargestBreachRow(counting.month_label((p.year, p.month)), code, provider, *values)
        for p, code, provider, *values in qs.values_list(
            "period", "region_code", "provider_id", *LARGEST_FIELDS
        )
    ]
    out.sort(key=lambda r: (r.month, counting.region_sort_key(r.region)))
    return out
