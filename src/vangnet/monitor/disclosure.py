"""Disclosure control for published monitor tables: primary and secondary cell suppression.

Pure computation (no Django), so it can move to `vangnet.engines` unchanged.

A table is an R×C grid of non-negative counts, published with row totals, column totals or both
(and then the grand total). Cells and totals alike are "positions" `(i, j)`: `i == R` is the
column-total row, `j == C` is the row-total column, `(R, C)` is the grand total.

Primary suppression hides every position with `0 < value < threshold`. Zeros are published: they
say that nobody is in a group, which identifies nobody, and leaving them out keeps the argument
below simple.

Secondary suppression makes sure no hidden value can be recovered from the published ones.
Every published total is a linear equation ("line"): the cells of row i add up to its row total,
and so on. Write each total with a minus sign and every line sums to zero, so each position is on
at most two lines (its row line and its column line; a line that is not published is replaced by
a free node F). Hidden positions are then the edges of a graph whose nodes are the lines, and the
linear system leaves a hidden value undetermined exactly when its edge lies on a cycle — the
alternating ±t change around the cycle keeps every line's sum. So we repeat: find a hidden edge
that is a bridge (on no cycle) and hide the cheapest chain of published, positive positions that
closes a cycle through it (Dijkstra, cost = the value hidden). Adding edges never turns a cycle
edge into a bridge, so this ends.

Why that is enough, also with integers and non-negativity: every hidden value is at least 1, so
moving ±1 around a cycle gives another table with the same published numbers and no negative
count. Each hidden value could therefore be one lower or one higher; it cannot be derived.

Assumptions: one table at a time (tables that share totals are consistent because the shared
totals are the same published numbers, but linkage between different cross-tabulations is not
analysed); counts are non-negative integers; the grand total is only hidden if it is itself below
the threshold, and then the whole table is hidden.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 5

Position = tuple[int, int]
Node = tuple[str, int]  # ("r", i) a row line, ("c", j) a column line, ("f", 0) the free node
FREE: Node = ("f", 0)


@dataclass(frozen=True)
class Table:
    """Counts with the totals that are published alongside them."""

    cells: tuple[tuple[int, ...], ...]
    row_totals: bool = True
    col_totals: bool = True

    @classmethod
    def of(
        cls, cells: Sequence[Sequence[int]], *, row_totals: bool = True, col_totals: bool = True
    ) -> Table:
        rows = tuple(tuple(int(v) for v in row) for row in cells)
        if not rows or not rows[0]:
            raise ValueError("a table needs at least one cell")
        if any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("all rows need the same number of columns")
        if any(v < 0 for r in rows for v in r):
            raise ValueError("counts are non-negative")
        return cls(rows, row_totals, col_totals)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0])

    @property
    def has_grand_total(self) -> bool:
        return self.row_totals and self.col_totals

    def positions(self) -> list[Position]:
        """Every published-or-hidden position: cells, then totals."""
        r, c = self.n_rows, self.n_cols
        out = [(i, j) for i in range(r) for j in range(c)]
        if self.row_totals:
            out += [(i, c) for i in range(r)]
        if self.col_totals:
            out += [(r, j) for j in range(c)]
        if self.has_grand_total:
            out.append((r, c))
        return out

    def value(self, pos: Position) -> int:
        i, j = pos
        r, c = self.n_rows, self.n_cols
        if i < r and j < c:
            return self.cells[i][j]
        if i < r and j == c:
            return sum(self.cells[i])
        if i == r and j < c:
            return sum(row[j] for row in self.cells)
        return sum(sum(row) for row in self.cells)

    def lines(self) -> list[Node]:
        r, c = self.n_rows, self.n_cols
        out: list[Node] = []
        if self.row_totals:
            out += [("r", i) for i in range(r)]
        if self.col_totals:
            out += [("c", j) for j in range(c)]
        if self.has_grand_total:
            out += [("r", r), ("c", c)]
        return out

    def line_members(self, line: Node) -> list[Position]:
        kind, k = line
        return [p for p in self.positions() if (p[0] == k if kind == "r" else p[1] == k)]

    def endpoints(self, pos: Position) -> tuple[Node, Node]:
        """The two lines a position lies on (FREE where that line is not published)."""
        existing = set(self.lines())
        row: Node = ("r", pos[0])
        col: Node = ("c", pos[1])
        return (row if row in existing else FREE, col if col in existing else FREE)


@dataclass(frozen=True)
class Suppression:
    table: Table
    threshold: int
    hidden: frozenset[Position]
    primary: frozenset[Position]
    whole_table: bool = False
    secondary: frozenset[Position] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "secondary", self.hidden - self.primary)

    def is_hidden(self, pos: Position) -> bool:
        return pos in self.hidden

    def published(self, pos: Position) -> int | None:
        return None if pos in self.hidden else self.table.value(pos)


def suppress(
    table: Table,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    force_hidden: Iterable[Position] = (),
    locked: Iterable[Position] = (),
) -> Suppression:
    """Primary and secondary suppression of `table` (see the module docstring).

    Tables published side by side share totals (every "per year" table has the same year totals).
    `force_hidden` hides positions another table already hides; `locked` names positions another
    table already publishes, so they cannot serve as complements here. Together they keep a
    value that one table hides from being read off another.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    positions = table.positions()
    valid = set(positions)
    forced = {p for p in force_hidden if p in valid and table.value(p) > 0}
    fixed = {p for p in locked if p in valid} - forced
    primary = frozenset(p for p in positions if 0 < table.value(p) < threshold) | forced
    grand = (table.n_rows, table.n_cols)
    if 0 < table.value(grand) < threshold:
        return _everything(table, threshold, primary, fixed)

    hidden = set(primary)
    while True:
        bridge = _find_bridge(table, hidden)
        if bridge is None:
            break
        chain = _cheapest_chain(table, hidden, bridge, fixed)
        if chain is None:
            return _everything(table, threshold, primary, fixed)
        hidden.update(chain)
    return Suppression(table, threshold, frozenset(hidden), primary)


