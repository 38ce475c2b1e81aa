"""Issue 12: a write costs a bounded number of queries whatever the data — telling a table's
coordinators of a registration costs what telling one does, and more party lines are one INSERT."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vangnet.accounts.models import Notification, Role
from vangnet.cases import services
from vangnet.cases.models import Case, PartyAction
from vangnet.testing import factories

pytestmark = pytest.mark.django_db


def _register(world, capture, name: str, parties: int) -> tuple[int, Case]:
    actions = [services.PartyActionInput(f"Partij {i}", "Ambulant.") for i in range(parties)]
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        case = factories.register_case(world.referrer, patient_name=name, party_actions=actions)
    return len(queries), case


def test_a_registration_costs_the_same_for_two_or_twenty_coordinators(
    world, django_capture_on_commit_callbacks
):
    factories.member(Role.COORDINATOR, table=3)  # two coordinators at table 3
    factories.register_case(world.referrer, patient_name="Eerste")  # the year's counter exists
    few, first = _register(world, django_capture_on_commit_callbacks, "Anna Jansen", parties=1)
    extra = [factories.member(Role.COORDINATOR, table=3) for _ in range(18)]
    many, second = _register(world, django_capture_on_commit_callbacks, "Bram de Boer", parties=4)
    assert many == few
    # Every coordinator is told, once; every party line is kept.
    for user in [world.coordinator, *extra]:
        assert (
            Notification.objects.filter(
                user=user, subject=f"Nieuwe aanmelding {second.reference}"
            ).count()
            == 1
        )
    assert PartyAction.objects.filter(case=second).count() == 4
    assert PartyAction.objects.filter(case=first).count() == 1


FORM = factories.REGISTRATION_PAGE_FORM


def test_the_form_checks_the_posted_municipality_without_reading_the_list(world, verified_client):
    client = verified_client(world.referrer)
    # The form still lists every municipality to choose from...
    page = client.get("/casussen/aanmelden/").content.decode()
    assert '<option value="GM0363">Amsterdam</option>' in page
    # ...and refuses an unknown code with the message a choice field gives.
    refused = client.post(
        "/casussen/aanmelden/",
        {**FORM, "organisation": world.referrer_org.pk, "patient_municipality": "GM9999"},
    )
    assert refused.status_code == 200
    assert "GM9999 is geen beschikbare keuze" in refused.content.decode()
    with CaptureQueriesContext(connection) as queries:
        accepted = client.post(
            "/casussen/aanmelden/", {**FORM, "organisation": world.referrer_org.pk}
        )
    assert accepted.status_code == 302
    # No read of every municipality: each read of them names its code.
    municipality_reads = [q["sql"] for q in queries if 'FROM "regions_municipality"' in q["sql"]]
    assert municipality_reads and all("WHERE" in sql for sql in municipality_reads)
