"""Disclosure control across releases (issue 10 §6, ADR 0009): no hidden number of any public
report can be recovered by setting public reports for different periods against each other.

The oracle extends the exact-arithmetic oracle of `test_disclosure` from one table to every table
of every public release together. Its unknowns are the "atoms" a reader would want to know: per
table the count of one row in one calendar year (and, for tables whose columns are not years,
in one column). Every number a release shows is a sum of atoms with a known value; a hidden
number is a sum of atoms too. A reader can derive a hidden number by differencing, adding or any
other linear combination exactly when its vector lies in the span of the published vectors and
of the identities every reader knows (each table with year totals counts the same registrations
as the per-table table). That is decided with rational Gaussian elimination, no floating point.
Because every atom belongs to one calendar year and each year's release hides the same cells
whichever report it appears in, releases for different years share no unknowns; within a year
the witness argument of `test_disclosure` (a ±1 change around a cycle keeps every published
number and every count non-negative) carries over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vangnet.monitor import presentation
from vangnet.monitor.reporting import Row
from vangnet.reference import questionnaire as codes

Atom = tuple[str, str, str, int]  # (table key, row label, column label or "", year)
Vector = dict[Atom, Fraction]

# Tables with year columns and a total per year that count something else than registrations.
NOT_SHARING = {"per_table", "consultations"}


class Span:
    """The span of the vectors a reader knows, kept in reduced form (insertion-ordered pivots)."""

    def __init__(self) -> None:
        self.basis: dict[Atom, Vector] = {}

    def reduce(self, vector: Vector) -> Vector:
        v = {k: c for k, c in vector.items() if c}
        for pivot, row in self.basis.items():
            factor = v.get(pivot)
            if factor:
                for k, c in row.items():
                    nv = v.get(k, Fraction(0)) - factor * c
                    if nv:
                        v[k] = nv
                    else:
                        v.pop(k, None)
        return v

    def add(self, vector: Vector) -> None:
        v = self.reduce(vector)
        if v:
            pivot = min(v)
            lead = v[pivot]
            self.basis[pivot] = {k: c / lead for k, c in v.items()}

    def contains(self, vector: Vector) -> bool:
        return not self.reduce(vector)


def _ones(atoms: Iterable[Atom]) -> Vector:
    out: Vector = {}
    for a in atoms:
        out[a] = out.get(a, Fraction(0)) + 1
    return out


def release_equations(view: presentation.ReportView, universe: dict[str, set[str]]):
    """(vector, value or None when hidden, description) for every number the release shows,
    plus the zero rows it leaves out (a left-out row is zero, and the reader knows it)."""
    years = list(range(view.year_from, view.year_to + 1))
    year_labels = [str(y) for y in years]
    for section in view.sections:
        for grid in section.grids:
            cols = grid.columns
            by_year = cols[: len(years)] == year_labels
            data_cols = [c for c in cols if c != "Totaal"]

            def atoms(label: str, col: str, grid=grid, by_year=by_year, data_cols=data_cols):
                labels = sorted(universe[grid.key]) if label == "Totaal" else [label]
                if by_year:
                    ys = years if col == "Totaal" else [int(col)]
                    return [(grid.key, lab, "", y) for lab in labels for y in ys]
                cs = data_cols if col == "Totaal" else [col]
                return [(grid.key, lab, c, y) for lab in labels for c in cs for y in years]

            shown = set()
            lines = list(grid.rows) + ([grid.footer] if grid.footer else [])
            for label, cells in lines:
                shown.add(label)
                for col, cell in zip(cols, cells, strict=True):
                    value = None if cell.hidden else int(cell.text)
                    yield (
                        _ones(atoms(label, col)),
                        value,
                        f"{view.year_from}-{view.year_to} {grid.key} {label}/{col}",
                    )
            for label in universe[grid.key] - shown:
                for col in data_cols:
                    for atom in atoms(label, col):
                        yield {atom: Fraction(1)}, 0, "left out"


def identities(
    universe: dict[str, set[str]], sharing: set[str], years: list[int]
) -> Iterable[Vector]:
    """Single-answer tables with year totals count every registration of the year once."""
    for key in sharing:
        for y in years:
            v = _ones((key, lab, "", y) for lab in universe[key])
            for lab in universe["per_table"]:
                v[("per_table", lab, "", y)] = v.get(("per_table", lab, "", y), Fraction(0)) - 1
            yield v


def recoverable(views: list[presentation.ReportView]) -> list[str]:
    """Descriptions of hidden numbers that the published numbers of all `views` determine."""
    universe: dict[str, set[str]] = {}
    sharing: set[str] = set()
    for view in views:
        year_labels = [str(y) for y in range(view.year_from, view.year_to + 1)]
        for section in view.sections:
            for grid in section.grids:
                universe.setdefault(grid.key, set()).update(label for label, _ in grid.rows)
                if grid.footer and grid.columns[: len(year_labels)] == year_labels:
                    sharing.add(grid.key)
    sharing -= NOT_SHARING
    known = Span()
    years = sorted({y for v in views for y in range(v.year_from, v.year_to + 1)})
    for v in identities(universe, sharing, years):
        known.add(v)
    hidden = []
    for view in views:
        for vector, value, what in release_equations(view, universe):
            if value is None:
                hidden.append((vector, what))
            else:
                known.add(vector)
    return [what for vector, what in hidden if known.contains(vector)]


def public(rows: list[Row], year_from: int, year_to: int, threshold: int):
    return presentation.build_report(
        rows,
        year_from=year_from,
        year_to=year_to,
        table=None,
        public=True,
        threshold=threshold,
        consultations=None,
    )


YEARS = (2020, 2021, 2022)
records = st.builds(
    lambda year, table, outcome, referrer, age: Row(
        registration_date=date(year, 6, 1),
        table=table,
        outcome=outcome,
        referrer_type=referrer,
        answers={"age_cluster": age},
    ),
    year=st.sampled_from(YEARS),
    table=st.integers(1, 8),
    outcome=st.sampled_from(codes.codes_of(codes.OUTCOMES)),
    referrer=st.sampled_from(["", *codes.codes_of(codes.REFERRER_TYPES)]),
    age=st.sampled_from(["", *codes.codes_of(codes.AGE_CLUSTER)]),
)

# The finding, in miniature: the seed's registrations per table and year (Rotterdam 2 in
# 2020 and 1 in 2021); the 2020-2021 and 2020-2022 reports used to give Rotterdam away.
SEED_COUNTS = {
    (1, 2020): 5, (1, 2021): 4, (2, 2020): 2, (2, 2021): 1, (3, 2020): 2, (3, 2021): 1,
    (4, 2020): 17, (4, 2021): 13, (5, 2020): 5, (5, 2021): 4, (6, 2020): 5, (6, 2021): 3,
    (7, 2020): 4, (7, 2021): 5, (8, 2020): 3, (8, 2021): 3,
}  # fmt: skip
SEED_ROWS = [
    Row(registration_date=date(y, 6, 1), table=t, outcome="ongoing", referrer_type="gp")
    for (t, y), n in SEED_COUNTS.items()
    for _ in range(n)
]


def test_the_seed_reports_for_overlapping_periods_give_nothing_away():
    for threshold in (2, 3, 5):
        views = [public(SEED_ROWS, a, b, threshold) for a, b in ((2020, 2021), (2020, 2022))]
        views += [public(SEED_ROWS, y, y, threshold) for y in (2020, 2021)]
        assert recoverable(views) == []


@settings(max_examples=25, deadline=None)
@given(st.lists(records, max_size=40), st.sampled_from([3, 5]))
@example(SEED_ROWS, 5)
def test_no_hidden_number_can_be_recovered_from_all_public_releases(rows, threshold):
    """Every public report a user can ask for over these years, all set against each other."""
    views = [public(rows, a, b, threshold) for a in YEARS for b in YEARS if a <= b]
    assert recoverable(views) == []


def test_the_oracle_finds_a_recoverable_cell():
    """The oracle can fail: a hand-made pair of tables where differencing gives a hidden 1."""
    span = Span()
    a: Atom = ("t", "Rotterdam", "", 2020)
    b: Atom = ("t", "Rotterdam", "", 2021)
    span.add({a: Fraction(1), b: Fraction(1)})  # a two-year total, published
    span.add({a: Fraction(1)})  # the first year, published in another report
    assert span.contains({b: Fraction(1)})
    assert not Span().contains({b: Fraction(1)})
