"""Numba kernels behind :mod:`vangnet.engines.simulation.engine`.

Every random number is drawn beforehand with NumPy (vectorised, seeded), so the kernels are
deterministic functions of their arrays and release the GIL: replications run in threads.

Why the station loop is fast and still exact: within one priority class a queue is first come,
first served, so a client's wait depends only on the clients ahead of them. A client whose
patience runs out can therefore stay in the queue array until they reach its head; at that
moment (a slot or a place frees up at time t) every head client with a deadline before t is
known to have left at their deadline and is skipped. No abandonment events are scheduled, and
the only event queue is the binary heap of the busy treatment places.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True, inline="always")
def _heap_push(heap, n, value):
    i = n
    heap[i] = value
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= value:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = value


@njit(cache=True, inline="always")
def _heap_pop(heap, n):
    """Remove the minimum of heap[:n]; the caller then has n - 1 entries."""
    last = heap[n - 1]
    n -= 1
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= last:
            break
        heap[i] = heap[child]
        i = child
    if n > 0:
        heap[i] = last


@njit(cache=True, inline="always")
def _pop_alive(queue, head, tail, deadline, leave_t, t):
    """Index of the first client in queue[head:tail] still waiting at t (or -1), and the new head.
    Clients passed over left at their deadline."""
    while head < tail:
        c = queue[head]
        head += 1
        if deadline[c] >= t:
            return c, head
        leave_t[c] = deadline[c]
    return -1, head


@njit(cache=True, nogil=True)
def simulate_station(
    arr_t,
    urgent,
    deadline,
    done_intake,
    service,
    intake_interval,
    slot_phase,
    servers,
    busy_until,
    t_end,
    intake_t,
    start_t,
    leave_t,
):
    """One station: registration -> wait for an intake slot -> wait for a treatment place.

    Clients are arr_t-sorted; clients with arr_t < 0 are the initial queue, in queue at t = 0
    (``done_intake[c]`` >= -inf i.e. not NaN: already had their intake). ``intake_interval`` is
    the days between intake slots (0: no intake stage, inf: no slots at all); slots fall at
    ``(slot_phase + k) * intake_interval``. ``busy_until`` holds the end times of the places
    busy at t = 0. Writes intake_t, start_t (NaN if none before t_end) and leave_t (time of
    leaving the list untreated, NaN if not).
    """
    m = arr_t.shape[0]
    heap = np.empty(max(servers, busy_until.shape[0]) + 1, np.float64)
    nbusy = 0
    for k in range(busy_until.shape[0]):
        _heap_push(heap, nbusy, busy_until[k])
        nbusy += 1
    iq_u = np.empty(m, np.int64)
    iq_n = np.empty(m, np.int64)
    tq_u = np.empty(m, np.int64)
    tq_n = np.empty(m, np.int64)
    hiu = tiu = hin = tin = 0
    htu = ttu = htn = ttn = 0
    has_intake = intake_interval > 0.0
    next_slot = slot_phase * intake_interval if has_intake else INF

    i = 0
    # The initial queue: in line from t = 0 in registration order.
    while i < m and arr_t[i] < 0.0:
        if not has_intake or not math.isnan(done_intake[i]):
            if has_intake:
                intake_t[i] = done_intake[i]
            else:
                intake_t[i] = arr_t[i]
            if urgent[i]:
                tq_u[ttu] = i
                ttu += 1
            else:
                tq_n[ttn] = i
                ttn += 1
        elif urgent[i]:
            iq_u[tiu] = i
            tiu += 1
        else:
            iq_n[tin] = i
            tin += 1
        i += 1

    t = 0.0
    while True:
        # Start treatments while places are free (at t).
        while nbusy < servers and (htu < ttu or htn < ttn):
            c, htu = _pop_alive(tq_u, htu, ttu, deadline, leave_t, t)
            if c < 0:
                c, htn = _pop_alive(tq_n, htn, ttn, deadline, leave_t, t)
            if c < 0:
                break
            start_t[c] = t
            _heap_push(heap, nbusy, t + service[c])
            nbusy += 1

        ta = arr_t[i] if i < m else INF
        tc = heap[0] if nbusy > 0 else INF
        ts = INF
        if has_intake and (hiu < tiu or hin < tin):
            if next_slot < t:  # the queue was empty: skip the unused slots
                next_slot += math.ceil((t - next_slot) / intake_interval) * intake_interval
            ts = next_slot
        t = min(ta, tc, ts)
        if t > t_end or t == INF:
            break
        if tc == t:
            _heap_pop(heap, nbusy)
            nbusy -= 1
        elif ts == t:
            next_slot += intake_interval
            c, hiu = _pop_alive(iq_u, hiu, tiu, deadline, leave_t, t)
            if c < 0:
                c, hin = _pop_alive(iq_n, hin, tin, deadline, leave_t, t)
            if c >= 0:
                intake_t[c] = t
                if urgent[c]:
                    tq_u[ttu] = c
                    ttu += 1
                else:
                    tq_n[ttn] = c
                    ttn += 1
        else:
            if has_intake:
                if urgent[i]:
                    iq_u[tiu] = i
                    tiu += 1
                else:
                    iq_n[tin] = i
                    tin += 1
            else:
                intake_t[i] = ta
                if urgent[i]:
                    tq_u[ttu] = i
                    ttu += 1
                else:
                    tq_n[ttn] = i
                    ttn += 1
            i += 1

    # Still in a queue at the end: those whose patience ran out before t_end have left.
    _expire_rest(iq_u, hiu, tiu, deadline, leave_t, t_end)
    _expire_rest(iq_n, hin, tin, deadline, leave_t, t_end)
    _expire_rest(tq_u, htu, ttu, deadline, leave_t, t_end)
    _expire_rest(tq_n, htn, ttn, deadline, leave_t, t_end)


@njit(cache=True, inline="always")
def _expire_rest(queue, head, tail, deadline, leave_t, t_end):
    for k in range(head, tail):
        c = queue[k]
        if deadline[c] <= t_end:
            leave_t[c] = deadline[c]


@njit(cache=True, nogil=True)
def simulate_network(
    ptr,
    arr_t,
    urgent,
    deadline,
    done_intake,
    service,
    intake_interval,
    slot_phase,
    servers,
    busy_ptr,
    busy_until,
    t_end,
    intake_t,
    start_t,
    leave_t,
):
    """All stations; station s owns clients ptr[s]:ptr[s+1] and busy_until[busy_ptr[s]:...]."""
    for s in range(ptr.shape[0] - 1):
        a, b = ptr[s], ptr[s + 1]
        simulate_station(
            arr_t[a:b],
            urgent[a:b],
            deadline[a:b],
            done_intake[a:b],
            service[a:b],
            intake_interval[s],
            slot_phase[s],
            servers[s],
            busy_until[busy_ptr[s] : busy_ptr[s + 1]],
            t_end,
            intake_t[a:b],
            start_t[a:b],
            leave_t[a:b],
        )


@njit(cache=True, nogil=True)
def route(
    origin,
    t,
    urgent,
    u_transfer,
    u_pick,
    u_ehealth,
    cell,
    weight,
    transfer_share,
    ehealth_share,
    ehealth_station,
    pause_start,
    pause_end,
    members_ptr,
    members,
):
    """Destination station of each new client (see the engine's docstring: pauses, transfer
    desk, e-health). -1: not registered (paused and no other provider in the cell)."""
    n = origin.shape[0]
    dest = np.empty(n, np.int64)
    for k in range(n):
        s = origin[k]
        tk = t[k]
        paused = pause_start[s] <= tk < pause_end[s]
        d = s
        if paused or u_transfer[k] < transfer_share[s]:
            c = cell[s]
            total = 0.0
            for j in range(members_ptr[c], members_ptr[c + 1]):
                o = members[j]
                if o != s and not (pause_start[o] <= tk < pause_end[o]):
                    total += weight[o]
            if total > 0.0:
                x = u_pick[k] * total
                for j in range(members_ptr[c], members_ptr[c + 1]):
                    o = members[j]
                    if o != s and not (pause_start[o] <= tk < pause_end[o]):
                        d = o
                        x -= weight[o]
                        if x < 0.0:
                            break
            elif paused:
                d = -1
        if d >= 0 and not urgent[k] and ehealth_station[s] >= 0 and u_ehealth[k] < ehealth_share[s]:
            d = ehealth_station[s]
        dest[k] = d
    return dest


@njit(cache=True, nogil=True)
def order_by_station(station, bucket, t, n_stations, n_buckets):
    """Permutation sorting clients by (station, t), and the station segments ``ptr``.

    ``bucket`` (0 <= bucket < n_buckets) is an interval of time (the month, the initial queue
    before it), so a counting sort by (station, bucket) in O(n) leaves only short runs of a few
    hundred clients to sort by time; each run fits in the L1 cache.
    """
    m = station.shape[0]
    n_keys = n_stations * n_buckets
    start = np.zeros(n_keys + 1, np.int64)
    for i in range(m):
        start[station[i] * n_buckets + bucket[i] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    order = np.empty(m, np.int64)
    for i in range(m):
        k = station[i] * n_buckets + bucket[i]
        order[fill[k]] = i
        fill[k] += 1
    for k in range(n_keys):
        a, b = start[k], start[k + 1]
        if b - a > 1:
            seg = order[a:b]
            order[a:b] = seg[np.argsort(t[seg])]
    ptr = np.empty(n_stations + 1, np.int64)
    for s in range(n_stations + 1):
        ptr[s] = start[s * n_buckets]
    return order, ptr


@njit(cache=True, inline="always")
def _month_of(edges, x):
    """Index k with edges[k] <= x < edges[k+1] (-1 before, len(edges)-1 after)."""
    return np.searchsorted(edges, x, side="right") - 1


@njit(cache=True, nogil=True)
def monthly(reg, intake, start, left, edges, intake_norm, treatment_norm):
    """Per month of the horizon (edges: month starts and the horizon end): waiting at the month
    end, of whom over the norm of their stage; intakes, of which within the intake norm;
    treatment starts, of which within the treatment norm; clients leaving untreated.
    Returns an (n_months, 7) array; see engine.summarise."""
    k = edges.shape[0] - 1
    diff = np.zeros((k + 1, 3), np.float64)
    out = np.zeros((k, 7), np.float64)
    peil = edges[1:]
    for i in range(reg.shape[0]):
        r = reg[i]
        ti = intake[i]
        ts = start[i]
        tl = left[i]
        end = ts if not math.isnan(ts) else (tl if not math.isnan(tl) else np.inf)
        iend = min(ti, end) if not math.isnan(ti) else end
        # snapshots p with a <= p < b: [searchsorted(peil, a, left), searchsorted(peil, b, left))
        lo = np.searchsorted(peil, r, side="left")
        hi = np.searchsorted(peil, end, side="left")
        if hi > lo:
            diff[lo, 0] += 1.0
            diff[hi, 0] -= 1.0
        lo = np.searchsorted(peil, r + intake_norm, side="left")
        hi = np.searchsorted(peil, iend, side="left")
        if hi > lo:
            diff[lo, 1] += 1.0
            diff[hi, 1] -= 1.0
        if not math.isnan(ti):
            lo = np.searchsorted(peil, ti + treatment_norm, side="left")
            hi = np.searchsorted(peil, end, side="left")
            if hi > lo:
                diff[lo, 2] += 1.0
                diff[hi, 2] -= 1.0
            if ti >= 0:
                mi = _month_of(edges, ti)
                if 0 <= mi < k:
                    out[mi, 2] += 1.0
                    if ti - r <= intake_norm:
                        out[mi, 3] += 1.0
        if not math.isnan(ts) and ts >= 0:
            ms = _month_of(edges, ts)
            if 0 <= ms < k:
                out[ms, 4] += 1.0
                base = ti if not math.isnan(ti) else ts
                if ts - base <= treatment_norm:
                    out[ms, 5] += 1.0
        if not math.isnan(tl) and tl >= 0:
            ml = _month_of(edges, tl)
            if 0 <= ml < k:
                out[ml, 6] += 1.0
    acc = np.zeros(3)
    for j in range(k):
        acc += diff[j]
        out[j, 0] = acc[0]
        out[j, 1] = acc[1] + acc[2]
    return out
