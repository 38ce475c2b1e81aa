"""The waiting-count engine: waiting lists on peildata, flows and provider hotspots.

Counting rules (the DuckDB SQL in :mod:`vangnet.engines.waitcount.oracle` is the readable
specification; the tests check this module against it cell for cell):

* Peildatum = last day of the month. A registration **waits** on peildatum ``p`` when
  ``registration_date <= p`` and neither ``treatment_start_date`` nor ``exit_date`` is ``<= p``.
  It waits **for intake** when it has no ``intake_date <= p``, otherwise **for treatment**.
* Region of a registration = ``region_of_municipality[municipality]`` (the client's
  municipality); -1 means "in no region", such registrations are left out of every regional
  figure (they still count for the provider figures, which are not regional).
* Over norm on ``p``: waiting for intake and ``p - registration_date > 28``; waiting for
  treatment and ``p - intake_date > 70``.
* Flows in month m: intakes with ``intake_date`` in m (wait = intake - registration) and
  treatment starts with ``treatment_start_date`` in m (wait = start - intake, or start -
  registration when the intake date is missing). Within norm: wait <= 28 resp. <= 70 days.
  Flows do not depend on whether a registration waits on any peildatum.
* Percentiles (median, p80) use **linear interpolation between closest ranks**, i.e. numpy's
  default ``method="linear"`` and DuckDB's ``quantile_cont``: for sorted values ``v[0..n-1]``,
  ``h = q * (n - 1)`` and the result is ``v[floor(h)] + (h - floor(h)) * (v[floor(h)+1] -
  v[floor(h)])``.
* Months may be given in any order and with duplicates; results are per distinct month, sorted.

All functions are pure (numpy in, numpy out) and never import Django or other Vangnet code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from vangnet.engines.waitcount import _kernels as K
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
    months_arrays,
    normalise_months,
)

# Month indices are int16 in the day -> month table (a small table stays in cache).
_MAX_MONTHS = 30_000
_PARALLEL_MIN_ROWS = 500_000


def _check_region_map(regs: Registrations, region_of_municipality: npt.ArrayLike) -> np.ndarray:
    rom = np.ascontiguousarray(region_of_municipality, dtype=np.int32)
    if rom.ndim != 1:
        raise ValueError("region_of_municipality must be 1-D")
    if len(rom) and int(rom.min()) < -1:
        raise ValueError("region_of_municipality values must be >= -1")
    if len(regs):
        lo, hi = int(regs.municipality.min()), int(regs.municipality.max())
        if lo < 0 or hi >= len(rom):
            raise ValueError(
                f"municipality codes must index region_of_municipality (0..{len(rom) - 1}), "
                f"got {lo}..{hi}"
            )
    return rom


def _dense_persons(person: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], int]:
    """Person codes are used as array indices; re-factorise them when they are sparse."""
    if len(person) == 0:
        return person, 0
    n_persons = int(person.max()) + 1
    if n_persons > 2 * len(person) + 1024:
        uniq, inv = np.unique(person, return_inverse=True)
        return inv.astype(np.int64), len(uniq)
    return person, n_persons


def _month_lut(peil: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int16], int]:
    """Table for ``np.searchsorted(peil, day, 'left')`` at index ``clamp(day - base, 0, len-1)``:
    entry 0 stands for every day before the first peildatum (0), the last entry for every day
    after the last one (n_months), so the kernels need no range branches."""
    days = np.arange(int(peil[0]), int(peil[-1]) + 1, dtype=np.int64)
    lut = np.empty(len(days) + 2, np.int16)
    lut[0] = 0
    lut[1:-1] = np.searchsorted(peil, days, side="left")
    lut[-1] = len(peil)
    return lut, int(peil[0]) - 1


def _empty_counts() -> CountTable:
    i32 = np.empty(0, np.int32)
    i64 = np.empty(0, np.int64)
    return CountTable(i32, i32, i32, i32, *([i64] * 8))


def _count_cells(
    regs: Registrations,
    person: npt.NDArray[np.int64],
    n_persons: int,
    rom: npt.NDArray[np.int32],
    lut: npt.NDArray[np.int16],
    lut_base: int,
    n_months: int,
    n_groups: int,
) -> npt.NDArray[np.int64]:
    """The kernel pipeline (see :mod:`._kernels`). Returns counters per cell, shape
    (n_months * stride, 7): regs intake, regs treatment, over intake, over treatment, repeats,
    multi-provider persons, persons by preference."""
    stride = (int(rom.max()) + 1) * n_groups
    n_cells = n_months * stride
    dates = (regs.registration_date, regs.intake_date, regs.treatment_start_date, regs.exit_date)
    norms = (INTAKE_NORM_DAYS, TREATMENT_NORM_DAYS)
    cell_base = K._cell_base(
        regs.municipality,
        regs.diagnosis_group,
        regs.registration_date,
        regs.treatment_start_date,
        regs.exit_date,
        rom,
        lut,
        lut_base,
        n_groups,
    )
    cnt = K._person_counts_u8(person, cell_base, n_persons)
    if len(cnt) and int(cnt.max()) == 255:  # saturated: someone has >= 255 registrations
        cnt = K._person_counts_exact(person, cell_base, n_persons)
    bits, offset, bounds = K._multi_layout(cnt)
    n_chunks = numba.get_num_threads()
    diff, multi_rows, n_multi_rows = K._count_singles(
        person,
        cell_base,
        regs.preferred,
        *dates,
        lut,
        lut_base,
        n_months,
        stride,
        *norms,
        bits,
        n_chunks,
    )
    records = K._scatter_multi(
        multi_rows,
        n_multi_rows,
        person,
        cell_base,
        regs.provider,
        regs.preferred,
        *dates,
        lut,
        lut_base,
        *norms,
        offset,
        int(bounds[-1]),
        n_chunks,
    )
    diff_multi, direct = K._count_multi(bounds, records, n_months, stride, n_chunks)
    runs = (diff.sum(axis=0) + diff_multi.sum(axis=0)).reshape(n_months + 1, stride, K.N_DIFF)
    runs = np.cumsum(runs, axis=0)[:n_months].reshape(n_cells, K.N_DIFF)
    x = direct.sum(axis=0)
    return np.stack(
        [
            runs[:, K.D_REGS_INTAKE],
            runs[:, K.D_REGS_TREATMENT],
            runs[:, K.D_OVER_INTAKE],
            runs[:, K.D_OVER_TREATMENT],
            x[:, K.X_REPEATS],
            x[:, K.X_MULTI],
            runs[:, K.D_PREF_SINGLE] + x[:, K.X_PREF],
        ],
        axis=1,
    )


# Columns of _count_cells' result.
_C_REGS_INTAKE, _C_REGS_TREATMENT, _C_OVER_INTAKE, _C_OVER_TREATMENT = 0, 1, 2, 3
_C_REPEATS, _C_MULTI, _C_PREF = 4, 5, 6


def waiting_counts(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
    n_threads: int | None = None,
) -> CountTable:
    """Waiting registrations and persons per month × region × diagnosis group.

    ``n_threads`` caps the numba threads (default: one thread below 500,000 registrations,
    else numba's setting, i.e. all cores; on shared machines consider
    ``OMP_WAIT_POLICY=PASSIVE`` for numba's OpenMP threading layer).
    Returns only cells with at least one waiting registration, sorted by month, region, group.

    Working memory: about 30 bytes per registration plus ~100 bytes per thread per possible
    cell (months × regions × groups; 24 × 25 × 14 = 8,400 cells for two years of
    veiligheidsregio's, i.e. negligible). The first call in a process loads the compiled
    kernels from numba's cache (or compiles them, some seconds, when the cache is cold).
    """
    rom = _check_region_map(regs, region_of_municipality)
    month_list = normalise_months(months)
    if len(month_list) > _MAX_MONTHS:
        raise ValueError(f"at most {_MAX_MONTHS} months")
    if len(regs) == 0 or not month_list or len(rom) == 0 or int(rom.max()) < 0:
        return _empty_counts()
    years, mons, peil = months_arrays(month_list)
    lut, lut_base = _month_lut(peil)
    n_months = len(month_list)
    n_regions = int(rom.max()) + 1
    n_groups = int(regs.diagnosis_group.max()) + 1
    stride = n_regions * n_groups
    person, n_persons = _dense_persons(regs.person)

    if n_threads is None:
        # Below ~0.5 M rows a second thread gains nothing measurable, and on a busy machine
        # the OpenMP barrier of an oversubscribed thread pool can cost 10x the work itself.
        threads = 1 if len(regs) < _PARALLEL_MIN_ROWS else numba.get_num_threads()
    else:
        threads = max(1, n_threads)
    old = numba.get_num_threads()
    max_threads: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    numba.set_num_threads(min(threads, max_threads))
    try:
        total = _count_cells(regs, person, n_persons, rom, lut, lut_base, n_months, n_groups)
    finally:
        numba.set_num_threads(old)
    regs_waiting = total[:, _C_REGS_INTAKE] + total[:, _C_REGS_TREATMENT]

    cells = np.flatnonzero(regs_waiting)
    k = cells // stride
    rg = cells % stride
    sel = total[cells]
    return CountTable(
        year=years[k],
        month=mons[k],
        region=(rg // n_groups).astype(np.int32),
        diagnosis_group=(rg % n_groups).astype(np.int32),
        registrations_waiting=regs_waiting[cells],
        registrations_waiting_intake=sel[:, _C_REGS_INTAKE].copy(),
        registrations_waiting_treatment=sel[:, _C_REGS_TREATMENT].copy(),
        persons_waiting=regs_waiting[cells] - sel[:, _C_REPEATS],
        persons_multi_provider=sel[:, _C_MULTI].copy(),
        persons_by_preference=sel[:, _C_PREF].copy(),
        over_norm_intake=sel[:, _C_OVER_INTAKE].copy(),
        over_norm_treatment=sel[:, _C_OVER_TREATMENT].copy(),
    )


# --------------------------------------------------------------------------------------------
# Shared vectorised helpers for the lighter figures below (numpy, no JIT: they are not the
# national hot path and are easier to audit this way).


def _grouped_quantiles(
    keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64], qs: Sequence[float]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[npt.NDArray[np.float64]]]:
    """Per distinct key (ascending): count and the linear-interpolation quantiles ``qs``."""
    order = np.lexsort((values, keys))
    k = keys[order]
    v = values[order].astype(np.float64)
    if len(k) == 0:
        return k, np.empty(0, np.int64), [np.empty(0, np.float64) for _ in qs]
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    counts = np.diff(np.r_[first, len(k)])
    out = []
    for q in qs:
        h = q * (counts - 1)
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, counts - 1)
        frac = h - lo
        a = v[first + lo]
        b = v[first + hi]
        out.append(a + frac * (b - a))
    return k[first], counts.astype(np.int64), out


def _waiting_pairs(
    regs: Registrations, peil: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All (registration index, month index) pairs where the registration waits."""
    end = np.minimum(regs.treatment_start_date, regs.exit_date)
    k0 = np.searchsorted(peil, regs.registration_date, side="left")
    k1 = np.searchsorted(peil, end, side="left")
    n = np.maximum(k1 - k0, 0)
    idx = np.repeat(np.arange(len(regs), dtype=np.int64), n)
    offsets = np.cumsum(n) - n
    k = k0[idx] + (np.arange(len(idx), dtype=np.int64) - offsets[idx])
    return idx, k.astype(np.int64)


def _month_keys(days: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """Calendar month key (months since 1970-01) of each date; MISSING gives a huge key."""
    out = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    out[days == MISSING] = np.iinfo(np.int64).max
    return out


def _align(
    keys: npt.NDArray[np.int64], sub: npt.NDArray[np.int64], values: Any, fill: float | int
) -> Any:
    """Spread ``values`` (one per key in ``sub``, a sorted subset of ``keys``) over ``keys``."""
    out = np.full(len(keys), fill, dtype=np.float64 if isinstance(fill, float) else np.int64)
    out[np.searchsorted(keys, sub)] = values
    return out


def flows(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
) -> FlowTable:
    """Intakes and treatment starts per month × region × diagnosis group with realised waits."""
    rom = _check_region_map(regs, region_of_municipality)
    month_list = normalise_months(months)
    years, mons, _ = months_arrays(month_list)
    if len(regs) == 0 or not month_list or len(rom) == 0 or int(rom.max()) < 0:
        e32, e64, ef = np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0, np.float64)
        return FlowTable(e32, e32, e32, e32, e64, ef, ef, ef, e64, ef, ef, ef)
    n_groups = int(regs.diagnosis_group.max()) + 1
    stride = (int(rom.max()) + 1) * n_groups
    month_keys = (years.astype(np.int64) - 1970) * 12 + mons - 1
    region = rom[regs.municipality]
    cell_rg = region.astype(np.int64) * n_groups + regs.diagnosis_group

    def one(
        date: npt.NDArray[np.int32], since: npt.NDArray[np.int32], norm: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Any, Any, Any]:
        mk = _month_keys(date)
        k = np.minimum(np.searchsorted(month_keys, mk), len(month_keys) - 1)
        ok = (region >= 0) & (date != MISSING) & (month_keys[k] == mk)
        keys = k[ok].astype(np.int64) * stride + cell_rg[ok]
        waits = date[ok].astype(np.int64) - since[ok]
        uk, n, (med, p80) = _grouped_quantiles(keys, waits, (0.5, 0.8))
        within = np.bincount(np.searchsorted(uk, keys), weights=waits <= norm, minlength=len(uk))
        return uk, n, med, p80, within / np.maximum(n, 1)

    since_treatment = np.where(
        regs.intake_date != MISSING, regs.intake_date, regs.registration_date
    ).astype(np.int32)
    ik, i_n, i_med, i_p80, i_share = one(regs.intake_date, regs.registration_date, INTAKE_NORM_DAYS)
    tk, t_n, t_med, t_p80, t_share = one(
        regs.treatment_start_date, since_treatment, TREATMENT_NORM_DAYS
    )
    keys = np.union1d(ik, tk)
    k = keys // stride
    rg = keys % stride
    nan = float("nan")
    return FlowTable(
        year=years[k],
        month=mons[k],
        region=(rg // n_groups).astype(np.int32),
        diagnosis_group=(rg % n_groups).astype(np.int32),
        intakes=_align(keys, ik, i_n, 0),
        intake_wait_median=_align(keys, ik, i_med, nan),
        intake_wait_p80=_align(keys, ik, i_p80, nan),
        intake_within_norm_share=_align(keys, ik, i_share, nan),
        treatment_starts=_align(keys, tk, t_n, 0),
        treatment_wait_median=_align(keys, tk, t_med, nan),
        treatment_wait_p80=_align(keys, tk, t_p80, nan),
        treatment_within_norm_share=_align(keys, tk, t_share, nan),
    )


def provider_waits(regs: Registrations, *, months: Sequence[tuple[int, int]]) -> ProviderWaitTable:
    """Median wait per month × provider × diagnosis group of the registrations waiting for intake
    (days since registration) and for treatment (days since intake), with breach flags
    (median > 28 resp. > 70 days). Not regional: every registration counts."""
    month_list = normalise_months(months)
    years, mons, peil = months_arrays(month_list)
    n_groups = int(regs.diagnosis_group.max()) + 1 if len(regs) else 1
    n_prov = int(regs.provider.max()) + 1 if len(regs) else 1
    idx, k = _waiting_pairs(regs, peil)
    p = peil[k].astype(np.int64)
    intake = regs.intake_date[idx].astype(np.int64)
    for_treatment = intake <= p
    wait = np.where(for_treatment, p - intake, p - regs.registration_date[idx])
    cell = (k * n_prov + regs.provider[idx]) * n_groups + regs.diagnosis_group[idx]
    keys = cell * 2 + for_treatment
    uk, n, (med,) = _grouped_quantiles(keys, wait, (0.5,))
    cells = np.unique(uk // 2)
    pos = np.searchsorted(cells, uk // 2)
    phase = uk % 2
    n_by = np.zeros((len(cells), 2), np.int64)
    med_by = np.full((len(cells), 2), np.nan)
    n_by[pos, phase] = n
    med_by[pos, phase] = med
    km = cells // (n_prov * n_groups)
    pg = cells % (n_prov * n_groups)
    return ProviderWaitTable(
        year=years[km] if len(cells) else np.empty(0, np.int32),
        month=mons[km] if len(cells) else np.empty(0, np.int32),
        provider=(pg // n_groups).astype(np.int32),
        diagnosis_group=(pg % n_groups).astype(np.int32),
        waiting_intake=n_by[:, 0].copy(),
        waiting_treatment=n_by[:, 1].copy(),
        median_wait_intake=med_by[:, 0].copy(),
        median_wait_treatment=med_by[:, 1].copy(),
        # NaN > x is False: no waiting registrations, no breach.
        breach_intake=med_by[:, 0] > INTAKE_NORM_DAYS,
        breach_treatment=med_by[:, 1] > TREATMENT_NORM_DAYS,
    )


def hotspots(table: ProviderWaitTable, *, min_months: int = 3) -> list[Hotspot]:
    """Maximal runs of >= ``min_months`` consecutive calendar months in which a provider ×
    diagnosis group breached a norm. A month absent from the table (nobody waiting) breaks a run.
    Sorted by provider, diagnosis group, norm ("intake" before "treatment"), start month."""
    out: list[Hotspot] = []
    mk = table.year.astype(np.int64) * 12 + table.month - 1
    for norm, flag in (("intake", table.breach_intake), ("treatment", table.breach_treatment)):
        sel = np.flatnonzero(flag)
        order = np.lexsort((mk[sel], table.diagnosis_group[sel], table.provider[sel]))
        sel = sel[order]
        prov, grp, m = table.provider[sel], table.diagnosis_group[sel], mk[sel]
        if len(sel) == 0:
            continue
        new_run = np.r_[True, (prov[1:] != prov[:-1]) | (grp[1:] != grp[:-1]) | (np.diff(m) != 1)]
        starts = np.flatnonzero(new_run)
        lengths = np.diff(np.r_[starts, len(sel)])
        for s, n in zip(starts.tolist(), lengths.tolist(), strict=True):
            if n >= min_months:
                a, b = int(m[s]), int(m[s + n - 1])
                out.append(
                    Hotspot(
                        provider=int(prov[s]),
                        diagnosis_group=int(grp[s]),
                        norm=norm,
                        start=(a // 12, a % 12 + 1),
                        end=(b // 12, b % 12 + 1),
                        length=n,
                    )
                )
    out.sort(key=lambda h: (h.provider, h.diagnosis_group, h.norm, h.start))
    return out


def largest_breaches(
    regs: Registrations,
    *,
    region_of_municipality: npt.ArrayLike,
    months: Sequence[tuple[int, int]],
) -> TopProviderTable:
    """Per month × region the provider with the most waiting registrations over norm (intake +
    treatment) among its waiting registrations in that region; ties: lowest provider code."""
    rom = _check_region_map(regs, region_of_municipality)
    month_list = normalise_months(months)
    years, mons, peil = months_arrays(month_list)
    n_prov = int(regs.provider.max()) + 1 if len(regs) else 1
    n_regions = int(rom.max()) + 1 if len(rom) else 0
    idx, k = _waiting_pairs(regs, peil)
    region = rom[regs.municipality[idx]] if len(idx) else np.empty(0, np.int32)
    keep = region >= 0
    idx, k, region = idx[keep], k[keep], region[keep].astype(np.int64)
    p = peil[k].astype(np.int64)
    intake = regs.intake_date[idx].astype(np.int64)
    for_treatment = intake <= p
    over_i = ~for_treatment & (p - regs.registration_date[idx] > INTAKE_NORM_DAYS)
    over_t = for_treatment & (p - intake > TREATMENT_NORM_DAYS)
    key = (k * max(n_regions, 1) + region) * n_prov + regs.provider[idx]
    uk, inv = np.unique(key, return_inverse=True)
    n_reg = np.bincount(inv, minlength=len(uk)).astype(np.int64)
    n_oi = np.bincount(inv, weights=over_i, minlength=len(uk)).astype(np.int64)
    n_ot = np.bincount(inv, weights=over_t, minlength=len(uk)).astype(np.int64)
    n_over = n_oi + n_ot
    kr = uk // n_prov
    prov = uk % n_prov
    # Best first within each (month, region): most over norm, then lowest provider code.
    order = np.lexsort((prov, -n_over, kr))
    first = order[np.r_[True, kr[order][1:] != kr[order][:-1]]] if len(order) else order
    first = first[n_over[first] > 0]
    km = kr[first] // max(n_regions, 1)
    return TopProviderTable(
        year=years[km] if len(first) else np.empty(0, np.int32),
        month=mons[km] if len(first) else np.empty(0, np.int32),
        region=(kr[first] % max(n_regions, 1)).astype(np.int32),
        provider=prov[first].astype(np.int32),
        over_norm=n_over[first],
        over_norm_intake=n_oi[first],
        over_norm_treatment=n_ot[first],
        registrations_waiting=n_reg[first],
    )
