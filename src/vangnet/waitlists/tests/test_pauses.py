"""Registration pauses: who may record them, overlap and end rules, and the region page."""

from __future__ import annotations

from datetime import date

import pytest

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry, Action
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.testing import factories
from vangnet.waitlists import selectors, services
from vangnet.waitlists.models import DiagnosisGroup, ProcessOwnerRegion

from .conftest import row

pytestmark = pytest.mark.django_db

TODAY = date(2024, 4, 10)


def group(code="angst"):
    return DiagnosisGroup.objects.get(code=code)


def data_officer(org):
    return actor_for(factories.member(Role.DATA_OFFICER, organisation=org))


def process_owner(kind="veiligheidsregio", code="VR13"):
    user = factories.member(Role.PROCESS_OWNER)
    ProcessOwnerRegion.objects.create(
        membership=Membership.objects.get(user=user), region_kind=kind, region_code=code
    )
    return actor_for(user)


def record(actor, provider, **kw):
    values = {
        "diagnosis_group": group(),
        "starts_on": date(2024, 4, 1),
        "planned_end_on": date(2024, 6, 30),
        "reason": "Mediane wachttijd tot intake drie maanden boven de norm.",
    }
    values.update(kw)
    return services.pause_record(actor=actor, provider=provider, **values)


def test_data_officer_records_for_own_provider_only(providers):
    officer = data_officer(providers.a)
    pause = record(officer, providers.a)
    assert pause.recorded_as == Role.DATA_OFFICER
    assert AccessLogEntry.objects.filter(
        action=Action.CREATE, detail__startswith="aanmeldpauze"
    ).exists()
    with pytest.raises(NotAllowed):
        record(officer, providers.b)


def test_process_owner_records_for_providers_in_their_region(providers):
    owner = process_owner("veiligheidsregio", "VR13")
    assert record(owner, providers.b).recorded_as == Role.PROCESS_OWNER
    with pytest.raises(NotAllowed):
        record(owner, providers.c)  # Rotterdam, VR17
    table_owner = process_owner("table", "2")
    assert record(table_owner, providers.c).provider == providers.c


def test_other_roles_may_not_record(providers, world):
    for user in (world.referrer, world.monitor_analyst, world.administrator):
        with pytest.raises(NotAllowed):
            record(actor_for(user), providers.a)


def test_overlap_dates_and_reason_rules(providers):
    officer = data_officer(providers.a)
    record(officer, providers.a)
    with pytest.raises(DomainError, match="al een aanmeldpauze"):
        record(officer, providers.a, starts_on=date(2024, 6, 30), planned_end_on=date(2024, 7, 31))
    # Another group, or after the first pause, is fine.
    record(officer, providers.a, diagnosis_group=group("depressief"))
    record(officer, providers.a, starts_on=date(2024, 7, 1), planned_end_on=date(2024, 7, 31))
    with pytest.raises(DomainError, match="vóór de ingangsdatum"):
        record(
            officer,
            providers.a,
            diagnosis_group=group("eetstoornis"),
            starts_on=date(2024, 5, 1),
            planned_end_on=date(2024, 4, 1),
        )
    with pytest.raises(DomainError, match="hoogstens een jaar"):
        record(
            officer,
            providers.a,
            diagnosis_group=group("eetstoornis"),
            planned_end_on=date(2025, 6, 1),
        )
    with pytest.raises(DomainError, match="HTML"):
        record(
            officer, providers.a, diagnosis_group=group("eetstoornis"), reason="<script>x</script>"
        )


def test_end_a_pause_early(providers):
    officer = data_officer(providers.a)
    pause = record(officer, providers.a)
    with pytest.raises(NotAllowed):
        services.pause_end(actor=data_officer(providers.b), pause=pause, on=TODAY)
    services.pause_end(actor=officer, pause=pause, on=TODAY)
    pause.refresh_from_db()
    assert (pause.ended_on, pause.is_active(date(2024, 4, 9)), pause.is_active(TODAY)) == (
        TODAY,
        True,
        False,
    )
    with pytest.raises(DomainError, match="al beëindigd"):
        services.pause_end(actor=officer, pause=pause, on=TODAY)
    # After an early end a new pause may start on that day.
    record(officer, providers.a, starts_on=TODAY, planned_end_on=date(2024, 5, 1))


def test_region_page_shows_pauses_and_providers_without_breach(providers, import_rows, world):
    # March data: a breaches for angst (everyone waits > 28 days), b does not, c is elsewhere.
    import_rows(
        [
            row(person_pseudonym="v1:1", registration_date="2024-01-01"),
            row(person_pseudonym="v1:2", provider_agb="22222222", registration_date="2024-03-25"),
            row(person_pseudonym="v1:3", provider_agb="33333333", registration_date="2024-03-25"),
        ]
    )
    record(data_officer(providers.a), providers.a)
    page = selectors.pause_page(
        actor_for(world.referrer), kind="veiligheidsregio", code="VR13", on=TODAY
    )
    (paused,) = page.groups
    assert [p.provider for p in paused.pauses] == [providers.a]
    assert [a.provider for a in paused.alternatives] == [providers.b]
    assert paused.alternatives[0].median_wait_intake == 6.0
    assert page.data_month == "2024-03"
    elsewhere = selectors.pause_page(
        actor_for(world.referrer), kind="veiligheidsregio", code="VR17", on=TODAY
    )
    assert elsewhere.groups == []