def _everything(
    table: Table, threshold: int, primary: frozenset[Position], fixed: set[Position]
) -> Suppression:
    """Last resort: hide every positive value that is not published elsewhere.

    A hidden value that the published totals still determine and that is not itself below the
    threshold is shown after all: hiding it protects nothing. (Unhiding a bridge leaves every
    other hidden value's cycles as they were.)
    """
    hidden = {p for p in table.positions() if table.value(p) > 0 and p not in fixed} | primary
    for pos in bridges(table, hidden):
        if pos not in primary:
            hidden.discard(pos)
    return Suppression(table, threshold, frozenset(hidden), primary, whole_table=True)


def bridges(table: Table, hidden: Iterable[Position]) -> list[Position]:
    """Hidden positions whose value the published numbers determine (for tests and checks)."""
    hidden_set = set(hidden)
    return [p for p in sorted(hidden_set) if _is_bridge(table, hidden_set, p)]


def _is_bridge(table: Table, hidden: set[Position], pos: Position) -> bool:
    a, b = table.endpoints(pos)
    if a == b:
        return False  # a loop at the free node: on no published line at all
    adjacency = _adjacency(table, hidden - {pos})
    return not _connected(adjacency, a, b)


def _find_bridge(table: Table, hidden: set[Position]) -> Position | None:
    for pos in sorted(hidden):
        if _is_bridge(table, hidden, pos):
            return pos
    return None


def _adjacency(table: Table, edges: Iterable[Position]) -> dict[Node, list[Node]]:
    adjacency: dict[Node, list[Node]] = {}
    for pos in edges:
        a, b = table.endpoints(pos)
        adjacency.setdefault(a, []).append(b)
        adjacency.setdefault(b, []).append(a)
    return adjacency


def _connected(adjacency: dict[Node, list[Node]], a: Node, b: Node) -> bool:
    seen = {a}
    stack = [a]
    while stack:
        node = stack.pop()
        if node == b:
            return True
        for nxt in adjacency.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _cheapest_chain(
    table: Table, hidden: set[Position], bridge: Position, fixed: set[Position]
) -> list[Position] | None:
    """Published positive positions that, hidden, put `bridge` on a cycle; cheapest first."""
    grand = (table.n_rows, table.n_cols)
    start, goal = table.endpoints(bridge)
    edges: list[tuple[Position, int]] = [(p, 0) for p in hidden if p != bridge]
    for pos in table.positions():
        if pos in hidden or pos in fixed or pos == grand:
            continue
        value = table.value(pos)
        if value > 0:
            edges.append((pos, value))
    graph: dict[Node, list[tuple[Node, int, Position]]] = {}
    for pos, cost in edges:
        a, b = table.endpoints(pos)
        graph.setdefault(a, []).append((b, cost, pos))
        graph.setdefault(b, []).append((a, cost, pos))

    best: dict[Node, int] = {start: 0}
    via: dict[Node, tuple[Node, Position]] = {}
    queue: list[tuple[int, Node]] = [(0, start)]
    while queue:
        dist, node = heapq.heappop(queue)
        if node == goal:
            break
        if dist > best.get(node, dist):
            continue
        for nxt, cost, pos in sorted(graph.get(node, [])):
            nd = dist + cost
            if nd < best.get(nxt, nd + 1):
                best[nxt] = nd
                via[nxt] = (node, pos)
                heapq.heappush(queue, (nd, nxt))
    if goal not in best:
        return None
    chain: list[Position] = []
    node = goal
    while node != start:
        prev, pos = via[node]
        if pos not in hidden:
            chain.append(pos)
        node = prev
    return chain
