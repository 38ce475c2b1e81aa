"""Numba kernel: exact successive shortest paths from any prices (the engine's finisher).

The min-cost flow behind the engine: candidate nodes (supply 1), location nodes, one sink
``S``; arcs candidate -> location (the scaled transfer cost), candidate -> S (the scaled stay
cost) and location -> S (capacity ``cap[j]``, cost 0). With potentials ``-u[i]`` for
candidates, ``-p[j]`` for locations and 0 for S, "every residual arc has reduced cost >= 0" is
exactly the certificate of :mod:`vangnet.engines.matching.certificate`: each candidate on a
cheapest priced option, ``p >= 0``, and ``p[j] > 0`` only for a full location.

The finisher starts from any prices ``p >= 0`` (the auction's) with every candidate on a
cheapest option at those prices. That pseudo-flow may break the capacities: a location with
more occupants than room has an *excess*; a location with a positive price and room left has
a *deficit* (its arc to S is saturated, as its reduced cost ``-p[j]`` is negative, but fewer
candidates arrive). S is short when the excess exceeds the deficit, and oversupplied otherwise.
Each round is one Dijkstra search over the locations and S only (candidates are contracted
into the arcs between them) from an excess location, or from S when only deficits are left,
to the nearest node that can absorb a unit: a deficit location, or (while S is short) S itself,
reached by an occupant going home or through a location with room and price 0. The arcs:

* location ``j`` -> ``j2``: occupant ``k`` of ``j`` moves to its option ``j2`` at reduced cost
  ``cost[k, j2] + p[j2] - u[k] >= 0``; ``j`` -> S: occupant ``k`` goes home, ``stay[k] - u[k]``;
  ``j`` -> S for a location with room and price 0: cost 0 (one more candidate fits);
* S -> ``j2``: a candidate who stays takes option ``j2``, ``cost[k, j2] + p[j2] - stay[k]``;
  S -> ``j``: one candidate fewer reaches S through ``j`` (a location with flow to S), ``p[j]``.

After each search the usual potential update (settled nodes move by ``D - d``, S renormalised
to 0) keeps every reduced cost >= 0 and makes the path tight; the path is then applied. Prices
only rise on full locations, so no new deficit appears; each round removes at least one unit
of excess or deficit, and when none is left the prices are the certificate. Deterministic:
fixed scan orders, heap ties by lower node index, the lowest-indexed excess location first.

Speed (see docs/transfers-matching.md): each occupant carries a lower bound on its two cheapest
other options, so most visits of an occupant read no options at all; occupants are contiguous
per location; the by-location columns are built once (:func:`columns`) for both kernels here.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from vangnet.engines.matching._kernels import _heap_pop, _heap_push_or_decrease

INF = np.int64(2**62)
NONE = -INF  # no bound known


@njit(cache=True, inline="always")
def _enter(members, start, load, slot, j, k):
    """Candidate ``k`` joins the occupants of ``j``: ``members[start[j]:start[j] + load[j]]``.
    Contiguous (not a linked list), so that a search reads a location's occupants without
    waiting on one cache miss per step."""
    q = start[j] + load[j]
    if q >= start[j + 1]:  # cannot happen (see finish_kernel); numba does not check bounds
        raise RuntimeError("matching finisher: a location outgrew its block of occupants")
    members[q] = k
    slot[k] = q
    load[j] += 1


@njit(cache=True, inline="always")
def _leave(members, start, load, slot, j, k):
    """Candidate ``k`` leaves ``j``; the last occupant takes its place."""
    load[j] -= 1
    last = members[start[j] + load[j]]
    members[slot[k]] = last
    slot[last] = slot[k]
    slot[k] = -1


@njit(cache=True)
def columns(m, ptr, loc, a):
    """The options by location (the transpose of the candidates' rows), built once for the
    warm start and the finisher: ``by_loc[cnt[j]:cnt[j + 1]]`` are the edges to location ``j``
    in edge order, with their candidate (``rev_owner``) and cost (``rev_a``) alongside so that
    a scan over a location reads memory in order; ``owner`` is the candidate of every edge."""
    n = ptr.shape[0] - 1
    e_total = loc.shape[0]
    cnt = np.zeros(m + 1, np.int64)
    for e in range(e_total):
        cnt[loc[e] + 1] += 1
    for j in range(m):
        cnt[j + 1] += cnt[j]
    by_loc = np.empty(e_total, np.int64)
    rev_owner = np.empty(e_total, np.int64)
    rev_a = np.empty(e_total, np.int64)
    owner = np.empty(e_total, np.int64)
    fill = cnt[:m].copy()
    for i in range(n):
        for e in range(ptr[i], ptr[i + 1]):
            owner[e] = i
            f = fill[loc[e]]
            by_loc[f] = e
            rev_owner[f] = i
            rev_a[f] = a[e]
            fill[loc[e]] = f + 1
    return cnt, by_loc, rev_owner, rev_a, owner


@njit(cache=True, inline="always")
def _stayer_offer(sbest, sedge, j, w, e):
    if w < sbest[j] or (w == sbest[j] and e < sedge[j]):
        sbest[j] = w
        sedge[j] = e


@njit(cache=True)
def _stayer_best(sbest, sedge, j, cnt, by_loc, rev_owner, rev_a, at, st):
    """The cheapest move of a candidate who stays into ``j``: min of ``cost - stay``."""
    sbest[j] = INF
    sedge[j] = -1
    for t in range(cnt[j], cnt[j + 1]):
        k = rev_owner[t]
        if at[k] == -1:
            _stayer_offer(sbest, sedge, j, rev_a[t] - st[k], by_loc[t])


@njit(cache=True)
def _keep_highest(q, c, room, w):
    """Offer ``w`` to the min-heap ``q[:c]`` that keeps the ``room`` highest values offered;
    returns its new size. Its root ``q[0]`` is then the room-th highest."""
    if c < room:
        i = c
        c += 1
    elif w > q[0]:
        # Replace the root and sift it down.
        i = 0
        while True:
            child = 2 * i + 1
            if child >= c:
                break
            if child + 1 < c and q[child + 1] < q[child]:
                child += 1
            if q[child] < w:
                q[i] = q[child]
                i = child
            else:
                break
        q[i] = w
        return c
    else:
        return c
    while i > 0:
        parent = (i - 1) >> 1
        if q[parent] > w:
            q[i] = q[parent]
            i = parent
        else:
            break
    q[i] = w
    return c


@njit(cache=True)
def initial_choice(capacity, ptr, loc, a, st, price, hint, rounds, cnt, rev_owner, rev_a):
    """Every candidate on a cheapest option at ``price`` (its ``hint``, the auction's choice,
    if that is one, else staying if that is one, else the first cheapest in scan order).

    First up to ``rounds`` rounds of lowering the price of every location that would keep room
    with a positive price (a deficit) to just below the ``r``-th highest price at which an
    outsider would come (``r``: the room left), or to 0: the finisher's searches from deficits
    start at S and scan every candidate who stays, while searches from an excess are local.
    Prices only fall, and only ever to where someone comes, so this never overshoots far."""
    n = st.shape[0]
    m = capacity.shape[0]
    u = np.empty(n, np.int64)
    top = 1
    for j in range(m):
        top = max(top, capacity[j])
    q = np.empty(top, np.int64)
    at = _cheapest(ptr, loc, a, st, price, hint)
    for _ in range(rounds):
        load = np.zeros(m, np.int64)
        for i in range(n):
            if at[i] >= 0:
                load[loc[at[i]]] += 1
                u[i] = a[at[i]] + price[loc[at[i]]]
            else:
                u[i] = st[i]
        lowered = 0
        for j in range(m):
            room = capacity[j] - load[j]
            if price[j] <= 0 or room <= 0:
                continue
            # The room-th highest price at which an outsider would come: a min-heap of the
            # ``room`` highest such prices seen so far (room <= capacity: small).
            c = 0
            for t in range(cnt[j], cnt[j + 1]):
                k = rev_owner[t]
                if at[k] >= 0 and loc[at[k]] == j:
                    continue
                w = u[k] - rev_a[t]
                if w >= 0:
                    c = _keep_highest(q, c, room, w)
            new = np.int64(0)
            if c >= room:
                new = max(new, q[0] - 1)
            if new < price[j]:
                price[j] = new
                lowered += 1
        if lowered == 0:
            break
        at = _cheapest(ptr, loc, a, st, price, at)
    return at


@njit(cache=True)
def _cheapest(ptr, loc, a, st, price, hint):
    n = st.shape[0]
    at = np.full(n, -1, np.int64)
    for i in range(n):
        best = st[i]
        best_e = -1
        for e in range(ptr[i], ptr[i + 1]):
            v = a[e] + price[loc[e]]
            if v < best:
                best = v
                best_e = e
        h = hint[i]
        if h >= 0 and a[h] + price[loc[h]] == best:
            at[i] = h
        elif best < st[i]:
            at[i] = best_e
    return at


@njit(cache=True, inline="always")
def _relax(
    j, w, e, capacity, load, price, sink_ends, dist, pred_edge, touched, n_touched, heap, pos,
    size, best, best_node,
):  # fmt: skip
    """Offer distance ``w`` to location ``j`` via move ``e`` (-1: from S, one unit fewer).
    A location that can absorb the unit (room, and a price or S short) is an end: it only
    lowers ``best``; any other goes on the heap. Returns the updated search state."""
    if w < dist[j]:
        if dist[j] == INF:
            touched[n_touched] = j
            n_touched += 1
        dist[j] = w
        pred_edge[j] = e
        if load[j] < capacity[j] and (price[j] > 0 or sink_ends):
            if w < best:
                best = w
                best_node = j
        else:
            size = _heap_push_or_decrease(heap, pos, size, dist, j)
    return n_touched, size, best, best_node


@njit(cache=True)
def finish_kernel(capacity, ptr, loc, a, st, price, at, cnt, by_loc, rev_owner, rev_a, owner):
    """Repair ``at`` (edge per candidate, -1 stays) and ``price`` in place to an optimum with
    its certificate. Returns (searches, settled nodes)."""
    n = st.shape[0]
    m = capacity.shape[0]
    sink = m
    # Occupants per location in a block of max(capacity, initial load) places: a load only
    # grows at the end of a path, where the location has room, so it never outgrows its block.
    first_load = np.zeros(m, np.int64)
    for i in range(n):
        if at[i] >= 0:
            first_load[loc[at[i]]] += 1
    start = np.zeros(m + 1, np.int64)
    for j in range(m):
        start[j + 1] = start[j] + max(capacity[j], first_load[j])
    members = np.empty(start[m], np.int64)
    slot = np.full(n, -1, np.int64)
    load = np.zeros(m, np.int64)
    for i in range(n):
        if at[i] >= 0:
            _enter(members, start, load, slot, loc[at[i]], i)
    sbest = np.full(m, INF, np.int64)
    sedge = np.full(m, -1, np.int64)
    for j in range(m):
        _stayer_best(sbest, sedge, j, cnt, by_loc, rev_owner, rev_a, at, st)
    dist = np.full(m + 1, INF, np.int64)
    pred_edge = np.full(m + 1, -1, np.int64)  # the move that reached a node (-1: none)
    pred_from = np.full(m + 1, -1, np.int64)  # S only: the room location it was reached via
    settled = np.zeros(m + 1, np.bool_)
    heap = np.empty(m + 1, np.int64)
    pos = np.full(m + 1, -1, np.int64)
    touched = np.empty(m + 1, np.int64)
    # A lower bound, per occupant, on its cheapest priced option other than its own (``a + p``),
    # stored plus ``shift`` (the sum of all uniform price drops so far): prices otherwise only
    # rise during the search, so a stored bound stays a bound until the occupant moves. A
    # settled location's occupant whose bound shows that no move can beat ``best`` is skipped
    # without scanning its options; most occupants are visited many times.
    lower = np.full(n, NONE, np.int64)
    lower2 = np.full(n, INF, np.int64)  # the same for every option but the one below
    lower_edge = np.full(n, -1, np.int64)  # the option that was cheapest (-1: not known)
    shift = np.int64(0)
    searches = 0
    settled_total = 0
    while True:
        src = -1
        excess = 0
        deficit = 0
        for j in range(m):
            if load[j] > capacity[j]:
                excess += load[j] - capacity[j]
                if src < 0:
                    src = j
            elif price[j] > 0 and load[j] < capacity[j]:
                deficit += capacity[j] - load[j]
        if src < 0:
            if deficit == 0:
                break
            src = sink
        sink_ends = excess > deficit
        searches += 1
        dist[src] = 0
        touched[0] = src
        n_touched = 1
        size = _heap_push_or_decrease(heap, pos, 0, dist, src)
        best = INF
        best_node = -1
        while size > 0:
            v = heap[0]
            dv = dist[v]
            if dv >= best:
                break
            v, size = _heap_pop(heap, pos, size, dist)
            settled[v] = True
            settled_total += 1
            if v == sink:
                # Locations that send flow to S: one unit fewer (reduced cost p[j]).
                for j in range(m):
                    if settled[j] or capacity[j] == 0 or (price[j] <= 0 and load[j] == 0):
                        continue
                    n_touched, size, best, best_node = _relax(
                        j, dv + price[j], -1, capacity, load, price, sink_ends, dist, pred_edge,
                        touched, n_touched, heap, pos, size, best, best_node,
                    )  # fmt: skip
                # A candidate who stays takes one of their options: per location the cheapest
                # such move is kept up to date in ``sbest`` (see _stayer_best).
                for j2 in range(m):
                    e2 = sedge[j2]
                    if e2 < 0 or settled[j2]:
                        continue
                    n_touched, size, best, best_node = _relax(
                        j2, dv + sbest[j2] + price[j2], e2, capacity, load, price, sink_ends,
                        dist, pred_edge, touched, n_touched, heap, pos, size, best, best_node,
                    )  # fmt: skip
                continue
            if v != src and load[v] < capacity[v] and not settled[sink]:
                # Room and price 0 (else v would have been an end): on to S at no cost.
                w = dv - price[v]
                if w < dist[sink]:
                    if dist[sink] == INF:
                        touched[n_touched] = sink
                        n_touched += 1
                    dist[sink] = w
                    pred_edge[sink] = -1
                    pred_from[sink] = v
                    size = _heap_push_or_decrease(heap, pos, size, dist, sink)
            for q in range(start[v], start[v] + load[v]):
                k = members[q]
                e = at[k]
                base = a[e] + price[v] - dv  # u[k] - d[v]
                if not settled[sink]:
                    w = st[k] - base
                    if w < dist[sink]:
                        if dist[sink] == INF:
                            touched[n_touched] = sink
                            n_touched += 1
                        dist[sink] = w
                        pred_edge[sink] = e
                        pred_from[sink] = -1
                        if sink_ends:
                            if w < best:
                                best = w
                                best_node = sink
                        else:
                            size = _heap_push_or_decrease(heap, pos, size, dist, sink)
                lo = ptr[k]
                hi = ptr[k + 1]
                rescan = True
                if lower[k] != NONE and best < INF:
                    # A move matters only if its a + p is below this threshold (with shift).
                    threshold = best + base + shift
                    if lower[k] >= threshold:
                        continue
                    e1 = lower_edge[k]
                    if e1 >= 0 and lower2[k] >= threshold:
                        # Only the option that was cheapest can matter: relax just that one.
                        lo = e1
                        hi = e1 + 1
                        rescan = False
                # Scan the options, and remember the two lowest a + p (and the lowest's edge;
                # -1 when the scan stopped early below it: then only the bound is known).
                # The relaxation is written out here, in the hot loop: as a numba helper
                # returning the search state it made the finisher 25% to 3 times slower.
                low = INF
                low2 = INF
                low_edge = -1
                for e2 in range(lo, hi):
                    if a[e2] - base >= best:  # options by ascending cost, prices >= 0
                        if a[e2] < low:
                            low2 = low
                            low = a[e2]
                            low_edge = -1
                        elif a[e2] < low2:
                            low2 = a[e2]
                        break
                    if e2 == e:
                        continue
                    j2 = loc[e2]
                    w = a[e2] + price[j2]
                    if w < low:
                        low2 = low
                        low = w
                        low_edge = e2
                    elif w < low2:
                        low2 = w
                    if settled[j2]:
                        continue
                    w -= base
                    if w < dist[j2]:
                        if dist[j2] == INF:
                            touched[n_touched] = j2
                            n_touched += 1
                        dist[j2] = w
                        pred_edge[j2] = e2
                        if load[j2] < capacity[j2] and (price[j2] > 0 or sink_ends):
                            if w < best:
                                best = w
                                best_node = j2
                        else:
                            size = _heap_push_or_decrease(heap, pos, size, dist, j2)
                if not rescan:
                    continue
                lower[k] = low + shift if low < INF else NONE
                lower2[k] = low2 + shift if low2 < INF else INF
                lower_edge[k] = low_edge
        if best_node < 0:
            return -1, settled_total  # no way to absorb the unit: cannot happen, see above
        # Potentials: settled nodes closer than the end move by best - d; S back to 0.
        sigma = np.int64(0)
        if settled[sink] and dist[sink] < best:
            sigma = best - dist[sink]
        for q in range(n_touched):
            j = touched[q]
            if j != sink and settled[j] and dist[j] < best:
                price[j] += best - dist[j]
        # The path, from its end back to the source.
        node = best_node
        while node != src:
            if node == sink:
                e = pred_edge[sink]
                if e >= 0:  # an occupant went home
                    k = owner[e]
                    j = loc[e]
                    _leave(members, start, load, slot, j, k)
                    at[k] = -1
                    lower[k] = NONE
                    for e3 in range(ptr[k], ptr[k + 1]):
                        _stayer_offer(sbest, sedge, loc[e3], a[e3] - st[k], e3)
                    node = j
                else:
                    node = pred_from[sink]
            else:
                e2 = pred_edge[node]
                if e2 < 0:  # from S, one unit fewer through this location
                    node = sink
                else:
                    k = owner[e2]
                    old = at[k]
                    if old >= 0:
                        frm = loc[old]
                        _leave(members, start, load, slot, frm, k)
                    _enter(members, start, load, slot, node, k)
                    at[k] = e2
                    lower[k] = NONE
                    if old < 0:
                        frm = sink
                        for e3 in range(ptr[k], ptr[k + 1]):
                            if sedge[loc[e3]] == e3:
                                _stayer_best(
                                    sbest, sedge, loc[e3], cnt, by_loc, rev_owner, rev_a, at, st
                                )
                    node = frm
        if sigma > 0:
            shift += sigma
            for j in range(m):
                price[j] -= sigma
        for q in range(n_touched):
            j = touched[q]
            dist[j] = INF
            settled[j] = False
            pred_edge[j] = -1
            pred_from[j] = -1
            pos[j] = -1
        for j in range(m):
            if price[j] < 0 and load[j] == 0:
                price[j] = 0  # no flow through j: any price >= 0 keeps its arcs feasible
    _lowest_prices(capacity, ptr, loc, a, price, at, members, start, load, sbest, sedge)
    return searches, settled_total


@njit(cache=True)
def _lowest_prices(capacity, ptr, loc, a, price, at, members, start, load, sbest, sedge):
    """Replace the certificate by the lowest one: ``p[j] -= d[j]``, with ``d`` the reduced
    distance from S to ``j`` in the final residual graph (0 where S cannot reach ``j``: nobody
    can enter ``j`` there). These are the shortest-path potentials, the least prices that prove
    the optimum, so the printed certificate does not depend on where the search started, and
    every positive price is held up by a tight chain of moves from a candidate who stays."""
    m = capacity.shape[0]
    dist = np.full(m, INF, np.int64)
    done = np.zeros(m, np.bool_)
    heap = np.empty(m, np.int64)
    pos = np.full(m, -1, np.int64)
    size = 0
    for j in range(m):
        w = INF
        if capacity[j] > 0 and (price[j] > 0 or load[j] > 0):
            w = price[j]  # one unit fewer through j to S
        if sedge[j] >= 0 and sbest[j] + price[j] < w:
            w = sbest[j] + price[j]  # a candidate who stays moves in
        if w < INF:
            dist[j] = w
            size = _heap_push_or_decrease(heap, pos, size, dist, j)
    while size > 0:
        v, size = _heap_pop(heap, pos, size, dist)
        done[v] = True
        dv = dist[v]
        for q in range(start[v], start[v] + load[v]):
            k = members[q]
            base = a[at[k]] + price[v] - dv
            for e2 in range(ptr[k], ptr[k + 1]):
                j2 = loc[e2]
                if done[j2]:
                    continue
                w = a[e2] + price[j2] - base
                if w < dist[j2]:
                    dist[j2] = w
                    size = _heap_push_or_decrease(heap, pos, size, dist, j2)
    for j in range(m):
        if dist[j] == INF:
            price[j] = 0
        else:
            price[j] = max(np.int64(0), price[j] - dist[j])
