"""Numba kernels behind :func:`vangnet.engines.waitcount.waiting_counts`.

Why it is fast (measured on 3 M registrations; the bottlenecks were memory latency and branch
mispredictions, not arithmetic):

* A registration waits on peildatum ``P[k]`` iff ``registration <= P[k] < min(start, exit)``.
  As the peildata are sorted, that is one contiguous run of month indices ``[k0, k1)``; likewise
  "waits for treatment" is ``k >= k_intake`` and "over norm" is ``k >= k_over``. So every
  registration reduces to a few month indices, read from a day -> month index table (``lut``)
  whose first and last entries catch all days before/after the peildata, so the lookup is a
  clamp plus a load, without branches.
* The registration-level counters (waiting for intake/treatment, over norm) are runs of months
  per registration, added to a difference array (+1 at the run start, -1 at its end) and summed
  over the months at the end: a fixed number of increments per registration, no loops whose
  length varies from row to row.
* Unique persons per cell need all registrations of a person together, but only for persons
  with two or more waiting registrations: a person with one waiting registration is one person
  in each cell it touches. So a first pass counts waiting registrations per person (uint8,
  saturating, so the table stays in cache), the single-registration majority is counted straight
  from the rows in their given order, and only the registrations of multi-registration persons
  are scattered into person order (a counting sort, O(n)) as 32-byte records.
* Per multi-registration person a per-cell "stamp" (the last person counted in that cell)
  de-duplicates in O(1), also for the multi-provider and preference counts.
* Parallel passes split rows (or multi persons) into one chunk per thread, each with private
  counters (cells are few: months × regions × groups), summed at the end: no atomics, no locks.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Range counters, kept as difference arrays over the months: shape ((n_months + 1) * stride, 8).
D_REGS_INTAKE = 0
D_REGS_TREATMENT = 1
D_OVER_INTAKE = 2
D_OVER_TREATMENT = 3
D_PREF_SINGLE = 4  # preference of single-registration persons (multi: see X_PREF)
N_DIFF = 8  # 5 used; 8 int64 = one 64-byte cache line per cell

# Per-month counters of multi-registration persons: shape (n_months * stride, 4).
X_REPEATS = 0  # registrations of a person already counted in that cell
X_MULTI = 1
X_PREF = 2
N_DIRECT = 4

# Fields of a multi-registration record (int32).
R_CELL = 0  # region * n_groups + diagnosis_group
R_PROVIDER = 1
R_PREFERRED = 2
R_K0 = 3  # first month index waiting
R_K1 = 4  # one past the last month index waiting
R_KT = 5  # first month index waiting for treatment, clamped into [k0, k1]
R_KOI = 6  # first month index over the intake norm, clamped into [k0, kt]
R_KOT = 7  # first month index over the treatment norm, clamped into [kt, k1]
N_FIELDS = 8


@njit(cache=True, inline="always")
def _month_index(lut, lut_base, day):
    """np.searchsorted(peildata, day, 'left') via the clamped table (see module docstring)."""
    d = min(max(np.int64(day) - lut_base, 0), lut.shape[0] - 1)
    return np.int64(lut[d])


@njit(cache=True, inline="always")
def _runs(lut, lut_base, reg, intake, end, intake_norm, treatment_norm):
    """Month index runs of one registration: (k0, k1, kt, koi, kot), see R_*.

    Waiting for intake on months [k0, kt), for treatment on [kt, k1); over the intake norm on
    [koi, kt), over the treatment norm on [kot, k1). Over norm means peildatum - date > norm,
    i.e. peildatum >= date + norm + 1. A missing intake is int32 max: beyond every peildatum
    even plus the norm (computed in int64), so such a registration waits for intake throughout.
    """
    reg = np.int64(reg)
    intake = np.int64(intake)
    k0 = _month_index(lut, lut_base, reg)
    k1 = _month_index(lut, lut_base, end)
    kt = max(min(_month_index(lut, lut_base, intake), k1), k0)
    koi = min(max(_month_index(lut, lut_base, reg + intake_norm + 1), k0), kt)
    kot = min(max(_month_index(lut, lut_base, intake + treatment_norm + 1), kt), k1)
    return k0, k1, kt, koi, kot


@njit(cache=True, inline="always")
def _add_runs(diff, stride, cell0, k0, k1, kt, koi, kot):
    diff[k0 * stride + cell0, D_REGS_INTAKE] += 1
    diff[kt * stride + cell0, D_REGS_INTAKE] -= 1
    diff[kt * stride + cell0, D_REGS_TREATMENT] += 1
    diff[k1 * stride + cell0, D_REGS_TREATMENT] -= 1
    diff[koi * stride + cell0, D_OVER_INTAKE] += 1
    diff[kt * stride + cell0, D_OVER_INTAKE] -= 1
    diff[kot * stride + cell0, D_OVER_TREATMENT] += 1
    diff[k1 * stride + cell0, D_OVER_TREATMENT] -= 1


@njit(cache=True, parallel=True)
def _cell_base(
    municipality,
    diagnosis_group,
    registration_date,
    treatment_start_date,
    exit_date,
    region_of_municipality,
    lut,
    lut_base,
    n_groups,
):
    """Per registration its region × group cell base, or -1 when it is in no region or waits on
    none of the peildata (cheap and parallel, so that later passes skip those rows)."""
    n = municipality.shape[0]
    out = np.empty(n, np.int32)
    for i in prange(n):
        r = region_of_municipality[municipality[i]]
        end = min(np.int64(treatment_start_date[i]), np.int64(exit_date[i]))
        k0 = _month_index(lut, lut_base, registration_date[i])
        k1 = _month_index(lut, lut_base, end)
        out[i] = r * n_groups + diagnosis_group[i] if r >= 0 and k0 < k1 else -1
    return out


@njit(cache=True)
def _person_counts_u8(person, cell_base, n_persons):
    """Waiting registrations per person, saturating at 255 (serial: parallel increments race).
    uint8 keeps the table a quarter the size of int32, so more of it stays in cache."""
    cnt = np.zeros(n_persons, np.uint8)
    for i in range(person.shape[0]):
        if cell_base[i] >= 0:
            p = person[i]
            c = cnt[p]
            cnt[p] = c + (c < 255)
    return cnt


@njit(cache=True)
def _person_counts_exact(person, cell_base, n_persons):
    """Exact counts; only needed when some person has 255 or more waiting registrations."""
    cnt = np.zeros(n_persons, np.int64)
    for i in range(person.shape[0]):
        if cell_base[i] >= 0:
            cnt[person[i]] += 1
    return cnt


@njit(cache=True)
def _multi_layout(cnt):
    """For persons with >= 2 waiting registrations: a bitmap (``bits``), their first record slot
    (``offset[p]``) and the record boundaries of each such person in order (``bounds``)."""
    n_persons = cnt.shape[0]
    bits = np.zeros((n_persons + 63) // 64, np.uint64)
    offset = np.empty(n_persons, np.int64)
    n_multi = 0
    for p in range(n_persons):
        if cnt[p] >= 2:
            n_multi += 1
    bounds = np.empty(n_multi + 1, np.int64)
    pos = np.int64(0)
    m = 0
    for p in range(n_persons):
        if cnt[p] >= 2:
            bits[p >> 6] |= np.uint64(1) << np.uint64(p & 63)
            offset[p] = pos
            bounds[m] = pos
            pos += np.int64(cnt[p])
            m += 1
    bounds[n_multi] = pos
    return bits, offset, bounds


@njit(cache=True, inline="always")
def _is_multi(bits, p):
    return (bits[p >> 6] >> np.uint64(p & 63)) & np.uint64(1)


@njit(cache=True, parallel=True)
def _count_singles(
    person,
    cell_base,
    preferred,
    registration_date,
    intake_date,
    treatment_start_date,
    exit_date,
    lut,
    lut_base,
    n_months,
    stride,
    intake_norm,
    treatment_norm,
    bits,
    n_chunks,
):
    """Difference-array counters of the persons with one waiting registration, per row chunk.
    Also collects, per chunk, the rows of multi-registration persons (``multi_rows[c, :n]``,
    ``n = n_multi_rows[c]``) so that the scatter pass need not scan all rows again."""
    n = person.shape[0]
    diff = np.zeros((n_chunks, (n_months + 1) * stride, N_DIFF), np.int64)
    chunk = (n + n_chunks - 1) // n_chunks
    # np.empty: only the pages actually written (multi rows, a minority) get memory.
    multi_rows = np.empty((n_chunks, chunk), np.int64)
    n_multi_rows = np.zeros(n_chunks, np.int64)
    for c in prange(n_chunks):
        d = diff[c]
        buf = multi_rows[c]
        m = 0
        for i in range(n * c // n_chunks, n * (c + 1) // n_chunks):
            cell0 = cell_base[i]
            if cell0 < 0:
                continue
            if _is_multi(bits, person[i]):
                buf[m] = i
                m += 1
                continue
            end = min(np.int64(treatment_start_date[i]), np.int64(exit_date[i]))
            k0, k1, kt, koi, kot = _runs(
                lut,
                lut_base,
                registration_date[i],
                intake_date[i],
                end,
                intake_norm,
                treatment_norm,
            )
            _add_runs(d, stride, cell0, k0, k1, kt, koi, kot)
            # One registration: the person counts by preference exactly when it is preferred.
            pref = np.int64(preferred[i])
            d[k0 * stride + cell0, D_PREF_SINGLE] += pref
            d[k1 * stride + cell0, D_PREF_SINGLE] -= pref
        n_multi_rows[c] = m
    return diff, multi_rows, n_multi_rows


@njit(cache=True, parallel=True)
def _scatter_multi(
    multi_rows,
    n_multi_rows,
    person,
    cell_base,
    provider,
    preferred,
    registration_date,
    intake_date,
    treatment_start_date,
    exit_date,
    lut,
    lut_base,
    intake_norm,
    treatment_norm,
    offset,
    n_records,
    n_threads,
):
    """Records of the multi-registration persons' waiting registrations, in person order.
    Thread ``h`` handles the persons with codes in its range (so no two threads write the same
    person's ``offset``) and skips the others. Consumes ``offset``."""
    n_persons = offset.shape[0]
    rec = np.empty((n_records, N_FIELDS), np.int32)
    for h in prange(n_threads):
        p_lo = n_persons * h // n_threads
        p_hi = n_persons * (h + 1) // n_threads
        for c in range(multi_rows.shape[0]):
            for t in range(n_multi_rows[c]):
                i = multi_rows[c, t]
                p = person[i]
                if p < p_lo or p >= p_hi:
                    continue
                j = offset[p]
                offset[p] = j + 1
                end = min(np.int64(treatment_start_date[i]), np.int64(exit_date[i]))
                k0, k1, kt, koi, kot = _runs(
                    lut,
                    lut_base,
                    registration_date[i],
                    intake_date[i],
                    end,
                    intake_norm,
                    treatment_norm,
                )
                rec[j, R_CELL] = cell_base[i]
                rec[j, R_PROVIDER] = provider[i]
                rec[j, R_PREFERRED] = preferred[i]
                rec[j, R_K0] = k0
                rec[j, R_K1] = k1
                rec[j, R_KT] = kt
                rec[j, R_KOI] = koi
                rec[j, R_KOT] = kot
    return rec


@njit(cache=True, parallel=True)
def _count_multi(bounds, rec, n_months, stride, n_chunks):
    """Counters of the multi-registration persons; ``bounds`` delimit each person's records.
    Returns (difference-array counters, per-month counters), one of each per chunk."""
    n_cells = n_months * stride
    n_multi = bounds.shape[0] - 1
    diff = np.zeros((n_chunks, n_cells + stride, N_DIFF), np.int64)
    direct = np.zeros((n_chunks, n_cells, N_DIRECT), np.int64)
    for c in prange(n_chunks):
        d = diff[c]
        x = direct[c]
        # Stamps: the last person counted in a cell (-1 = none yet), the first provider seen for
        # that person there, and the last person counted as multi-provider / by preference.
        seen = np.full(n_cells, -1, np.int64)
        first_provider = np.empty(n_cells, np.int32)
        multi_seen = np.full(n_cells, -1, np.int64)
        pref_seen = np.full(n_cells, -1, np.int64)
        for m in range(n_multi * c // n_chunks, n_multi * (c + 1) // n_chunks):
            for j in range(bounds[m], bounds[m + 1]):
                cell0 = rec[j, R_CELL]
                prov = rec[j, R_PROVIDER]
                pref = rec[j, R_PREFERRED]
                k0 = rec[j, R_K0]
                k1 = rec[j, R_K1]
                _add_runs(d, stride, cell0, k0, k1, rec[j, R_KT], rec[j, R_KOI], rec[j, R_KOT])
                for k in range(k0, k1):
                    cell = k * stride + cell0
                    if seen[cell] != m:
                        seen[cell] = m
                        first_provider[cell] = prov
                    else:
                        x[cell, X_REPEATS] += 1
                        if multi_seen[cell] != m and first_provider[cell] != prov:
                            multi_seen[cell] = m
                            x[cell, X_MULTI] += 1
                    if pref and pref_seen[cell] != m:
                        pref_seen[cell] = m
                        x[cell, X_PREF] += 1
    return diff, direct
