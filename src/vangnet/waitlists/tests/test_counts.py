"""The counting rules of issue 6 §3 on small hand-made cases, through import and counts.

Peildatum of 2024-03 is 2024-03-31. The engine's own tests cover the engine against its SQL
oracle; these check that Vangnet's storage, period and region handling feed it correctly.
"""

from __future__ import annotations

import pytest

from vangnet.waitlists import counting

from .conftest import AMSTERDAM, ROTTERDAM, ZAANSTAD, row

pytestmark = pytest.mark.django_db

MARCH = [(2024, 3)]


def counts(kind: str = "veiligheidsregio", months=MARCH, **kw):
    return counting.count_rows(counting.Loader(), kind, months, **kw)


def cell(rows, region="VR13", group="angst", month="2024-03"):
    found = [r for r in rows if (r.month, r.region, r.diagnosis_group) == (month, region, group)]
    return found[0] if found else None


def test_registration_on_the_peildatum_waits_for_intake(providers, import_rows):
    import_rows([row(registration_date="2024-03-31")])
    c = cell(counts())
    assert (c.registrations_waiting, c.persons_waiting, c.registrations_waiting_intake) == (1, 1, 1)


def test_treatment_start_on_the_peildatum_ends_waiting(providers, import_rows):
    import_rows(
        [
            row(
                person_pseudonym="v1:a", intake_date="2024-03-10", treatment_start_date="2024-03-31"
            ),
            row(person_pseudonym="v1:b", exit_date="2024-03-31"),
            row(person_pseudonym="v1:c", intake_date="2024-03-31"),
        ]
    )
    c = cell(counts())
    # Only c waits, and for treatment: an intake on the peildatum counts as done.
    assert (
        c.registrations_waiting,
        c.registrations_waiting_intake,
        c.registrations_waiting_treatment,
    ) == (1, 0, 1)


def test_intake_norm_boundary_is_more_than_28_days(providers, import_rows):
    import_rows(
        [
            row(person_pseudonym="v1:on-norm", registration_date="2024-03-03"),  # 28 days
            row(person_pseudonym="v1:over", registration_date="2024-03-02"),  # 29 days
        ]
    )
    assert cell(counts()).over_norm_intake == 1


def test_treatment_norm_boundary_is_more_than_70_days_since_intake(providers, import_rows):
    import_rows(
        [
            row(
                person_pseudonym="v1:on-norm",
                registration_date="2024-01-01",
                intake_date="2024-01-21",
            ),  # 70
            row(
                person_pseudonym="v1:over", registration_date="2024-01-01", intake_date="2024-01-20"
            ),  # 71
        ]
    )
    c = cell(counts())
    assert (c.over_norm_treatment, c.over_norm_intake) == (1, 0)


def test_a_person_at_two_providers_counts_once_and_as_multi_provider(providers, import_rows):
    import_rows(
        [
            row(person_pseudonym="v1:x", provider_agb="11111111"),
            row(person_pseudonym="v1:x", provider_agb="22222222", preferred_provider=1),
            row(person_pseudonym="v1:y", provider_agb="22222222"),
        ]
    )
    c = cell(counts())
    assert (
        c.registrations_waiting,
        c.persons_waiting,
        c.persons_multi_provider,
        c.persons_by_preference,
    ) == (3, 2, 1, 1)


def test_a_person_moving_municipality_counts_in_each_region_once(providers, import_rows):
    import_rows(
        [
            row(
                person_pseudonym="v1:mover",
                municipality_code=AMSTERDAM,
                registration_date="2024-02-01",
            ),
            row(person_pseudonym="v1:mover", municipality_code=ZAANSTAD, provider_agb="22222222"),
        ]
    )
    by_vr = counts()
    assert cell(by_vr, "VR13").persons_waiting == 1
    assert cell(by_vr, "VR11").persons_waiting == 1
    # Amsterdam and Zaanstad are both in Noord-Holland: one person, at two providers.
    pv = cell(counts("province"), "PV27")
    assert (pv.persons_waiting, pv.registrations_waiting, pv.persons_multi_provider) == (1, 2, 1)


def test_region_total_counts_a_person_in_two_groups_once(providers, import_rows):
    import_rows(
        [
            row(person_pseudonym="v1:x", diagnosis_group="angst"),
            row(person_pseudonym="v1:x", diagnosis_group="depressief"),
        ]
    )
    assert cell(counts(), group="angst").persons_waiting == 1
    assert cell(counts(), group="depressief").persons_waiting == 1
    total = cell(counts(across_groups=True), group=counting.ALL_GROUPS)
    assert (total.persons_waiting, total.registrations_waiting) == (1, 2)


