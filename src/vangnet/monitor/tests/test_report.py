"""The report's counting rules, and disclosure control on the whole public report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vangnet.monitor import presentation
from vangnet.monitor.reporting import Row, json_report, lead_days, lead_time_buckets
from vangnet.reference import questionnaire as codes

from .test_disclosure import check_protected


def row(year=2021, table=4, outcome="ongoing", referrer="gp", agreed="", **answers) -> Row:
    return Row(
        registration_date=date(year, 3, 1),
        table=table,
        outcome=outcome,
        referrer_type=referrer,
        patient_agreed=agreed,
        answers={"patient_agreed": agreed, **answers},
    )


def test_outcomes_list_every_code_with_zeros():
    data = json_report([row(outcome="new_offer")], year_from=2021, year_to=2021)
    assert list(data["outcomes"]) == list(codes.codes_of(codes.OUTCOMES))
    assert data["outcomes"]["new_offer"] == 1 and data["outcomes"]["withdrawn"] == 0


def test_years_outside_the_range_and_other_tables_are_left_out():
    rows = [row(2019), row(2020), row(2021, table=1), row(2022)]
    data = json_report(rows, year_from=2020, year_to=2021)
    assert data["registered"] == 2
    assert data["by_year"] == {"2020": 1, "2021": 1}
    one = json_report(rows, year_from=2020, year_to=2021, table=1)
    assert one["registered"] == 1 and one["per_table"]["1"] == 1 and one["per_table"]["4"] == 0


def test_offer_not_accepted_counts_new_offers_with_patient_agreed_no_only():
    rows = [
        row(outcome="new_offer", agreed="no"),
        row(outcome="new_offer", agreed="partly"),
        row(outcome="no_offer", agreed="no"),
    ]
    assert json_report(rows, year_from=2021, year_to=2021)["offer_not_accepted"] == 1


def test_referrer_share_per_year_rounded_to_three_decimals():
    rows = [
        row(referrer="gp"),
        row(referrer="gp"),
        row(referrer="care_mediation"),
        row(referrer=""),
    ]
    share = json_report(rows, year_from=2020, year_to=2021)["referrer_share"]
    assert share["2021"]["gp"] == 0.5
    assert share["2021"]["care_mediation"] == 0.25  # the unknown one counts in the denominator
    assert share["2021"]["coordinating_institution"] == 0.0
    assert share["2020"] == dict.fromkeys(codes.codes_of(codes.REFERRER_TYPES), 0.0)
    three = [row(referrer="gp"), row(referrer="gp"), row(referrer="other_ggz_institution")]
    assert json_report(three, year_from=2021, year_to=2021)["referrer_share"]["2021"]["gp"] == 0.667


def test_answers_count_cases_and_leave_out_codes_nobody_gave():
    rows = [
        row(stuck_reasons=["no_consensus", "other"], age_cluster="25-45"),
        row(stuck_reasons=["no_consensus"], age_cluster="25-45"),
        row(stuck_reasons=[], age_cluster=""),
    ]
    answers = json_report(rows, year_from=2021, year_to=2021)["answers"]
    assert answers["stuck_reasons"] == {"no_consensus": 2, "other": 1}
    assert answers["age_cluster"] == {"25-45": 2}
    assert answers["shortages"] == {}


def test_lead_time_counts_closed_cases_with_a_known_outcome_date():
    start = date(2021, 1, 1)
    rows = [
        Row(start, 4, "new_offer", outcome_date=start + timedelta(days=10)),
        Row(start, 4, "no_offer", outcome_date=start + timedelta(days=100)),
        Row(start, 4, "ongoing", outcome_date=None),
        Row(start, 4, "withdrawn", outcome_date=None),
    ]
    assert lead_days(rows) == [10, 100]
    assert lead_time_buckets([10, 100, 31, 400]) == [1, 1, 1, 0, 1]


# --- the public report as a whole -------------------------------------------------------------

records = st.builds(
    lambda year, table, outcome, referrer, age, stuck, shortages, agreed, days: Row(
        registration_date=date(year, 6, 1),
        table=table,
        outcome=outcome,
        referrer_type=referrer,
        patient_agreed=agreed,
        outcome_date=(date(year, 6, 1) + timedelta(days=days))
        if days is not None and outcome in codes.CLOSED_OUTCOMES
        else None,
        answers={
            "age_cluster": age,
            "stuck_reasons": stuck,
            "shortages": shortages,
            "patient_agreed": agreed,
        },
    ),
    year=st.sampled_from([2020, 2021]),
    table=st.integers(1, 8),
    outcome=st.sampled_from(codes.codes_of(codes.OUTCOMES)),
    referrer=st.sampled_from(["", *codes.codes_of(codes.REFERRER_TYPES)]),
    age=st.sampled_from(["", *codes.codes_of(codes.AGE_CLUSTER)]),
    stuck=st.lists(st.sampled_from(codes.codes_of(codes.STUCK_REASONS)), max_size=3, unique=True),
    shortages=st.lists(st.sampled_from(codes.codes_of(codes.SHORTAGES)), max_size=2, unique=True),
    agreed=st.sampled_from(["", "yes", "no"]),
    days=st.one_of(st.none(), st.integers(0, 500)),
)


def _matrix_and_hidden(exact: presentation.Grid, public: presentation.Grid):
    has_row_totals = exact.columns[-1] == "Totaal"
    n_cols = len(exact.columns) - (1 if has_row_totals else 0)
    cells = [[int(c.text) for c in cs[:n_cols]] for _, cs in exact.rows]
    hidden = set()
    n_rows = len(cells)
    for i, (_, cs) in enumerate(public.rows):
        for j, c in enumerate(cs):
            if c.hidden:
                hidden.add((i, j))  # j == n_cols is the row total
    if public.footer:
        for j, c in enumerate(public.footer[1]):
            if c.hidden:
                hidden.add((n_rows, j))
    return cells, has_row_totals, public.footer is not None, hidden


def _views(rows, threshold, year_to=2021):
    kwargs = dict(
        year_from=2020, year_to=year_to, table=None, threshold=threshold, consultations=None
    )
    exact = presentation.build_report(rows, public=False, **kwargs)
    public = presentation.build_report(rows, public=True, **kwargs)
    pairs = []
    for s_exact, s_public in zip(exact.sections, public.sections, strict=True):
        pairs += list(zip(s_exact.grids, s_public.grids, strict=True))
    return exact, public, pairs


@settings(max_examples=40, deadline=None)
@given(st.lists(records, max_size=45), st.sampled_from([3, 5]), st.sampled_from([2020, 2021]))
def test_no_hidden_number_in_the_public_report_can_be_derived(rows, threshold, year_to):
    _, public, pairs = _views(rows, threshold, year_to)
    year_labels = [str(y) for y in range(2020, year_to + 1)]
    year_totals = set()
    for exact, pub in pairs:
        cells, row_totals, col_totals, hidden = _matrix_and_hidden(exact, pub)
        check_protected(cells, row_totals, col_totals, hidden)
        # Every number from 1 to threshold-1 is hidden.
        for (_, ce), (_, cp) in zip(exact.rows, pub.rows, strict=True):
            for e, p in zip(ce, cp, strict=True):
                assert not (0 < int(e.text) < threshold) or p.hidden
        # Tables that share the year totals show them identically.
        if pub.footer and pub.columns[: len(year_labels)] == year_labels:
            year_totals.add(tuple(c.text for c in pub.footer[1][: len(year_labels)]))
    assert len(year_totals) <= 1
    # The charts show nothing the tables hide.
    for section in public.sections:
        for chart in section.charts:
            for bar in chart.bars:
                assert bar.hidden or bar.text.isdigit()


def test_the_internal_report_shows_exact_counts():
    rows = [row(outcome="no_offer")] + [row(outcome="new_offer")] * 7
    view = presentation.build_report(
        rows,
        year_from=2021,
        year_to=2021,
        table=None,
        public=False,
        threshold=5,
        consultations=None,
    )
    outcomes = next(g for s in view.sections for g in s.grids if g.key == "outcomes")
    assert [c.text for _, cs in outcomes.rows for c in cs] == ["0", "7", "1", "0", "0", "0"]
    assert not view.any_hidden


def test_the_public_report_hides_a_small_outcome_and_its_complement():
    rows = [row(outcome="no_offer")] + [row(outcome="new_offer")] * 7 + [row(outcome="ongoing")] * 6
    view = presentation.build_report(
        rows,
        year_from=2021,
        year_to=2021,
        table=None,
        public=True,
        threshold=5,
        consultations=None,
    )
    outcomes = next(g for s in view.sections for g in s.grids if g.key == "outcomes")
    texts = {label: cs[0].text for label, cs in outcomes.rows}
    assert texts[codes.label_of(codes.OUTCOMES, "no_offer")] == "×"
    assert list(texts.values()).count("×") == 2  # one complement, the smaller of 7 and 6
    assert texts[codes.label_of(codes.OUTCOMES, "ongoing")] == "×"
    assert outcomes.footer[1][0].text == "14"


def test_per_table_reports_are_internal_only():
    with pytest.raises(ValueError):
        presentation.build_report(
            [],
            year_from=2021,
            year_to=2021,
            table=3,
            public=True,
            threshold=5,
            consultations=None,
        )


def test_consultations_are_counted_when_the_app_provides_them():
    view = presentation.build_report(
        [row()],
        year_from=2021,
        year_to=2021,
        table=None,
        public=False,
        threshold=5,
        consultations={(4, 2021): 12, (1, 2021): 3},
    )
    grid = next(g for s in view.sections for g in s.grids if g.key == "consultations")
    assert grid.footer[1][0].text == "15"


_AGE = codes.QUESTION_BY_KEY["age_cluster"]
_DSM = codes.QUESTION_BY_KEY["dsm_groups"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(2019, 2022),
            st.sampled_from(["", *_AGE.codes, "unknown"]),
            st.lists(st.sampled_from([*_DSM.codes, "unknown"]), max_size=4),
        ),
        max_size=40,
    )
)
def test_one_pass_counts_equal_counting_each_cell(drawn):
    """The report counts every question in one pass over the records (issue 12 §3); it must
    give what counting each cell over all records gives, duplicates and unknown codes included."""
    rows = [row(year, age_cluster=age, dsm_groups=dsm) for year, age, dsm in drawn]
    years = [2019, 2020, 2021, 2022]
    labels, matrix = presentation._per_year(rows, years, "age_cluster", _AGE.options)
    expected = [
        [sum(1 for r in rows if r.year == y and r.given("age_cluster") == [c]) for y in years]
        for c, _ in _AGE.options
    ]
    empty = [sum(1 for r in rows if r.year == y and not r.given("age_cluster")) for y in years]
    if sum(empty):
        expected.append(empty)
    assert matrix == expected and len(labels) == len(expected)
    assert presentation._multi_per(rows, "dsm_groups", years, lambda r: r.year) == [
        [sum(1 for r in rows if r.year == y and c in r.given("dsm_groups")) for y in years]
        for c in _DSM.codes
    ]
