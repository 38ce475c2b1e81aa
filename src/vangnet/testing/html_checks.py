"""Structure checks on rendered HTML, for pages the browser journeys do not reach: the same
id and reference rules the browser tests add to axe-core, and axe's `empty-table-header`."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

IDREF_ATTRS = ("aria-describedby", "aria-labelledby", "aria-controls", "for")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.refs: list[tuple[str, str, str]] = []
        self.empty_headers = 0
        self._th_depth = 0
        self._th_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids[values["id"] or ""] += 1
        for attr in IDREF_ATTRS:
            for ref in (values.get(attr) or "").split():
                self.refs.append((tag, attr, ref))
        if tag == "th":
            self._th_depth += 1
            self._th_text = ""
        elif self._th_depth and tag in ("img", "svg") and values.get("alt", "x"):
            self._th_text += "x"

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._th_depth:
            self._th_depth -= 1
            if not self._th_text.strip():
                self.empty_headers += 1

    def handle_data(self, data: str) -> None:
        if self._th_depth:
            self._th_text += data


def html_problems(html: str) -> list[str]:
    """Duplicate ids, id references to absent ids, table headers without text."""
    c = _Collector()
    c.feed(html)
    problems = [f"duplicate id {i!r} ({n}×)" for i, n in c.ids.items() if n > 1]
    problems += [f"{tag}[{attr}] names absent id {ref!r}" for tag, attr, ref in c.refs
                 if ref not in c.ids]  # fmt: skip
    if c.empty_headers:
        problems.append(f"{c.empty_headers} empty table header(s)")
    return problems
