"""A small transfer network in Amsterdam-Amstelland (VR13): the desk, providers with locations,
a GP, a client supporter, an insurer with zorgbemiddeling, screeners, and an outsider desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import Actor, actor_for
from vangnet.directory.models import Location, Organisation, OrganisationType, ServedArea
from vangnet.regions.models import Municipality
from vangnet.testing import factories
from vangnet.transfers import services
from vangnet.transfers.models import Candidate, Capacity
from vangnet.waitlists.models import ProcessOwnerRegion, RegionKind

AMSTERDAM, DIEMEN, ZAANSTAD, UTRECHT = "GM0363", "GM0384", "GM0479", "GM0344"


def org(name: str, municipality: str = AMSTERDAM, **kw: object) -> Organisation:
    return factories.OrganisationFactory(
        name=name, municipality=Municipality.objects.get(code=municipality), **kw
    )


def location(organisation: Organisation, municipality: str = AMSTERDAM, **kw: object) -> Location:
    from vangnet.directory.models import MunicipalityPoint

    m = Municipality.objects.get(code=municipality)
    p = MunicipalityPoint.objects.get(municipality=m)
    return Location.objects.create(
        organisation=organisation,
        name=kw.pop("name", f"{organisation.name} {m.name}"),  # type: ignore[arg-type]
        municipality=m,
        latitude=p.latitude,
        longitude=p.longitude,
        confirmed_at=timezone.now(),
        **kw,
    )


def remote_location(organisation: Organisation) -> Location:
    return Location.objects.create(
        organisation=organisation,
        name=f"{organisation.name} online",
        remote=True,
        served_area=ServedArea.NATIONAL,
        confirmed_at=timezone.now(),
    )


def monday(offset_weeks: int = 0) -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=offset_weeks)


@dataclass
class Net:
    sender: Organisation  # where clients wait (Amsterdam)
    receiver: Organisation  # has capacity (Amsterdam)
    far: Organisation  # Utrecht: outside the region
    ehealth: Organisation
    gp_practice: Organisation
    insurer: Organisation
    support_org: Organisation
    screen_org: Organisation
    desk_org: Organisation
    loc_receiver: Location
    loc_sender: Location
    loc_far: Location
    loc_online: Location
    desk: User
    other_desk: User
    data_officer: User  # sender
    clinician: User  # sender
    sender_screener: User  # screener at the sender (same organisation)
    receiver_officer: User
    receiver_manager: User
    gp: User
    supporter: User
    zb: User
    other_zb: User
    screener: User  # another organisation, region VR13
    outsider: User  # a data officer of an unrelated provider
    analyst: User


def actor(user: User) -> Actor:
    return actor_for(user)


def desk_member(user_org: Organisation, region: tuple[str, str]) -> User:
    user = factories.member(Role.PROCESS_OWNER, organisation=user_org)
    m = Membership.objects.get(user=user, role=Role.PROCESS_OWNER)
    ProcessOwnerRegion.objects.create(membership=m, region_kind=region[0], region_code=region[1])
    return user


@pytest.fixture
def net(db: None) -> Net:
    sender = org("GGZ Zender", agb_code="06000001")
    receiver = org("GGZ Ontvanger", agb_code="06000002")
    far = org("GGZ Utrecht", UTRECHT, agb_code="06000003")
    ehealth = org("Online GGZ", agb_code="06000004")
    gp_practice = org("Huisartsen Oost", organisation_type=OrganisationType.GP_PRACTICE)
    insurer = org("Verzekeraar A", organisation_type=OrganisationType.INSURER)
    other_insurer = org("Verzekeraar B", organisation_type=OrganisationType.INSURER)
    support_org = org("Cliëntondersteuning Amsterdam", organisation_type=OrganisationType.OTHER)
    screen_org = org("GGZ Screener", agb_code="06000005")
    desk_org = org("Regionale transfertafel", agb_code="06000006")
    desk = desk_member(desk_org, (RegionKind.SAFETY_REGION, "VR13"))
    other_desk = desk_member(org("Tafel Utrecht", UTRECHT), (RegionKind.SAFETY_REGION, "VR09"))
    sender_screener = factories.member(Role.TRANSFER_SCREENER, organisation=sender)
    return Net(
        sender=sender,
        receiver=receiver,
        far=far,
        ehealth=ehealth,
        gp_practice=gp_practice,
        insurer=insurer,
        support_org=support_org,
        screen_org=screen_org,
        desk_org=desk_org,
        loc_receiver=location(receiver, DIEMEN),
        loc_sender=location(sender),
        loc_far=location(far, UTRECHT),
        loc_online=remote_location(ehealth),
        desk=desk,
        other_desk=other_desk,
        data_officer=factories.member(Role.DATA_OFFICER, organisation=sender),
        clinician=factories.member(Role.CLINICIAN, organisation=sender),
        sender_screener=sender_screener,
        receiver_officer=factories.member(Role.DATA_OFFICER, organisation=receiver),
        receiver_manager=factories.member(Role.PROVIDER_MANAGER, organisation=receiver),
        gp=factories.member(Role.GENERAL_PRACTITIONER, organisation=gp_practice),
        supporter=factories.member(Role.CLIENT_SUPPORTER, organisation=support_org),
        zb=factories.member(Role.ZORGBEMIDDELING, organisation=insurer),
        other_zb=factories.member(Role.ZORGBEMIDDELING, organisation=other_insurer),
        screener=factories.member(Role.TRANSFER_SCREENER, organisation=screen_org),
        outsider=factories.member(Role.DATA_OFFICER, organisation=org("Elders", ZAANSTAD)),
        analyst=factories.member(Role.MONITOR_ANALYST),
    )


def candidate_input(**kw: object) -> services.CandidateInput:
    today = timezone.localdate()
    base: dict[str, object] = {
        "municipality_code": AMSTERDAM,
        "diagnosis_group": "angst",
        "waiting_for": "Behandeling angststoornis (gespecialiseerde ggz)",
        "waiting_since": today - timedelta(days=120),
        "birth_date": date(1990, 5, 17),
        "consent": True,
        "consent_given_on": today,
        "expected_home_wait_weeks": 16,
        "travel_radius_km": 40,
    }
    base.update(kw)
    return services.CandidateInput(**base)  # type: ignore[arg-type]


def put_forward(net: Net, **kw: object) -> Candidate:
    if "insurer_id" not in kw:
        kw["insurer_id"] = net.insurer.pk
    return services.candidate_put_forward(actor=actor(net.data_officer), data=candidate_input(**kw))


def suitable(net: Net, **kw: object) -> Candidate:
    c = put_forward(net, **kw)
    return services.candidate_screen(actor=actor(net.screener), candidate=c, suitable=True, note="")


def publish(
    net: Net,
    loc: Location,
    *,
    slots: int = 3,
    wait_weeks: int = 2,
    group: str = "angst",
    by: User | None = None,
) -> Capacity:
    if by is None:
        owner = loc.organisation
        by = (
            factories.member(Role.DATA_OFFICER, organisation=owner)
            if owner != net.receiver
            else (net.receiver_officer)
        )
    [row] = services.capacity_publish(
        actor=actor(by),
        rows=[
            services.CapacityInput(
                location_id=loc.pk,
                diagnosis_group=group,
                week=monday(),
                free_slots=slots,
                expected_wait_weeks=wait_weeks,
                valid_until=monday(4),
            )
        ],
    )
    return row


# The client journey's and the reports' fixtures (their own module, so both suites merge cleanly).
from .client_fixtures import journey  # noqa: E402, F401
