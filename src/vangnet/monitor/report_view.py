"""What a monitor report shows, as plain data for the templates, PDF and exports: cells (hidden
when suppressed), grids, bars, charts and sections. Built by `presentation.build_report`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    hidden: bool = False
    total: bool = False


@dataclass
class Grid:
    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    footer: tuple[str, list[Cell]] | None = None
    note: str = ""

    @property
    def any_hidden(self) -> bool:
        cells = [c for _, cs in self.rows for c in cs] + (self.footer[1] if self.footer else [])
        return any(c.hidden for c in cells)


@dataclass
class Bar:
    label: str
    text: str
    y: int
    width: float
    hidden: bool

    @property
    def text_x(self) -> float:
        return round(self.width + 5, 1)


@dataclass
class Segment:
    label: str
    text: str
    x: float
    width: float
    colour: str

    @property
    def text_x(self) -> float:
        return round(self.x + 3, 1)

    @property
    def dark_text(self) -> bool:
        return self.colour in {"#dddddd", "#b0b0b0", "#8cbcd9"}


@dataclass
class StackedBar:
    label: str
    y: int
    segments: list[Segment]


@dataclass
class Chart:
    key: str
    title: str
    height: int
    bars: list[Bar] = field(default_factory=list)
    stacks: list[StackedBar] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ReportView:
    title: str
    scope: str
    public: bool
    threshold: int
    year_from: int
    year_to: int
    table: int | None
    registered: str
    sections: list[Section]

    @property
    def any_hidden(self) -> bool:
        return any(g.any_hidden for s in self.sections for g in s.grids)
