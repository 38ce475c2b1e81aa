"""The region dashboard costs the same number of queries whatever the number of providers,
months, hotspots and pauses (issue 12): its figures are stored per month and read in bulk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vangnet.accounts.models import Membership, Role
from vangnet.directory.models import Organisation
from vangnet.testing import factories
from vangnet.waitlists.models import DiagnosisGroup, ProcessOwnerRegion, RegistrationPause

from .conftest import AMSTERDAM, ROTTERDAM, provider, row
from .test_views import DASHBOARD

pytestmark = pytest.mark.django_db

MONTHS = ["2024-01", "2024-02", "2024-03"]


def _deliver(import_rows, agbs: list[str], *, skip_last: set[str] = frozenset()) -> None:
    """Each provider delivers each month (except the last for `skip_last`: a partial month):
    two registrations waiting since before the norm (a hotspot), one in another group."""
    for period in MONTHS:
        rows = []
        for agb in agbs:
            if period == MONTHS[-1] and agb in skip_last:
                continue
            for n in range(2):
                rows.append(
                    row(
                        person_pseudonym=f"v1:{agb}-{n}",
                        provider_agb=agb,
                        registration_date="2023-10-01",
                    )
                )
            rows.append(
                row(
                    person_pseudonym=f"v1:{agb}-x",
                    provider_agb=agb,
                    diagnosis_group="depressief",
                    registration_date=f"{period}-05",
                )
            )
        import_rows(rows, period=period)


def _owner_client(verified_client):
    """A process owner of the safety region whose dashboard the tests read (VR13), and their
    logged-in client."""
    owner = factories.member(Role.PROCESS_OWNER)
    ProcessOwnerRegion.objects.create(
        membership=Membership.objects.get(user=owner, role=Role.PROCESS_OWNER),
        region_kind="veiligheidsregio",
        region_code="VR13",
    )
    return owner, verified_client(owner)


def _queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_dashboard_query_count_does_not_grow_with_data(world, import_rows, verified_client):
    owner, client = _owner_client(verified_client)
    small_agbs = [f"1000000{i}" for i in range(2)]
    for agb in small_agbs:
        provider(agb, AMSTERDAM)
    _deliver(import_rows, small_agbs, skip_last={small_agbs[1]})
    small, html = _queries(client)
    assert "nog niet compleet" in html and "Aanmeldpauze voorstellen" in html

    large_agbs = [f"2000000{i}" for i in range(8)]
    for i, agb in enumerate(large_agbs):
        provider(agb, AMSTERDAM if i % 2 else ROTTERDAM)
    _deliver(import_rows, small_agbs + large_agbs, skip_last={large_agbs[0], large_agbs[1]})
    angst = DiagnosisGroup.objects.get(code="angst")
    today = date.today()
    for org in Organisation.objects.filter(agb_code__in=large_agbs[:4]):
        RegistrationPause.objects.create(
            provider=org,
            diagnosis_group=angst,
            starts_on=today - timedelta(days=1),
            planned_end_on=today + timedelta(days=30),
            reason="Test.",
            recorded_by=owner,
            recorded_as="process_owner",
        )
    large, html = _queries(client)
    assert "nog niet compleet" in html and "aanmeldpauze actief" in html
    assert large == small, f"{small} queries with 2 providers, {large} with 10"


def test_national_facts_are_read_once_and_again_after_each_import(
    world, import_rows, verified_client, settings, django_capture_on_commit_callbacks
):
    """The latest month, the providers missing from a month and those without a municipality
    are national: three queries over every submission of the country on each dashboard request.
    They are read once and shared; an import drops them, so its month shows at once."""
    from django.core.cache import cache

    settings.VANGNET_WAITLISTS_NATIONAL_MAX_AGE = 60
    cache.clear()
    _, client = _owner_client(verified_client)
    agbs = ["30000001", "30000002"]
    for agb in agbs:
        provider(agb, AMSTERDAM)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(import_rows, agbs, skip_last={agbs[1]})
    partial = "is nog niet compleet</strong>"
    first, html = _queries(client)
    assert partial in html and "Aanbieder 30000002" in html
    cached, html_again = _queries(client)
    assert cached < first and partial in html_again
    with django_capture_on_commit_callbacks(execute=True):
        import_rows(
            [row(person_pseudonym="v1:laat", provider_agb=agbs[1], registration_date="2024-03-05")],
            period=MONTHS[-1],
        )
    _, html = _queries(client)
    assert partial not in html
