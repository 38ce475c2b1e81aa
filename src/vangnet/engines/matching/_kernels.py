"""Numba helpers of the matching engine: the compatible pairs, the greedy yardstick, and the
indexed heap that the exact finisher (:mod:`._finish`) searches with.

The heap orders location indices by ``(dist, index)``, so equal distances are broken by the
lower index and every search is deterministic.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.int64(2**62)


@njit(cache=True, inline="always")
def _less(dist, a, b):
    da = dist[a]
    db = dist[b]
    return da < db or (da == db and a < b)


@njit(cache=True)
def _heap_push_or_decrease(heap, pos, size, dist, j):
    """Indexed binary min-heap of location indices keyed by (dist, index)."""
    i = pos[j]
    if i < 0:
        i = size
        heap[i] = j
        pos[j] = i
        size += 1
    while i > 0:
        parent = (i - 1) >> 1
        pj = heap[parent]
        if _less(dist, j, pj):
            heap[i] = pj
            pos[pj] = i
            i = parent
        else:
            break
    heap[i] = j
    pos[j] = i
    return size


@njit(cache=True)
def _heap_pop(heap, pos, size, dist):
    top = heap[0]
    pos[top] = -1
    size -= 1
    if size == 0:
        return top, size
    last = heap[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and _less(dist, heap[c + 1], heap[c]):
            c += 1
        if _less(dist, heap[c], last):
            heap[i] = heap[c]
            pos[heap[c]] = i
            i = c
        else:
            break
    heap[i] = last
    pos[last] = i
    return top, size


@njit(cache=True)
def greedy_kernel(n_locations, capacity, ptr, loc, cost, stay, order):
    """Candidates in ``order`` each take the cheapest option with room left (cost below stay)."""
    n = stay.shape[0]
    left = capacity.copy()
    edge_of = np.full(n, -1, np.int64)
    for t in range(order.shape[0]):
        i = order[t]
        best = stay[i]
        best_e = -1
        for e in range(ptr[i], ptr[i + 1]):
            if cost[e] < best and left[loc[e]] > 0:
                best = cost[e]
                best_e = e
        if best_e >= 0:
            edge_of[i] = best_e
            left[loc[best_e]] -= 1
    return edge_of


@njit(cache=True)
def compatible_pairs_kernel(
    cand_x,
    cand_y,
    cand_radius,
    cand_group,
    cand_wait,
    loc_x,
    loc_y,
    loc_groups,
    loc_wait,
    refused_ptr,
    refused_loc,
    norm,
    handover,
    km_tenths,
):
    """All compatible (candidate, location) pairs in candidate order, location order within.

    Compatible: the location serves the candidate's group (bit in ``loc_groups``), lies within
    the travel radius (Euclidean km) and is not refused. Cost in tenths of a day:
    ``10 * max(0, wait + handover + location wait - norm) + rint(km_tenths * km)``.
    Two passes (count, then fill) so that memory is allocated once.
    """
    n = cand_x.shape[0]
    m = loc_x.shape[0]
    counts = np.zeros(n, np.int64)
    for i in range(n):
        g = np.int64(1) << cand_group[i]
        r2 = cand_radius[i] * cand_radius[i]
        c = 0
        for j in range(m):
            if loc_groups[j] & g == 0:
                continue
            dx = loc_x[j] - cand_x[i]
            dy = loc_y[j] - cand_y[i]
            if dx * dx + dy * dy <= r2:
                c += 1
        counts[i] = c
    ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        ptr[i + 1] = ptr[i] + counts[i]
    total = ptr[n]
    out_loc = np.empty(total, np.int64)
    out_cost = np.empty(total, np.int64)
    out_km = np.empty(total, np.float64)
    fill = 0
    for i in range(n):
        g = np.int64(1) << cand_group[i]
        r2 = cand_radius[i] * cand_radius[i]
        rp = refused_ptr[i]
        rq = refused_ptr[i + 1]
        for j in range(m):
            if loc_groups[j] & g == 0:
                continue
            dx = loc_x[j] - cand_x[i]
            dy = loc_y[j] - cand_y[i]
            d2 = dx * dx + dy * dy
            if d2 > r2:
                continue
            refused = False
            for t in range(rp, rq):
                if refused_loc[t] == j:
                    refused = True
                    break
            if refused:
                continue
            km = np.sqrt(d2)
            excess = cand_wait[i] + handover + loc_wait[j] - norm
            if excess < 0:
                excess = 0
            out_loc[fill] = j
            out_cost[fill] = 10 * excess + np.int64(np.rint(km_tenths * km))
            out_km[fill] = km
            fill += 1
        ptr[i + 1] = fill
    return ptr, out_loc[:fill].copy(), out_cost[:fill].copy(), out_km[:fill].copy()


@njit(cache=True)
def useful_by_cost_kernel(ptr, loc, cost, stay):
    """Each candidate's options that cost less than staying (the others never help: staying is
    always possible), by ascending cost and then location, as a new CSR (``ptr``, ``loc``,
    ``cost``). Rows are short (tens of options), so an insertion sort per row is fastest."""
    n = stay.shape[0]
    out_ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        c = 0
        for e in range(ptr[i], ptr[i + 1]):
            if cost[e] < stay[i]:
                c += 1
        out_ptr[i + 1] = out_ptr[i] + c
    out_loc = np.empty(out_ptr[n], np.int64)
    out_cost = np.empty(out_ptr[n], np.int64)
    for i in range(n):
        lo = out_ptr[i]
        f = lo
        for e in range(ptr[i], ptr[i + 1]):
            c = cost[e]
            if c >= stay[i]:
                continue
            j = loc[e]
            t = f
            while t > lo and (out_cost[t - 1] > c or (out_cost[t - 1] == c and out_loc[t - 1] > j)):
                out_cost[t] = out_cost[t - 1]
                out_loc[t] = out_loc[t - 1]
                t -= 1
            out_cost[t] = c
            out_loc[t] = j
            f += 1
    return out_ptr, out_loc, out_cost