def test_regions_by_table_and_province(providers, import_rows):
    import_rows(
        [
            row(person_pseudonym="v1:a", municipality_code=AMSTERDAM),
            row(person_pseudonym="v1:b", municipality_code=ROTTERDAM, provider_agb="33333333"),
        ]
    )
    assert {r.region for r in counts("table")} == {"3", "2"}
    assert {r.region for r in counts("province")} == {"PV27", "PV28"}


def test_each_month_is_counted_from_its_own_submission(providers, import_rows):
    import_rows([row(person_pseudonym="v1:a", registration_date="2024-02-10")], period="2024-02")
    import_rows(
        [
            row(person_pseudonym="v1:a", registration_date="2024-02-10", intake_date="2024-03-05"),
            row(person_pseudonym="v1:b", registration_date="2024-03-20"),
        ],
        period="2024-03",
    )
    rows = counts(months=[(2024, 2), (2024, 3), (2024, 4)])
    assert [(r.month, r.registrations_waiting) for r in rows] == [("2024-02", 1), ("2024-03", 2)]
    feb, mar = rows
    assert (feb.registrations_waiting_intake, mar.registrations_waiting_treatment) == (1, 1)


def test_output_is_sorted_and_only_non_empty_cells(providers, import_rows):
    import_rows(
        [
            row(
                person_pseudonym="v1:a", municipality_code=ROTTERDAM, diagnosis_group="psychotisch"
            ),
            row(person_pseudonym="v1:b", diagnosis_group="angst"),
            row(person_pseudonym="v1:c", diagnosis_group="adhd_gedrag"),
            row(person_pseudonym="v1:d", exit_date="2024-03-05"),
        ]
    )
    keys = [(r.month, r.region, r.diagnosis_group) for r in counts()]
    assert keys == [
        ("2024-03", "VR13", "adhd_gedrag"),
        ("2024-03", "VR13", "angst"),
        ("2024-03", "VR17", "psychotisch"),
    ]


def test_flows_of_the_month(providers, import_rows):
    import_rows(
        [
            row(
                person_pseudonym="v1:a", registration_date="2024-02-01", intake_date="2024-03-01"
            ),  # 29 d
            row(
                person_pseudonym="v1:b", registration_date="2024-03-01", intake_date="2024-03-11"
            ),  # 10 d
            row(
                person_pseudonym="v1:c",
                registration_date="2023-12-01",
                intake_date="2024-01-01",
                treatment_start_date="2024-03-11",  # 70 days after intake: within norm
            ),
        ]
    )
    (f,) = counting.flow_rows(counting.Loader(), "veiligheidsregio", MARCH)
    assert (f.intakes, f.intake_wait_median, f.intake_within_norm_share) == (2, 19.5, 0.5)
    assert (f.treatment_starts, f.treatment_wait_median, f.treatment_within_norm_share) == (
        1,
        70.0,
        1.0,
    )


def test_provider_breach_hotspot_and_largest_breach(providers, import_rows):
    # Provider a: everyone waits 40+ days for intake in Jan, Feb and Mar -> hotspot of 3 months.
    for period, reg in (
        ("2024-01", "2023-12-01"),
        ("2024-02", "2024-01-01"),
        ("2024-03", "2024-02-01"),
    ):
        import_rows(
            [
                row(person_pseudonym="v1:a1", registration_date=reg),
                row(person_pseudonym="v1:a2", registration_date=reg),
                row(
                    person_pseudonym="v1:b1",
                    provider_agb="22222222",
                    registration_date=f"{period}-20",
                ),
            ],
            period=period,
        )
    months = counting.months_between((2024, 1), (2024, 3))
    waits = counting.provider_wait_rows(counting.Loader(), months)
    breaching = {(w.month, w.provider_id) for w in waits if w.breach}
    assert breaching == {(m, providers.a.pk) for m in ("2024-01", "2024-02", "2024-03")}
    (hot,) = counting.hotspot_rows(counting.Loader(), months)
    assert (hot.provider_id, hot.diagnosis_group, hot.norm, hot.start, hot.end, hot.months) == (
        providers.a.pk,
        "angst",
        "intake",
        "2024-01",
        "2024-03",
        3,
    )
    assert counting.hotspot_rows(counting.Loader(), months[1:]) == []
    largest = counting.largest_breach_rows(counting.Loader(), "veiligheidsregio", months)
    assert [(r.month, r.region, r.provider_id, r.over_norm) for r in largest] == [
        (m, "VR13", providers.a.pk, 2) for m in ("2024-01", "2024-02", "2024-03")
    ]
