"""Monthly transfer reports: counts on generated data, suppression, the effect comparison with
the waiting-list figures, exports, and who may read them (role × page/API)."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vangnet.testing.access import last_log_id, log_rows
from vangnet.transfers import reports
from vangnet.transfers.models import Candidate, Transfer, TransferEvent, TransferState
from vangnet.waitlists.models import DiagnosisGroup, WaitFlow

from .client_fixtures import make_candidate

MONTHS = [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
T = TransferState


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


def transfer(journey, candidate, steps, *, reason="", days_saved=30.0, intake=None):
    t = Transfer.objects.create(
        candidate=candidate,
        receiving_location=journey.location,
        state=steps[-1][0],
        created_by=journey.process_owner,
        decline_reason=reason,
        days_saved=days_saved,
        intake_done_on=intake,
    )
    Transfer.objects.filter(pk=t.pk).update(created_at=at(steps[0][1]))
    for state, day in steps:
        TransferEvent.objects.create(transfer=t, at=at(day), to_state=state)
    return t


@pytest.fixture
def generated(journey):
    """April: 6 candidates put forward and screened, 6 offered, 5 accepted and done in May (the
    effect group), 1 declined; March: 2 candidates (suppressed); another region: noise."""
    Candidate.objects.all().delete()
    dep = DiagnosisGroup.objects.get(code="depressief")
    made = []
    for i in range(6):
        c = make_candidate(
            journey.provider,
            journey.clinician,
            journey.location,
            diagnosis_group=dep,
            waiting_since=date(2026, 2, 1) + timedelta(days=i),
        )
        Candidate.objects.filter(pk=c.pk).update(
            created_at=at(date(2026, 4, 2)), screened_at=at(date(2026, 4, 5))
        )
        made.append(c)
    for i, c in enumerate(made[:5]):
        done = date(2026, 5, 10 + i)
        transfer(
            journey,
            c,
            [
                (T.PROPOSED, date(2026, 4, 8)),
                (T.OFFERED, date(2026, 4, 9)),
                (T.ACCEPTED, date(2026, 4, 12)),
                (T.INTAKE_DONE, done),
            ],
            intake=done,
            days_saved=20 + i,
        )
    transfer(
        journey,
        made[5],
        [
            (T.PROPOSED, date(2026, 4, 8)),
            (T.OFFERED, date(2026, 4, 9)),
            (T.DECLINED, date(2026, 4, 11)),
        ],
        reason="reisafstand te groot",
    )
    for _ in range(2):
        c = make_candidate(journey.provider, journey.clinician, journey.location)
        Candidate.objects.filter(pk=c.pk).update(created_at=at(date(2026, 3, 15)))
    other = make_candidate(
        journey.provider, journey.clinician, journey.location, region_code="VR12"
    )
    Candidate.objects.filter(pk=other.pk).update(created_at=at(date(2026, 4, 2)))
    # The waiting-list figures of the same region × group: 100 intakes, median 90 days in May,
    # 300 intakes, median 70 days in April -> weighted 75.
    for period, n, median in ((date(2026, 4, 1), 300, 70.0), (date(2026, 5, 1), 100, 90.0)):
        WaitFlow.objects.create(
            period=period,
            region_kind="veiligheidsregio",
            region_code="VR13",
            diagnosis_group="depressief",
            intakes=n,
            intake_wait_median=median,
            intake_wait_p80=None,
            intake_within_norm_share=None,
            treatment_starts=0,
            treatment_wait_median=None,
            treatment_wait_p80=None,
            treatment_within_norm_share=None,
        )
    return made


def test_counts_per_month_follow_the_steps(generated):
    counts = reports.raw_counts("veiligheidsregio", "VR13", MONTHS)
    march, april, may = MONTHS
    assert counts["candidates"] == {march: 2, april: 6}
    assert counts["screened"] == {april: 6}
    assert counts["proposed"] == {april: 6}
    assert counts["offered"] == {april: 6}
    assert counts["accepted"] == {april: 5}
    assert counts["declined"] == {april: 1}
    assert counts["intakes"] == {may: 5}


def test_small_numbers_are_suppressed_and_cannot_be_derived(generated):
    report = reports.build_report("veiligheidsregio", "VR13", MONTHS)
    march, april, may = report.months
    assert march.values["candidates"] is None  # 2
    # The total (8) would reveal March with April published: one more is hidden, or the total.
    assert april.values["candidates"] is None or report.totals["candidates"] is None
    assert april.values["offered"] == 6 and april.values["declined"] is None
    assert may.values["intakes"] == 5 and may.days_saved == 20 + 21 + 22 + 23 + 24
    _header, rows = reports.table_rows(report)
    assert "<5" in rows[0]


def test_the_effect_compares_transferred_clients_with_the_region(generated):
    report = reports.build_report("veiligheidsregio", "VR13", MONTHS)
    [row] = report.effect
    waits = sorted((date(2026, 5, 10 + i) - date(2026, 2, 1 + i)).days for i in range(5))
    assert row.group_code == "depressief" and row.transferred == 5
    assert row.transferred_median_days == waits[2] == 98
    assert row.region_intakes == 400 and row.region_median_days == 75.0
    assert row.difference_days == -23.0  # here slower: the report says so, it does not hide it


def test_effect_of_fewer_than_five_transferred_clients_is_hidden(generated):
    Transfer.objects.filter(candidate=generated[0]).delete()
    report = reports.build_report("veiligheidsregio", "VR13", MONTHS)
    [row] = report.effect
    assert row.transferred is None and row.transferred_median_days is None
    assert row.difference_days is None


def test_decline_reasons_below_the_threshold_are_grouped_and_hidden(generated):
    report = reports.build_report("veiligheidsregio", "VR13", MONTHS)
    assert report.reasons == [(reports.OTHER_REASONS, None)]


def test_bad_month_ranges_are_refused_in_dutch():
    with pytest.raises(reports.DomainError, match="JJJJ-MM"):
        reports.parse_month("2026-13", field_name="from")
    with pytest.raises(reports.DomainError, match="vóór de eerste"):
        reports.month_range(date(2026, 5, 1), date(2026, 4, 1))
    with pytest.raises(reports.DomainError, match="hoogstens 36"):
        reports.month_range(date(2020, 1, 1), date(2026, 1, 1))


def test_exports_csv_and_xlsx(generated, verified_client, journey):
    client = verified_client(journey.process_owner)
    query = {"from": "2026-03", "to": "2026-05"}
    csv_response = client.get(
        reverse("transfers_reports:csv", args=["veiligheidsregio", "VR13"]), query
    )
    assert csv_response.status_code == 200
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("regio,regiocode,maand,Aangedragen")
    assert lines[1].startswith("veiligheidsregio Amsterdam-Amstelland,VR13,2026-03,<5")
    assert lines[-1].split(",")[2] == "totaal"
    xlsx = client.get(reverse("transfers_reports:xlsx", args=["veiligheidsregio", "VR13"]), query)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Toelichting", "Per maand", "Redenen afwijzing", "Sneller geholpen"]
    effect = list(book["Sneller geholpen"].values)
    assert effect[1][0] == "Depressieve stoornissen" and effect[1][1] == 5


def test_a_formula_in_a_decline_reason_is_neutralised(journey, generated):
    Transfer.objects.filter(state=T.DECLINED).update(decline_reason="=HYPERLINK(1)")
    for c in generated[:4]:
        t = transfer(
            journey,
            c,
            [(T.PROPOSED, date(2026, 4, 1)), (T.DECLINED, date(2026, 4, 2))],
            reason="=HYPERLINK(1)",
        )
        assert t.pk
    report = reports.build_report("veiligheidsregio", "VR13", MONTHS)
    book = load_workbook(io.BytesIO(reports.report_xlsx(report)))
    assert list(book["Redenen afwijzing"].values)[1] == ("'=HYPERLINK(1)", 5)


PAGE = ("transfers_reports:region", ["veiligheidsregio", "VR13"])


@pytest.mark.parametrize(
    "who,status",
    [
        ("process_owner", 200),
        ("analyst", 200),
        ("administrator", 200),
        ("other_owner", 403),
        ("clinician", 403),
        ("outsider", 403),
    ],
)
def test_who_reads_the_reports_page_and_api(journey, verified_client, who, status):
    user = getattr(journey, who)
    client = verified_client(user)
    mark = last_log_id()
    page = client.get(reverse(PAGE[0], args=PAGE[1]))
    api = client.get("/api/v1/transfers/reports/veiligheidsregio/VR13")
    csv = client.get(reverse("transfers_reports:csv", args=["veiligheidsregio", "VR13"]))
    assert (page.status_code, api.status_code, csv.status_code) == (status, status, status)
    rows = log_rows(mark)
    assert len(rows) == 3
    assert {r.outcome for r in rows} == {"allowed" if status == 200 else "denied"}
    if status == 403:
        assert api["Content-Type"] == "application/problem+json"


def test_anonymous_and_bad_input_over_the_api(journey, verified_client):
    assert Client().get("/api/v1/transfers/reports/veiligheidsregio/VR13").status_code == 401
    client = verified_client(journey.analyst)
    bad = client.get("/api/v1/transfers/reports/veiligheidsregio/VR13?from=2026-05&to=2026-01")
    assert bad.status_code == 400 and "vóór de eerste" in bad.json()["detail"]
    assert client.get("/api/v1/transfers/reports/gemeente/VR13").status_code == 422


def test_the_api_answers_with_suppressed_figures(generated, journey, verified_client):
    client = verified_client(journey.analyst)
    body = client.get(
        "/api/v1/transfers/reports/veiligheidsregio/VR13?from=2026-03&to=2026-05"
    ).json()
    assert [m["month"] for m in body["months"]] == ["2026-03", "2026-04", "2026-05"]
    assert body["months"][0]["candidates"] is None and body["months"][2]["intakes"] == 5
    assert body["effect"][0]["region_median_days"] == 75.0
    assert body["threshold"] == 5


def test_the_page_draws_the_chart_and_the_tables(generated, journey, verified_client):
    response = verified_client(journey.process_owner).get(
        reverse(PAGE[0], args=PAGE[1]), {"from": "2026-03", "to": "2026-05"}
    )
    html = response.content.decode()
    assert 'data-testid="transfer-chart"' in html and "<rect" in html
    assert "Worden cliënten sneller geholpen?" in html and "Depressieve stoornissen" in html
