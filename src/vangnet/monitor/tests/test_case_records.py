"""The monitor as a by-product of case work (issue 5): every case registered in Vangnet gets an
anonymous monitor record, prefilled from the case and without open text, which the coordinator
completes later; the internal report counts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.monitor import reporting, selectors, services
from vangnet.monitor.identifying import find_identifying
from vangnet.monitor.models import MonitorRecord, Source
from vangnet.reference import questionnaire as codes
from vangnet.regions.models import Table
from vangnet.testing import factories

from .test_views import QUESTIONNAIRE, answers


@pytest.fixture
def case(world):
    return factories.register_case(world.referrer, in_ggz_treatment=True)  # table 3


def test_ensure_creates_a_prefilled_record_without_open_text(case):
    record = services.monitor_record_ensure_for_case(case=case)
    assert (record.case, record.source, record.completed_at) == (case, Source.CASE, None)
    assert record.case_ref.startswith("M-") and case.reference not in record.case_ref
    assert record.registration_date == timezone.localdate(case.registered_at)
    assert record.table.number == 3 and record.outcome_date is None
    assert record.answers() == {
        **{q.key: [] if q.multiple else "" for q in codes.QUESTIONS},
        "age_cluster": "45-65",  # born 1980-05-17
        "referrer_type": "other_ggz_institution",
        "in_treatment": "yes",
        "outcome": "ongoing",
    }
    # Nothing from the case's identifying texts reaches the record.
    assert record.multi_diagnosis_note == record.exceptional_note == ""
    for value in record.answers().values():
        assert not isinstance(value, str) or not find_identifying(value)


def test_ensure_is_idempotent(case):
    first = services.monitor_record_ensure_for_case(case=case)
    again = services.monitor_record_ensure_for_case(case=case)
    assert again.pk == first.pk and again.case_ref == first.case_ref
    assert MonitorRecord.objects.get().updated_at == first.updated_at  # nothing saved


def test_sync_creates_the_record_when_missing(case):
    assert selectors.record_for_case(case) is None
    record = services.monitor_record_sync_from_case(case=case)
    assert record == selectors.record_for_case(case) and record.source == Source.CASE


def test_an_uncompleted_record_follows_the_case(case):
    services.monitor_record_ensure_for_case(case=case)
    closed = timezone.now() + timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(
        table=Table.objects.get(number=4),
        in_ggz_treatment=False,
        outcome="new_offer",
        offer_accepted=True,
        shortages=["sheltered_housing"],
        closed_at=closed,
    )
    record = services.monitor_record_ensure_for_case(case=Case.objects.get(pk=case.pk))
    assert (record.table.number, record.in_treatment, record.outcome) == (4, "no", "new_offer")
    assert (record.patient_agreed, record.shortages) == ("yes", ["sheltered_housing"])
    assert record.outcome_date == timezone.localdate(closed)


def test_the_coordinator_completes_the_same_record_and_their_answers_stay(
    world, case, verified_client
):
    record = services.monitor_record_ensure_for_case(case=case)
    client = verified_client(world.coordinator)
    listing = client.get("/monitor/vragenlijsten/").content.decode()
    assert "nog in te vullen" in listing and "vooraf ingevuld uit de casus" in listing
    assert (
        "Nog niet opgeslagen" in client.get(QUESTIONNAIRE.format(case.reference)).content.decode()
    )

    posted = answers(in_treatment="yes")
    assert client.post(QUESTIONNAIRE.format(case.reference), posted).status_code == 302
    saved = MonitorRecord.objects.get()
    assert (saved.pk, saved.case_ref) == (record.pk, record.case_ref)
    assert saved.completed_at is not None and saved.updated_by == world.coordinator
    assert "ingevuld (" in client.get("/monitor/vragenlijsten/").content.decode()
    # The case closes: the outcome follows, the coordinator's answers and open text stay.
    Case.objects.filter(pk=case.pk).update(
        outcome="no_offer", closed_at=timezone.now(), in_ggz_treatment=False
    )
    synced = services.monitor_record_sync_from_case(case=Case.objects.get(pk=case.pk))
    assert synced.outcome == "no_offer"
    assert synced.dsm_groups == ["schizophrenia_spectrum", "substance_addictive"]
    assert synced.exceptional_note == posted["exceptional_note"]
    assert synced.in_treatment == "yes"  # the coordinator's answer is not overwritten


def test_the_internal_report_counts_cases_registered_in_vangnet(world, verified_client):
    year = timezone.localdate().year
    cases = [factories.register_case(world.referrer) for _ in range(2)]
    for c in cases:
        services.monitor_record_ensure_for_case(case=c)
    rows = selectors.report_rows(year_from=year, year_to=year)
    report = reporting.json_report(rows, year_from=year, year_to=year)
    assert report["registered"] == 2 and report["per_table"]["3"] == 2
    assert report["outcomes"]["ongoing"] == 2

    query = f"?van={year}&tot={year}"
    internal = verified_client(world.monitor_analyst).get(f"/monitor/rapport/{query}&versie=intern")
    assert internal.context["view"].registered == "2"
    own_table = verified_client(world.coordinator).get(f"/monitor/rapport/{query}&tafel=3")
    assert own_table.context["view"].registered == "2"
    api = verified_client(world.monitor_analyst).get(
        "/api/v1/monitor/report", {"from": year, "to": year}
    )
    assert api.json()["registered"] == 2
