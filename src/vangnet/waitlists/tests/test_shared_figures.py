"""Shared waiting-list figures (issue 16 §4, seed 002 criteria h and j, speerpunt 4): the
region's providers' data officers and managers, insurers' zorgbemiddeling and GPs see their own
region's aggregates (counts, breaches, pauses, published waiting times), nobody else's, and are
told when a provider of their region starts or ends a registration pause."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.accounts.selectors import actor_for
from vangnet.directory.models import OrganisationType
from vangnet.regions.models import Municipality
from vangnet.testing import factories
from vangnet.waitlists import reminders, services
from vangnet.waitlists.models import DiagnosisGroup

from .conftest import AMSTERDAM, ROTTERDAM, ZAANSTAD
from .test_views import DASHBOARD, history  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

REGION_ROLES = (
    Role.DATA_OFFICER,
    Role.PROVIDER_MANAGER,
    Role.ZORGBEMIDDELING,
    Role.GENERAL_PRACTITIONER,
)
ROTTERDAM_DASHBOARD = reverse(
    "waitlists:dashboard", kwargs={"kind": "veiligheidsregio", "code": "VR17"}
)


def located(role: str, municipality: str = AMSTERDAM):
    kind = {
        Role.ZORGBEMIDDELING: OrganisationType.INSURER,
        Role.GENERAL_PRACTITIONER: OrganisationType.GP_PRACTICE,
    }.get(role, OrganisationType.GGZ_INSTITUTION)
    org = factories.OrganisationFactory(
        organisation_type=kind, municipality=Municipality.objects.get(code=municipality)
    )
    return factories.member(role, organisation=org)


@pytest.mark.parametrize("role", REGION_ROLES)
def test_region_roles_see_their_own_region_only(history, verified_client, role):  # noqa: F811
    client = verified_client(located(role))
    response = client.get(DASHBOARD + "?van=2024-01&tot=2024-03")
    assert response.status_code == 200
    html = response.content.decode()
    assert "secret" not in html  # aggregates only, never a pseudonym
    assert [p.persons for p in response.context["board"].trend] == [2, 2, 2]
    assert client.get(ROTTERDAM_DASHBOARD).status_code == 403
    pauses = reverse("waitlists:pauses", kwargs={"kind": "veiligheidsregio", "code": "VR13"})
    assert client.get(pauses).status_code == 200
    assert 'data-testid="own-regions"' in client.get(reverse("waitlists:index")).content.decode()


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.CLINICIAN, Role.BOARD_MEMBER, Role.CLIENT_SUPPORTER]
)
def test_other_roles_see_no_region_dashboard(history, verified_client, role):  # noqa: F811
    assert verified_client(located(role)).get(DASHBOARD).status_code == 403


def test_region_roles_read_their_regions_counts_over_the_api(history, verified_client):  # noqa: F811
    client = verified_client(located(Role.GENERAL_PRACTITIONER))
    base = "/api/v1/waitlists/counts"
    own = client.get(
        base, {"regions": "veiligheidsregio", "region": "VR13", "from": "2024-01", "to": "2024-03"}
    )
    assert own.status_code == 200 and own.json()
    other = client.get(
        base, {"regions": "veiligheidsregio", "region": "VR17", "from": "2024-01", "to": "2024-03"}
    )
    assert other.status_code == 403
    everywhere = client.get(
        base, {"regions": "veiligheidsregio", "from": "2024-01", "to": "2024-03"}
    )
    assert everywhere.status_code == 403


def test_published_times_of_their_own_region(world, verified_client):
    data = (
        Path(__file__).parent.parent / "data" / "brondata_wachttijden_ggz_2016.csv"
    ).read_bytes()
    services.published_import(data=data, name="nza2016.csv", actor=services.command_line_actor())
    client = verified_client(located(Role.ZORGBEMIDDELING))
    response = client.get(reverse("waitlists:published") + "?indeling=province")
    assert response.status_code == 200
    names = {name for _, name in response.context["rows"]}
    assert names == {"Noord-Holland"}
    assert "Heel Nederland" not in response.content.decode()
    assert verified_client(world.referrer).get(reverse("waitlists:published")).status_code == 403


def _pause(provider, actor_user, **kw):
    values = {
        "diagnosis_group": DiagnosisGroup.objects.get(code="angst"),
        "starts_on": timezone.localdate(),
        "planned_end_on": timezone.localdate() + timedelta(days=60),
        "reason": "Wachttijd drie maanden boven de norm.",
    }
    values.update(kw)
    return services.pause_record(actor=actor_for(actor_user), provider=provider, **values)


def test_pause_start_and_end_reach_the_region_only(providers):
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)  # Amsterdam, VR13
    in_region = {role: located(role) for role in REGION_ROLES}
    nearby = located(Role.GENERAL_PRACTITIONER, ZAANSTAD)  # same province, other veiligheidsregio
    far = located(Role.PROVIDER_MANAGER, ROTTERDAM)
    referrer = factories.member(
        Role.REFERRER,
        organisation=factories.OrganisationFactory(
            municipality=Municipality.objects.get(code=AMSTERDAM)
        ),
    )
    pause = _pause(providers.a, officer)
    started = Notification.objects.filter(dedup_key=f"pause:{pause.pk}:start")
    assert {n.user_id for n in started} == {u.pk for u in in_region.values()}
    subject = started.first().subject
    assert "GGZ Amstel" in subject and "Aanmeldpauze" in subject
    assert not Notification.objects.filter(user__in=[nearby, far, referrer, officer]).exists()
    services.pause_end(actor=actor_for(officer), pause=pause, on=timezone.localdate())
    ended = Notification.objects.filter(dedup_key=f"pause:{pause.pk}:end")
    assert {n.user_id for n in ended} == {u.pk for u in in_region.values()}
    assert "beëindigd" in ended.first().subject


def test_a_pause_that_runs_out_is_announced_once(providers):
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    gp = located(Role.GENERAL_PRACTITIONER)
    today = timezone.localdate()
    pause = _pause(
        providers.a,
        officer,
        starts_on=today - timedelta(days=30),
        planned_end_on=today - timedelta(days=1),
    )
    # The provider's own data officer and the GP: a pause that ran out was ended by no one.
    assert reminders.run(today=today) == 2
    assert reminders.run(today=today) == 0
    assert Notification.objects.filter(user=gp, dedup_key=f"pause:{pause.pk}:end").exists()
    assert reminders.run(today=date(2099, 1, 1)) == 0
