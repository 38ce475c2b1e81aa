"""Numba kernel: the ε-scaling forward auction that finds near-equilibrium location prices.

Only a warm start for the exact finisher (:mod:`vangnet.engines.matching._finish`): nothing
here has to be exact, the finisher repairs whatever is left. Costs are in the engine's scaled
units (``K * cost + 1`` per transfer, ``K * stay`` per stay, see the engine's module doc).

Candidates bid for places (Bertsekas' auction for the assignment problem with similar
objects). A location of capacity ``c`` is ``c`` slots, each with its own price; a bidder sees
the location's cheapest slot. Candidate ``i`` picks the option with the lowest priced cost
``w1`` (staying is an option with price 0 and unlimited room, and wins ties), compares it with
the second lowest ``w2`` (another location, staying, or the location's second cheapest slot)
and, unless it stays, takes the cheapest slot at ``price + (w2 - w1) + eps``; that slot's
occupant, if any, bids again. Each phase ends when everybody is placed with ε-complementary
slackness (each within ``eps`` of their cheapest option); the next phase divides ``eps`` and
first sends back to bidding only those who are then more than ``eps`` off.

A location's slots are a binary min-heap on price (``hprice``, ``howner`` in the location's
range ``sp[j]:sp[j + 1]``), so the cheapest slot is the root and the second cheapest one of its
children. Bidders are served first-in first-out, so equal input gives equal output.

The engine runs a single phase (``eps0 == eps_final``): after a phase with a smaller ``eps``
the slots that the re-bidders left stay empty at their old, too high price, and an empty
place with a price is exactly what the finisher then has to repair from the sink, which is
costly (measured on the national instance: thousands of such units after full ε-scaling,
some hundreds after one phase at 0.5 day). Phases remain available for experiments.
The engine calls it on the unscaled costs in 32 bits (see ``engine.solve``): a bid reads a
random candidate's row, so the auction is bound by memory latency and fewer bytes pay.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.int64(2**62)


@njit(cache=True)
def _sift_down(hprice, howner, slot_of, lo, size, i):
    """Restore the heap below relative position ``i`` of the heap at ``lo`` (``size`` slots)."""
    price = hprice[lo + i]
    who = howner[lo + i]
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hprice[lo + c + 1] < hprice[lo + c]:
            c += 1
        if hprice[lo + c] < price:
            hprice[lo + i] = hprice[lo + c]
            howner[lo + i] = howner[lo + c]
            if howner[lo + i] >= 0:
                slot_of[howner[lo + i]] = lo + i
            i = c
        else:
            break
    hprice[lo + i] = price
    howner[lo + i] = who
    if who >= 0:
        slot_of[who] = lo + i


@njit(cache=True)
def _best_value(i, ptr, loc, a, st, lp):
    best = st[i]
    for e in range(ptr[i], ptr[i + 1]):
        v = a[e] + lp[loc[e]]
        if v < best:
            best = v
    return best


@njit(cache=True)
def auction_kernel(capacity, ptr, loc, a, st, eps0, theta, eps_final):
    """Run ε-scaling phases from ``eps0`` (divided by ``theta``) down to ``eps_final``.

    Returns the cheapest slot price per location (0 for a location with capacity 0, which
    nobody can take), each candidate's edge (``-1``: stays) and the number of bids."""
    n = st.shape[0]
    m = capacity.shape[0]
    sp = np.zeros(m + 1, np.int64)
    for j in range(m):
        sp[j + 1] = sp[j] + capacity[j]
    slots = sp[m]
    hprice = np.zeros(slots + 1, np.int64)  # one spare so that cap-0 roots can be read
    howner = np.full(slots + 1, -1, np.int64)
    slot_of = np.full(n, -1, np.int64)
    # The cheapest slot's price per location (what a bidder sees); capacity 0: never.
    lp = np.zeros(m, np.int64)
    for j in range(m):
        if capacity[j] == 0:
            lp[j] = INF
    at = np.full(n, -2, np.int64)  # edge, -1 stays, -2 waiting to bid
    queue = np.empty(n, np.int64)
    for i in range(n):
        queue[i] = i
    qh = 0
    qn = n  # number queued; the queue is circular
    bids = 0
    eps = eps0
    first = True
    while True:
        if not first:
            # Send back to bidding everybody more than eps off their cheapest option.
            for i in range(n):
                e = at[i]
                if e == -2:
                    continue
                val = a[e] + hprice[slot_of[i]] if e >= 0 else st[i]
                if val > _best_value(i, ptr, loc, a, st, lp) + eps:
                    if e >= 0:
                        howner[slot_of[i]] = -1
                        slot_of[i] = -1
                    at[i] = -2
                    queue[(qh + qn) % n] = i
                    qn += 1
        first = False
        while qn > 0:
            i = queue[qh]
            qh = (qh + 1) % n
            qn -= 1
            bids += 1
            w1 = st[i]
            w2 = INF
            e1 = -1
            for e in range(ptr[i], ptr[i + 1]):
                v = a[e] + lp[loc[e]]
                if v < w1:
                    w2 = w1
                    w1 = v
                    e1 = e
                elif v < w2:
                    w2 = v
            if e1 < 0:
                at[i] = -1
                continue
            j1 = loc[e1]
            lo = sp[j1]
            size = capacity[j1]
            if size >= 2:
                q2 = hprice[lo + 1]
                if size >= 3 and hprice[lo + 2] < q2:
                    q2 = hprice[lo + 2]
                if a[e1] + q2 < w2:
                    w2 = a[e1] + q2
            k = howner[lo]
            if k >= 0:
                at[k] = -2
                slot_of[k] = -1
                queue[(qh + qn) % n] = k
                qn += 1
            hprice[lo] += w2 - w1 + eps
            howner[lo] = i
            at[i] = e1
            slot_of[i] = lo
            _sift_down(hprice, howner, slot_of, lo, size, 0)
            lp[j1] = hprice[lo]
        if eps <= eps_final:
            break
        eps = max(eps_final, eps // theta)
    price = np.zeros(m, np.int64)
    for j in range(m):
        if capacity[j] > 0:
            price[j] = hprice[sp[j]]
    return price, at, bids
