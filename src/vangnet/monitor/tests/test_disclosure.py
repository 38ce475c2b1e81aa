"""Disclosure control: no suppressed value can be derived from what the table publishes.

The oracle is independent of the suppression code: it writes down the equations a reader of the
published table knows (every published total is the sum of its row or column), moves the
published numbers to the right-hand side and asks, with exact rational arithmetic, whether the
hidden value is fixed by them (it is iff its unit vector lies in the row space of the system).
For every hidden value that is not fixed it also builds a witness: another non-negative table
that shows exactly the same published numbers but a different value in that position.

Integers: the equations have the structure of a bipartite network (every unknown is in at most
two of them, each with coefficient ±1), so the system is totally unimodular and the range of a
hidden value over non-negative tables has integer end points. A witness with a different value
therefore means at least two integer values are possible.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vangnet.monitor.disclosure import Table, bridges, suppress

Pos = tuple[int, int]


def value(cells: list[list[int]], pos: Pos) -> int:
    r, c = len(cells), len(cells[0])
    i, j = pos
    if i < r and j < c:
        return cells[i][j]
    if i < r:
        return sum(cells[i])
    if j < c:
        return sum(row[j] for row in cells)
    return sum(map(sum, cells))


def published_equations(
    cells: list[list[int]], row_totals: bool, col_totals: bool
) -> list[dict[Pos, int]]:
    """Each published total as {position: coefficient} with sum == 0."""
    r, c = len(cells), len(cells[0])
    eqs: list[dict[Pos, int]] = []
    if row_totals:
        for i in range(r):
            eq = {(i, j): 1 for j in range(c)}
            eq[(i, c)] = -1
            eqs.append(eq)
    if col_totals:
        for j in range(c):
            eq = {(i, j): 1 for i in range(r)}
            eq[(r, j)] = -1
            eqs.append(eq)
    if row_totals and col_totals:
        eq = {(r, j): 1 for j in range(c)}
        eq[(r, c)] = -1
        eqs.append(eq)
        eq = {(i, c): 1 for i in range(r)}
        eq[(r, c)] = -1
        eqs.append(eq)
    return eqs


def rref(matrix: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    m = [row[:] for row in matrix]
    pivots: list[int] = []
    row = 0
    n_cols = len(m[0]) if m else 0
    for col in range(n_cols):
        pivot = next((k for k in range(row, len(m)) if m[k][col] != 0), None)
        if pivot is None:
            continue
        m[row], m[pivot] = m[pivot], m[row]
        lead = m[row][col]
        m[row] = [v / lead for v in m[row]]
        for k in range(len(m)):
            if k != row and m[k][col] != 0:
                factor = m[k][col]
                m[k] = [a - factor * b for a, b in zip(m[k], m[row], strict=True)]
        pivots.append(col)
        row += 1
        if row == len(m):
            break
    return m, pivots


def witness(
    cells: list[list[int]], row_totals: bool, col_totals: bool, hidden: set[Pos], target: Pos
) -> dict[Pos, Fraction] | None:
    """Another assignment of the hidden positions with the same published numbers, or None."""
    unknowns = sorted(hidden)
    index = {p: k for k, p in enumerate(unknowns)}
    rows = []
    for eq in published_equations(cells, row_totals, col_totals):
        coeffs = [Fraction(0)] * len(unknowns)
        for pos, coef in eq.items():
            if pos in index:
                coeffs[index[pos]] += coef
        if any(coeffs):
            rows.append(coeffs)
    t = index[target]
    if not rows:
        kernel = [Fraction(0)] * len(unknowns)
        kernel[t] = Fraction(1)
    else:
        reduced, pivots = rref(rows)
        free = [k for k in range(len(unknowns)) if k not in pivots]
        kernel = None
        for f in free:
            vec = [Fraction(0)] * len(unknowns)
            vec[f] = Fraction(1)
            for row_k, p in enumerate(pivots):
                vec[p] = -reduced[row_k][f]
            if vec[t] != 0:
                kernel = vec
                break
        if kernel is None:
            return None
    # Every hidden value is at least 1, so a step of at most 1 per position keeps all >= 0.
    step = 1 / max(abs(v) for v in kernel)
    return {p: value(cells, p) + step * kernel[index[p]] for p in unknowns}


def check_protected(cells, row_totals, col_totals, hidden: set[Pos]) -> None:
    for pos in hidden:
        assert value(cells, pos) > 0, f"a zero is hidden at {pos}"
        alt = witness(cells, row_totals, col_totals, hidden, pos)
        assert alt is not None, f"hidden value at {pos} follows from the published totals"
        assert alt[pos] != value(cells, pos)
        assert all(v >= 0 for v in alt.values())
        full = {p: Fraction(value(cells, p)) for p in _all_positions(cells)}
        full.update(alt)
        for eq in published_equations(cells, row_totals, col_totals):
            assert sum(coef * full[p] for p, coef in eq.items()) == 0


def _all_positions(cells: list[list[int]]) -> list[Pos]:
    r, c = len(cells), len(cells[0])
    return [(i, j) for i in range(r + 1) for j in range(c + 1)]


def published_lines_with_hidden(cells, row_totals, col_totals, hidden):
    for eq in published_equations(cells, row_totals, col_totals):
        in_line = [p for p in eq if p in hidden]
        if in_line:
            yield in_line


counts = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 35])


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 5))
    cells = [[draw(counts) for _ in range(n_cols)] for _ in range(n_rows)]
    return cells, draw(st.booleans()), draw(st.booleans()), draw(st.integers(2, 6))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_value_can_be_derived(case):
    cells, row_totals, col_totals, threshold = case
    result = suppress(Table.of(cells, row_totals=row_totals, col_totals=col_totals), threshold)
    t = result.table
    sensitive = {p for p in t.positions() if 0 < t.value(p) < threshold}
    assert sensitive <= result.hidden
    check_protected(cells, row_totals, col_totals, set(result.hidden))
    # The simple necessary condition: a published total never has just one hidden member.
    for in_line in published_lines_with_hidden(cells, row_totals, col_totals, result.hidden):
        assert len(in_line) >= 2


@settings(max_examples=200, deadline=None)
@given(tables(), st.data())
def test_shared_totals_stay_consistent_and_protected(case, data):
    """Totals another table already hides stay hidden; totals it publishes are never hidden."""
    cells, _, _, threshold = case
    t = Table.of(cells)
    r, c = t.n_rows, t.n_cols
    col_total_positions = [(r, j) for j in range(c)]
    forced = {p for p in col_total_positions if data.draw(st.booleans()) and t.value(p) > 0}
    locked = {p for p in col_total_positions if p not in forced and t.value(p) >= threshold}
    result = suppress(t, threshold, force_hidden=forced, locked=locked)
    assert forced <= result.hidden
    assert not (locked & result.hidden)
    check_protected(cells, True, True, set(result.hidden))


def test_a_single_small_cell_takes_three_others_with_it():
    cells = [[3, 10, 12], [8, 9, 15], [20, 11, 30]]
    result = suppress(Table.of(cells), 5)
    assert result.primary == {(0, 0)}
    assert len(result.hidden) == 4  # a rectangle: one small cell needs three complements
    assert not bridges(result.table, result.hidden)
    assert result.published((0, 3)) is None or result.published((0, 0)) is None


def test_zeros_and_large_cells_are_published_and_a_clean_table_is_untouched():
    result = suppress(Table.of([[0, 10], [7, 25]]), 5)
    assert result.hidden == frozenset()


def test_a_small_grand_total_hides_the_whole_table():
    result = suppress(Table.of([[1, 0], [2, 0]]), 5)
    assert result.whole_table
    assert (2, 2) in result.hidden


def test_one_column_with_its_total_hides_a_second_cell():
    result = suppress(Table.of([[3], [0], [20], [9]], row_totals=False), 5)
    assert (0, 0) in result.hidden
    assert len([p for p in result.hidden if p[1] == 0 and p[0] < 4]) >= 2
    assert result.published((4, 0)) == 32


def test_threshold_must_be_positive():
    with pytest.raises(ValueError):
        suppress(Table.of([[1]]), 0)
