"""Numba kernels behind :func:`vangnet.engines.matching.solve` (and the greedy yardstick).

The problem is a transportation problem: every candidate (supply 1) goes to one location (a sink
with a capacity) or stays (a private sink without a capacity). Its linear-programming dual has
one price ``p[j] >= 0`` per location only; a candidate's dual value is then
``u[i] = min(stay[i], min_j cost[i, j] + p[j])``. So the whole search runs over the small side
(locations), never over candidate nodes (:func:`insertion_kernel`):

* Candidates are inserted one at a time by a shortest augmenting path (successive shortest
  paths with the prices as potentials). The search is Dijkstra over the locations: entering
  location ``j`` directly costs ``cost[i, j] + p[j]``; going on from a full location ``j`` to
  ``j2`` means moving one occupant ``k`` of ``j`` to its option ``j2`` at the reduced cost
  ``cost[k, j2] + p[j2] - (cost[k, j] + p[j]) >= 0``. A path ends at a location with room, by
  sending an occupant home (``stay[k] - (cost[k, j] + p[j])``), or with the candidate staying.
* Afterwards every settled location ``j`` closer than the path's length ``D`` gets
  ``p[j] += D - d[j]``: all reduced costs stay >= 0 and the path becomes tight. A price only
  rises while its location is full, and loads never fall, so ``p[j] > 0`` implies full.
* After the last insertion the prices are an optimality certificate (checked independently by
  :func:`vangnet.engines.matching.certificate.check_certificate`).

Everything is deterministic: options are scanned in a fixed order, the heap breaks equal
distances by the lower location index, and the first of equally short exits wins.
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


@njit(cache=True, inline="always")
def _unlink(head, nxt, prv, j, k):
    a = prv[k]
    b = nxt[k]
    if a >= 0:
        nxt[a] = b
    else:
        head[j] = b
    if b >= 0:
        prv[b] = a
    prv[k] = -1
    nxt[k] = -1


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
def _augment(i, kind, best_loc, best_cand, pred_edge, owner, edge_of, loc, load, head, nxt, prv):
    """Carry out the path found for candidate ``i``: it ends at free location ``best_loc``
    (kind 1) or by occupant ``best_cand`` of ``best_loc`` going home (kind 2); ``pred_edge``
    leads back from there, location by location, to the candidate."""
    if kind == 2:
        _unlink(head, nxt, prv, best_loc, best_cand)
        edge_of[best_cand] = -1
    else:
        load[best_loc] += 1
    cur = best_loc
    while True:
        e2 = pred_edge[cur]
        k = owner[e2]
        edge_of_k = edge_of[k]
        if k != i:
            _unlink(head, nxt, prv, loc[edge_of_k], k)
        edge_of[k] = e2
        nxt[k] = head[cur]
        prv[k] = -1
        if head[cur] >= 0:
            prv[head[cur]] = k
        head[cur] = k
        if k == i:
            break
        cur = loc[edge_of_k]


@njit(cache=True)
def insertion_kernel(n_locations, capacity, ptr, loc, cost, stay, order):
    """Successive shortest paths inserting one candidate at a time (in ``order``).

    Invariants after every insertion: each inserted candidate is on a cheapest option at the
    current prices, no location is over capacity, and a location with a positive price is full.
    A search from candidate ``i`` never settles a location farther than ``stay[i]``: staying is
    always an exit. The caller inserts the smallest possible savings first: a later candidate
    with a large saving then mostly displaces one with a small saving, who simply stays.
    """
    n = stay.shape[0]
    m = n_locations
    edge_of = np.full(n, -1, np.int64)
    owner = np.empty(cost.shape[0], np.int64)
    for i in range(n):
        for e in range(ptr[i], ptr[i + 1]):
            owner[e] = i
    price = np.zeros(m, np.int64)
    load = np.zeros(m, np.int64)
    head = np.full(m, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    dist = np.full(m, INF, np.int64)
    pred_edge = np.full(m, -1, np.int64)
    settled = np.zeros(m, np.bool_)
    heap = np.empty(m, np.int64)
    pos = np.full(m, -1, np.int64)
    touched = np.empty(m, np.int64)
    seen = np.zeros(m, np.bool_)
    bfs = np.empty(m, np.int64)
    searches = 0
    tight = 0
    settled_total = 0

    for t in range(order.shape[0]):
        i = order[t]
        if ptr[i] == ptr[i + 1]:
            continue
        # At these prices, is staying the cheapest? Then nothing changes.
        delta = stay[i]
        for e in range(ptr[i], ptr[i + 1]):
            v = cost[e] + price[loc[e]]
            if v < delta:
                delta = v
        if delta >= stay[i]:
            continue
        # Shortcut: a path over tight moves (reduced cost 0) from a cheapest option to a free
        # location or to an occupant for whom staying is as cheap is a shortest path (every
        # path costs at least ``delta``), and then no price changes. Breadth-first, in order.
        tight += 1
        qt = 0
        found_kind = 0
        found_loc = -1
        found_cand = -1
        for e in range(ptr[i], ptr[i + 1]):
            j = loc[e]
            if cost[e] + price[j] == delta and not seen[j]:
                seen[j] = True
                pred_edge[j] = e
                bfs[qt] = j
                qt += 1
        qh = 0
        while qh < qt and found_kind == 0:
            j = bfs[qh]
            qh += 1
            if load[j] < capacity[j]:
                found_kind = 1
                found_loc = j
                break
            k = head[j]
            while k >= 0:
                base = cost[edge_of[k]] + price[j]
                if stay[k] == base:
                    found_kind = 2
                    found_cand = k
                    found_loc = j
                    break
                for e2 in range(ptr[k], ptr[k + 1]):
                    if cost[e2] > base:
                        break
                    j2 = loc[e2]
                    if not seen[j2] and cost[e2] + price[j2] == base:
                        seen[j2] = True
                        pred_edge[j2] = e2
                        bfs[qt] = j2
                        qt += 1
                k = nxt[k]
        for q in range(qt):
            seen[bfs[q]] = False
        if found_kind != 0:
            _augment(i, found_kind, found_loc, found_cand, pred_edge, owner, edge_of, loc, load,
                     head, nxt, prv)  # fmt: skip
        for q in range(qt):
            pred_edge[bfs[q]] = -1
        if found_kind != 0:
            continue
        searches += 1
        n_touched = 0
        size = 0
        for e in range(ptr[i], ptr[i + 1]):
            j = loc[e]
            v = cost[e] + price[j]
            if v < dist[j]:
                if dist[j] == INF:
                    touched[n_touched] = j
                    n_touched += 1
                dist[j] = v
                pred_edge[j] = e
                size = _heap_push_or_decrease(heap, pos, size, dist, j)
        best = stay[i]
        best_kind = 0  # 0: i stays; 1: free location best_loc; 2: occupant best_cand goes home
        best_loc = -1
        best_cand = -1
        while size > 0:
            j = heap[0]
            dj = dist[j]
            if dj >= best:
                break
            j, size = _heap_pop(heap, pos, size, dist)
            settled[j] = True
            settled_total += 1
            if load[j] < capacity[j]:
                best = dj
                best_kind = 1
                best_loc = j
                break
            k = head[j]
            while k >= 0:
                e = edge_of[k]
                base = cost[e] + price[j] - dj
                v = stay[k] - base
                if v < best:
                    best = v
                    best_kind = 2
                    best_cand = k
                    best_loc = j
                limit = best + base  # options are sorted by cost: later ones only cost more
                for e2 in range(ptr[k], ptr[k + 1]):
                    if cost[e2] >= limit:
                        break
                    j2 = loc[e2]
                    if settled[j2]:
                        continue
                    v = cost[e2] + price[j2] - base
                    if v < dist[j2]:
                        if dist[j2] == INF:
                            touched[n_touched] = j2
                            n_touched += 1
                        dist[j2] = v
                        pred_edge[j2] = e2
                        size = _heap_push_or_decrease(heap, pos, size, dist, j2)
                k = nxt[k]
        for q in range(n_touched):
            j = touched[q]
            if settled[j] and dist[j] < best:
                price[j] += best - dist[j]
        if best_kind != 0:
            _augment(i, best_kind, best_loc, best_cand, pred_edge, owner, edge_of, loc, load,
                     head, nxt, prv)  # fmt: skip
        for q in range(n_touched):
            j = touched[q]
            dist[j] = INF
            settled[j] = False
            pred_edge[j] = -1
            pos[j] = -1
    return edge_of, price, searches, settled_total
