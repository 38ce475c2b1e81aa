"""The monitor counts the referrers' answers 3 and 12 months after a closure (issue 16 §3), in
the report's own section, with the same disclosure control as every other table."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from vangnet.monitor import presentation
from vangnet.monitor.reporting import Row
from vangnet.reference import outcome_followup as vocab

from .test_disclosure import check_protected
from .test_report import _matrix_and_hidden


def row(followups: dict[str, dict[str, object]], year: int = 2021) -> Row:
    return Row(
        registration_date=date(year, 3, 1),
        table=3,
        outcome="new_offer",
        referrer_type="gp",
        followups=followups,
    )


def _grids(rows: list[Row], *, public: bool, threshold: int = 5, year_to: int = 2021):
    view = presentation.build_report(
        rows,
        year_from=2020,
        year_to=year_to,
        table=None,
        public=public,
        threshold=threshold,
        consultations=None,
    )
    section = next(s for s in view.sections if s.key == "after_closure")
    return {g.key: g for g in section.grids}


def _cells(grid) -> dict[str, list[str]]:
    return {label: [c.text for c in cs] for label, cs in grid.rows}


LABEL = dict(vocab.ANSWERS)
REASON = dict(vocab.REASONS)


def test_internal_report_counts_answers_and_reasons_per_moment():
    rows = (
        [row({"3": {"answer": "yes", "reasons": []}})] * 6
        + [row({"3": {"answer": "no", "reasons": ["no_capacity", "financing"]}})]
        + [
            row(
                {
                    "3": {"answer": "yes", "reasons": []},
                    "12": {"answer": "partly", "reasons": ["no_capacity"]},
                }
            )
        ]
        + [row({})]  # asked, never answered: not counted
    )
    grids = _grids(rows, public=False)
    answers = _cells(grids["after_closure"])
    assert answers[LABEL["yes"]] == ["7", "0"]
    assert answers[LABEL["no"]] == ["1", "0"]
    assert answers[LABEL["partly"]] == ["0", "1"]
    assert [c.text for c in grids["after_closure"].footer[1]] == ["8", "1"]
    reasons = _cells(grids["after_closure_reasons"])
    assert reasons[REASON["no_capacity"]] == ["1", "1"]
    assert reasons[REASON["financing"]] == ["1", "0"]


def test_public_report_hides_small_answer_counts():
    rows = [row({"3": {"answer": "yes", "reasons": []}})] * 7 + [
        row({"3": {"answer": "no", "reasons": ["moved"]}})
    ]
    grids = _grids(rows, public=True)
    answers = _cells(grids["after_closure"])
    assert answers[LABEL["no"]][0] == "×"
    assert answers[LABEL["yes"]][0] == "×"  # its complement: the total would give it away
    assert _cells(grids["after_closure_reasons"])[REASON["moved"]][0] == "×"


answer_st = st.sampled_from(vocab.codes(vocab.ANSWERS))
followup_st = st.builds(
    lambda a, rs: {"answer": a, "reasons": sorted(set(rs)) if a in vocab.NOT_FULLY else []},
    answer_st,
    st.lists(st.sampled_from(vocab.codes(vocab.REASONS)), min_size=1, max_size=3),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda y, f3, f12: row(
                {k: v for k, v in (("3", f3), ("12", f12)) if v is not None}, year=y
            ),
            st.sampled_from([2020, 2021]),
            st.one_of(st.none(), followup_st),
            st.one_of(st.none(), followup_st),
        ),
        max_size=40,
    ),
    st.sampled_from([3, 5]),
    st.sampled_from([2020, 2021]),
)
def test_no_hidden_followup_number_can_be_derived(rows, threshold, year_to):
    exact = _grids(rows, public=False, threshold=threshold, year_to=year_to)
    public = _grids(rows, public=True, threshold=threshold, year_to=year_to)
    for key in exact:
        cells, row_totals, col_totals, hidden = _matrix_and_hidden(exact[key], public[key])
        check_protected(cells, row_totals, col_totals, hidden)
        for (_, ce), (_, cp) in zip(exact[key].rows, public[key].rows, strict=True):
            for e, p in zip(ce, cp, strict=True):
                assert not (0 < int(e.text) < threshold) or p.hidden
