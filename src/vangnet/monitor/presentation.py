"""The monitor report as a page and a PDF: tables, bar charts and disclosure control.

Builds a view model from report rows (plain data, no queries): sections with tables and chart
geometry that one template renders for the screen and, through WeasyPrint, for print.

Public version (national only): every additive table goes through `disclosure.suppress`. All
"per year" tables share their year totals with the registrations-per-region table, so those
totals are hidden or published identically everywhere (`force_hidden` / `locked`). Every
variable appears in one cross-tabulation only, so no hidden cell can be rebuilt by adding up
another table. Multi-answer questions are not additive down a column (a case can give several
answers) but are across years or regions, so their rows carry a published total and no column
total. Internal version: exact counts.

Across reports (ADR 0009): public figures exist per calendar year only. A public report over
several years shows the sums of the yearly releases and hides a sum whenever a yearly release
hides a part of it, so no two public reports can be set against each other to recover a cell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from vangnet.reference import questionnaire as codes

from . import disclosure, reporting
from .report_view import Bar, Cell, Chart, Grid, ReportView, Section, Segment, StackedBar
from .reporting import Row

HIDDEN = "×"
TABLE_NAMES = {
    1: "Den Haag/Zuid-Holland",
    2: "Rotterdam-Rijnmond",
    3: "Amsterdam/Noord-Holland",
    4: "Utrecht, Flevoland en Gooi/Veluwe",
    5: "Gelderland/Overijssel",
    6: "Noord-Brabant/Zeeland",
    7: "Limburg",
    8: "Noord-Nederland",
}


CHART_WIDTH = 360  # px for the longest bar
BAR_HEIGHT = 22
PALETTE = ("#00527a", "#4a90b8", "#8cbcd9", "#c06c00", "#6b6b6b", "#b0b0b0")


FOOTER = "Totaal"


class _Builder:
    def __init__(
        self,
        *,
        public: bool,
        threshold: int,
        years: list[int],
        releases: dict[int, dict[str, Grid]] | None = None,
    ) -> None:
        self.public = public
        self.threshold = threshold
        self.years = years
        self.year_labels = [str(y) for y in years]
        self.year_total_hidden: list[bool] = [False] * len(years)
        self.grand_hidden = False
        # Public reports over several years: the fixed per-year releases, by grid key.
        self.releases = releases

    @property
    def many_years(self) -> bool:
        return len(self.years) > 1

    def _columns(self, labels: list[str], row_totals: bool) -> list[str]:
        return labels + (["Totaal"] if row_totals else [])

    def grid(
        self,
        key: str,
        title: str,
        row_header: str,
        row_labels: list[str],
        col_labels: list[str],
        matrix: list[list[int]],
        *,
        row_totals: bool,
        col_totals: bool,
        shares_year_totals: bool = False,
        hide_total: bool = False,
        note: str = "",
    ) -> tuple[Grid, disclosure.Suppression | None]:
        table = disclosure.Table.of(matrix, row_totals=row_totals, col_totals=col_totals)
        result = None
        hidden_in_releases: Callable[[tuple[int, int]], bool] | None = None
        if self.public and self.releases is not None:
            hidden_in_releases = self._release_lookup(key, row_labels, col_labels, table)
        elif self.public:
            forced: set[disclosure.Position] = set()
            locked: set[disclosure.Position] = set()
            if shares_year_totals and col_totals:
                r = table.n_rows
                for j, hidden in enumerate(self.year_total_hidden):
                    (forced if hidden else locked).add((r, j))
            if hide_total:
                forced.update((table.n_rows, j) for j in range(table.n_cols + 1))
            result = disclosure.suppress(table, self.threshold, force_hidden=forced, locked=locked)

        def cell(pos: tuple[int, int], total: bool = False) -> Cell:
            value = table.value(pos)
            if result is not None and result.is_hidden(pos):
                return Cell(HIDDEN, hidden=True, total=total)
            if hidden_in_releases is not None and hidden_in_releases(pos):
                return Cell(HIDDEN, hidden=True, total=total)
            return Cell(str(value), total=total)

        r, c = table.n_rows, table.n_cols
        rows = []
        for i, label in enumerate(row_labels):
            cells = [cell((i, j)) for j in range(c)]
            if row_totals:
                cells.append(cell((i, c), total=True))
            rows.append((label, cells))
        footer = None
        if col_totals:
            cells = [cell((r, j), total=True) for j in range(c)]
            if row_totals:
                cells.append(cell((r, c), total=True))
            footer = (FOOTER, cells)
        return (
            Grid(key, title, row_header, self._columns(col_labels, row_totals), rows, footer, note),
            result,
        )

    def _release_lookup(
        self, key: str, row_labels: list[str], col_labels: list[str], table: disclosure.Table
    ) -> Callable[[tuple[int, int]], bool]:
        """Whether a position of a several-year public table is hidden: it is the sum of the same
        position in the fixed per-year releases (a year column is one release's only column),
        and it is shown only when every release shows its part (ADR 0009)."""
        assert self.releases is not None
        by_year = col_labels == self.year_labels
        r, c = table.n_rows, table.n_cols

        def part_hidden(year: int, label: str, column: int) -> bool:
            grid = self.releases[year][key]  # type: ignore[index]
            cells: list[Cell] | None
            if label == FOOTER:
                cells = grid.footer[1] if grid.footer else None
            else:
                cells = next((cs for lab, cs in grid.rows if lab == label), None)
            # A row a release leaves out is zero there, and zero is published.
            return cells is not None and cells[column].hidden

        def hidden(pos: tuple[int, int]) -> bool:
            i, j = pos
            label = row_labels[i] if i < r else FOOTER
            if by_year:
                years = self.years if j == c else [self.years[j]]
                return any(part_hidden(y, label, 0) for y in years)
            return any(part_hidden(y, label, j) for y in self.years)

        return hidden


def _per_year(
    rows: Sequence[Row], years: list[int], key: str, options: codes.Options
) -> tuple[list[str], list[list[int]]]:
    """Single-answer counts: one row per option plus 'niet ingevuld', one column per year."""
    # One pass over the records (a count per option and year would read them 50 times over).
    counts: Counter[tuple[str | None, int]] = Counter()
    for r in rows:
        given = r.given(key)
        if len(given) <= 1:
            counts[(given[0] if given else None, r.year)] += 1
    matrix = [[counts[(code, y)] for y in years] for code, _ in options]
    matrix.append([counts[(None, y)] for y in years])
    labels = [label for _, label in options] + ["Niet ingevuld"]
    if sum(matrix[-1]) == 0:
        return labels[:-1], matrix[:-1]
    return labels, matrix


def _multi_per(
    rows: Sequence[Row], key: str, groups: list[int], group_of: Callable[[Row], int]
) -> list[list[int]]:
    question = codes.QUESTION_BY_KEY[key]
    # One pass: a case counts once per answer it gave, in its own group.
    counts: Counter[tuple[str, int]] = Counter()
    for r in rows:
        group = group_of(r)
        for code in set(r.given(key)):
            counts[(code, group)] += 1
    return [[counts[(code, g)] for g in groups] for code in question.codes]


def _hbar_chart(key: str, title: str, items: list[tuple[str, int | None]], note: str = "") -> Chart:
    largest = max([v for _, v in items if v is not None] + [1])
    bars = []
    for k, (label, value) in enumerate(items):
        width = 0.0 if value is None else CHART_WIDTH * value / largest
        bars.append(
            Bar(
                label=label,
                text=HIDDEN if value is None else str(value),
                y=k * (BAR_HEIGHT + 8),
                width=round(width, 1),
                hidden=value is None,
            )
        )
    return Chart(key, title, height=len(items) * (BAR_HEIGHT + 8), bars=bars, note=note)


def _value(cell: Cell) -> int | None:
    return None if cell.hidden else int(cell.text)


def build_report(
    rows: Sequence[Row],
    *,
    year_from: int,
    year_to: int,
    table: int | None,
    public: bool,
    threshold: int,
    consultations: dict[tuple[int, int], int] | None,
) -> ReportView:
    if public and table is not None:
        raise ValueError("per-table reports are internal only")
    rows = reporting.select(rows, year_from=year_from, year_to=year_to, table=table)
    years = reporting.years(year_from, year_to)
    releases = None
    if public and len(years) > 1:
        # Public figures exist for one fixed set of non-overlapping periods, the calendar years
        # (ADR 0009). A report over several years shows the sums of those releases and hides a
        # sum when any release hides a part of it, so it tells nothing the yearly releases do
        # not, and no two public reports can be set against each other to recover a hidden cell.
        releases = {
            y: {
                g.key: g
                for s in build_report(
                    rows,
                    year_from=y,
                    year_to=y,
                    table=None,
                    public=True,
                    threshold=threshold,
                    consultations=consultations,
                ).sections
                for g in s.grids
            }
            for y in years
        }
    b = _Builder(public=public, threshold=threshold, years=years, releases=releases)
    many = b.many_years
    scope = f"Tafel {table} – {TABLE_NAMES.get(table, '')}" if table is not None else "Landelijk"
    period = f"{year_from}" if year_from == year_to else f"{year_from}–{year_to}"
    sections: list[Section] = []

    # Registrations per region and year (figure 5). Its year totals are the base every other
    # per-year table shares.
    tables = [table] if table is not None else list(reporting.TABLES)
    per_table_year = Counter((r.table, r.year) for r in rows)
    base_matrix = [[per_table_year[(t, y)] for y in years] for t in tables]
    base, base_result = b.grid(
        "per_table",
        "Aanmeldingen per tafel en jaar",
        "Tafel",
        [f"{t}. {TABLE_NAMES[t]}" for t in tables],
        b.year_labels,
        base_matrix,
        row_totals=many,
        col_totals=True,
    )
    if base_result is not None:
        n = len(tables)
        b.year_total_hidden = [base_result.is_hidden((n, j)) for j in range(len(years))]
    registered = base.footer[1][-1] if base.footer else Cell(str(len(rows)))
    overview = Section("registrations", "Aanmeldingen", grids=[base])
    if table is None:
        per_table_values = [_value(cells[-1]) for _, cells in base.rows]
        overview.charts.append(
            _hbar_chart(
                "figure5",
                "Aantal aanmeldingen per regio (zoals figuur 5)",
                [(label, v) for (label, _), v in zip(base.rows, per_table_values, strict=True)],
            )
        )
    sections.append(overview)

    # Outcomes (figure 1).
    labels, matrix = _per_year(rows, years, "outcome", codes.OUTCOMES)
    outcomes, _ = b.grid(
        "outcomes",
        "Uitkomst van de aangemelde casussen",
        "Uitkomst (vraag 11)",
        labels,
        b.year_labels,
        matrix,
        row_totals=many,
        col_totals=True,
        shares_year_totals=True,
    )
    outcome_section = Section(
        "outcomes",
        "Uitkomsten",
        intro="Is het de casuïstiektafel gelukt om de patiënt naar passende zorg toe te leiden?",
        grids=[outcomes],
    )
    outcome_section.charts.append(
        _hbar_chart(
            "figure1",
            f"Uitkomst van de aangemelde casussen, {period} (zoals figuur 1)",
            [(label, _value(cells[-1])) for label, cells in outcomes.rows],
        )
    )
    if not public:
        # Internal only: in the public version this count could be set against question 15.
        not_accepted = sum(1 for r in rows if r.outcome == "new_offer" and r.patient_agreed == "no")
        new_offers = _row_total(outcomes, codes.codes_of(codes.OUTCOMES).index("new_offer"))
        outcome_section.facts.append(
            (f"Nieuw aanbod niet geaccepteerd (van de {new_offers.text})", str(not_accepted))
        )
    sections.append(outcome_section)

    # Referrers (figures 2 and 3).
    labels, matrix = _per_year(rows, years, "referrer_type", codes.REFERRER_TYPES)
    referrers, _ = b.grid(
        "referrers",
        "Aanmeldingen per type verwijzer en jaar",
        "Verwijzer",
        labels,
        b.year_labels,
        matrix,
        row_totals=many,
        col_totals=True,
        shares_year_totals=True,
    )
    referrer_section = Section(
        "referrers", "Verwijzers en routes van aanmelding", grids=[referrers]
    )
    referrer_section.charts.append(_share_chart(referrers, b.year_labels, many))
    referrer_section.charts.append(
        _hbar_chart(
            "figure3",
            f"Routes van aanmelding: aanmeldingen per verwijzer, {period} (zoals figuur 3)",
            [(label, _value(cells[-1])) for label, cells in referrers.rows],
        )
    )
    sections.append(referrer_section)

    # Every question's distribution.
    questions = Section(
        "questions",
        "Antwoorden per vraag",
        intro=(
            "Bij vragen met meerdere antwoorden telt een casus één keer per gegeven antwoord; "
            "de kolommen tellen daarom niet op tot het aantal casussen."
        ),
    )
    by_key: dict[str, Grid] = {}
    for q in codes.QUESTIONS:
        if q.is_open or q.key in {"outcome", "referrer_type", "shortages"}:
            continue
        title = f"Vraag {q.number}. {q.text}"
        if q.multiple:
            matrix = _multi_per(rows, q.key, years, lambda r: r.year)
            grid, _ = b.grid(
                q.key,
                title,
                "Antwoord",
                [label for _, label in q.options],
                b.year_labels,
                matrix,
                row_totals=many,
                col_totals=False,
            )
        else:
            labels, matrix = _per_year(rows, years, q.key, q.options)
            grid, _ = b.grid(
                q.key,
                title,
                "Antwoord",
                labels,
                b.year_labels,
                matrix,
                row_totals=many,
                col_totals=True,
                shares_year_totals=True,
            )
        questions.grids.append(grid)
        by_key[q.key] = grid
    sections.append(questions)

    # Shortages (tekorten) per region, and signals of barriers between financing systems.
    signals = Section(
        "shortages",
        "Tekorten en schotten",
        intro=(
            "Tekorten in het aanbod die de casussen laten zien (seed 001 §4.1), per regio. "
            "Signalen van schotten tussen financieringsstelsels komen uit de vragen 9, 12 en 13: "
            "onvoldoende financiering, knelpunten in samenwerking en bijzondere financiering."
        ),
    )
    if table is None:
        matrix = _multi_per(rows, "shortages", list(reporting.TABLES), lambda r: r.table)
        col_labels = [str(t) for t in reporting.TABLES]
        grid, _ = b.grid(
            "shortages",
            "Tekorten per tafel (aantal casussen)",
            "Tekort",
            [label for _, label in codes.SHORTAGES],
            col_labels,
            matrix,
            row_totals=True,
            col_totals=False,
        )
    else:
        matrix = _multi_per(rows, "shortages", years, lambda r: r.year)
        grid, _ = b.grid(
            "shortages",
            "Tekorten per jaar (aantal casussen)",
            "Tekort",
            [label for _, label in codes.SHORTAGES],
            b.year_labels,
            matrix,
            row_totals=many,
            col_totals=False,
        )
    signals.grids.append(grid)
    barrier_codes = [
        ("stuck_reasons", "insufficient_funding", "Vraag 9: onvoldoende financiering"),
        ("stuck_reasons", "cooperation_bottleneck", "Vraag 9: knelpunten in samenwerking"),
        ("helped_by", "special_funding", "Vraag 12: bijzondere financiering geregeld"),
        ("obstacles", "no_funding", "Vraag 13: geen bijzondere financiering gekregen"),
        ("obstacles", "no_cooperation", "Vraag 13: samenwerking niet gelukt"),
    ]
    # Read from the question tables, so a number hidden there is hidden here too.
    for key, code, label in barrier_codes:
        cell = _row_total(by_key[key], codes.QUESTION_BY_KEY[key].codes.index(code))
        signals.facts.append((label, cell.text))
    sections.append(signals)

    # Consultations without admission.
    consult = Section("consultations", "Consultaties")
    if consultations is None:
        consult.intro = (
            "Consultaties zonder aanmelding worden nog niet in Vangnet geregistreerd; "
            "dit deel vult zich zodra de registratie van consultaties in gebruik is."
        )
    else:
        matrix = [[consultations.get((t, y), 0) for y in years] for t in tables]
        grid, _ = b.grid(
            "consultations",
            "Consultaties per tafel en jaar",
            "Tafel",
            [f"{t}. {TABLE_NAMES[t]}" for t in tables],
            b.year_labels,
            matrix,
            row_totals=many,
            col_totals=True,
        )
        consult.grids.append(grid)
    sections.append(consult)

    # Time from registration to outcome.
    days = reporting.lead_days(rows)
    lead = Section(
        "lead_time",
        "Doorlooptijd van aanmelding tot uitkomst",
        intro=(
            "Alleen afgeronde casussen waarvan Vangnet de datum van de uitkomst kent; "
            "geïmporteerde historische registraties hebben die datum niet."
        ),
    )
    # Closed cases with a known date could be set against the closed outcomes of the outcome
    # table, so in the public version their total is hidden (with a complement).
    grid, _ = b.grid(
        "lead_time",
        "Afgeronde casussen naar doorlooptijd",
        "Doorlooptijd",
        [label for label, _, _ in reporting.LEAD_TIME_BUCKETS],
        ["Aantal"],
        [[n] for n in reporting.lead_time_buckets(days)],
        row_totals=False,
        col_totals=True,
        hide_total=True,
    )
    lead.grids.append(grid)
    middle = reporting.median_days(days)
    # A median over several years is not a sum of the yearly releases: public only per year.
    if middle is not None and (not public or (len(days) >= threshold and not many)):
        lead.facts.append(("Mediane doorlooptijd", f"{middle:.0f} dagen"))
    sections.append(lead)

    sections.append(_after_closure(b, rows))

    version = "openbare versie" if public else "interne versie (exacte aantallen)"
    return ReportView(
        title=f"Monitor casuïstiektafels hoogcomplexe ggz {period}",
        scope=f"{scope} · {version}",
        public=public,
        threshold=threshold,
        year_from=year_from,
        year_to=year_to,
        table=table,
        registered=registered.text,
        sections=sections,
    )


def _after_closure(b: _Builder, rows: Sequence[Row]) -> Section:
    """The outcome follow-up (issue 16 §3): 3 and 12 months after a closure with a new offer the
    referrer says whether the patient still receives the care agreed, and if not why not. Counted
    like every other table: small cells suppressed in the public version."""
    from vangnet.reference import outcome_followup as vocab

    moments = [f"Na {m} maanden" for m in vocab.MONTHS]
    section = Section(
        "after_closure",
        "Na afsluiting: krijgt de patiënt de afgesproken zorg nog?",
        intro=(
            "Drie en twaalf maanden na een afsluiting met een nieuw aanbod vraagt Vangnet de "
            "verwijzer of de afgesproken zorg nog loopt (seed 001 §2.1.1: of patiënten op langere "
            "termijn geholpen zijn, konden de tafels niet volgen). Alleen beantwoorde vragen tellen."
        ),
    )
    answers, _ = b.grid(
        "after_closure",
        "Antwoorden van verwijzers na afsluiting (aantal casussen)",
        "Antwoord",
        [label for _, label in vocab.ANSWERS],
        moments,
        reporting.followup_counts(rows, "answer", vocab.codes(vocab.ANSWERS)),
        row_totals=False,
        col_totals=True,
    )
    reasons, _ = b.grid(
        "after_closure_reasons",
        "Waarom de afgesproken zorg niet (volledig) loopt (meerdere redenen mogelijk)",
        "Reden",
        [label for _, label in vocab.REASONS],
        moments,
        reporting.followup_counts(rows, "reasons", vocab.codes(vocab.REASONS)),
        row_totals=False,
        col_totals=False,
    )
    section.grids.extend([answers, reasons])
    return section


def _row_total(grid: Grid, index: int) -> Cell:
    """The total of a row: its total column, or its only cell when there is one year."""
    return grid.rows[index][1][-1]


def _share_chart(referrers: Grid, year_labels: list[str], many: bool) -> Chart:
    """Figure 2: per year the share of each referrer type; hidden shares grey together."""
    assert referrers.footer is not None
    totals = referrers.footer[1]
    stacks = []
    legend = [(label, PALETTE[k % len(PALETTE)]) for k, (label, _) in enumerate(referrers.rows)]
    for j, year in enumerate(year_labels):
        total = _value(totals[j])
        segments: list[Segment] = []
        x = 0.0
        if total:
            shown = 0
            for k, (label, cells) in enumerate(referrers.rows):
                value = _value(cells[j])
                if not value:
                    continue
                width = CHART_WIDTH * value / total
                segments.append(
                    Segment(
                        label,
                        f"{round(100 * value / total)}%",
                        round(x, 1),
                        round(width, 1),
                        PALETTE[k % len(PALETTE)],
                    )
                )
                x += width
                shown += value
            if shown < total:
                rest = CHART_WIDTH * (total - shown) / total
                segments.append(
                    Segment("Onderdrukt", HIDDEN, round(x, 1), round(rest, 1), "#dddddd")
                )
        stacks.append(StackedBar(year, j * (BAR_HEIGHT + 8), segments))
    return Chart(
        "figure2",
        "Aanmeldingen per jaar naar aandeel van verwijzers (zoals figuur 2)",
        height=len(year_labels) * (BAR_HEIGHT + 8),
        stacks=stacks,
        legend=legend,
    )
