"""Meeting pages write the access log per case: reads, changes, and refusals."""

import pytest

from vangnet.audit.models import AccessLogEntry
from vangnet.casework import reminders
from vangnet.testing import factories
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def _rows(after: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(pk__gt=after).order_by("pk"))


def _mark() -> int:
    last = AccessLogEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_meeting_page_read_change_and_refusal(world, verified_client):
    case = fu.admitted_case(world)
    item = fu.started_item(case, world.coordinator)
    url = f"/besprekingen/{item.meeting.pk}/"
    coordinator = verified_client(world.coordinator)

    mark = _mark()
    assert coordinator.get(url).status_code == 200
    rows = _rows(mark)
    assert [(r.action, r.outcome, r.case_reference) for r in rows] == [
        ("read", "allowed", case.reference)
    ]

    mark = _mark()
    response = coordinator.post(
        url,
        {
            "op": "participant",
            "item": item.pk,
            f"item{item.pk}-deelnemer-kind": "patient",
            f"item{item.pk}-deelnemer-person_name": "De patiënt",
        },
    )
    assert response.status_code == 302
    rows = _rows(mark)
    assert [(r.action, r.case_reference) for r in rows] == [("update", case.reference)]

    outsider = factories.member("coordinator", table=1)
    mark = _mark()
    assert verified_client(outsider).get(url).status_code == 403
    assert verified_client(outsider).get(url + "pdf/").status_code == 403
    assert [(r.outcome, r.case_reference) for r in _rows(mark)] == [("denied", ""), ("denied", "")]

    member = world.table_member  # same table, organisation not invited: may not change anything
    mark = _mark()
    assert (
        verified_client(member).post(url, {"op": "participant", "item": item.pk}).status_code == 403
    )
    assert [r.outcome for r in _rows(mark)] == ["denied"]


def test_my_tasks_follow_consent(world, verified_client):
    from vangnet.accounts.models import Membership
    from vangnet.cases import services
    from vangnet.cases.models import Consent
    from vangnet.meetings.models import Task

    case = fu.plan_case(world)
    org = world.table_member.memberships.get().organisation
    _party, consent = fu.invite_with_consent(world, case, org)
    Task.objects.create(
        case=case,
        description="Woonplek regelen",
        organisation=org,
        due_on=case.registered_at.date(),
    )
    client = verified_client(world.table_member)
    assert "Woonplek regelen" in client.get("/casussen/overzicht/").content.decode()
    coordinator_m = Membership.objects.get(user=world.coordinator, role="coordinator")
    services.consent_withdraw(
        consent=Consent.objects.get(pk=consent.pk),
        actor=world.coordinator,
        membership=coordinator_m,
    )
    page = client.get("/casussen/overzicht/").content.decode()
    assert "Woonplek regelen" not in page and case.reference not in page


def test_quiet_follow_up_without_planned_checkin_is_signalled(world, verified_client):
    from vangnet.accounts.models import Notification
    from vangnet.followup.models import CheckIn

    partners = [fu.partner("Woonzorg"), fu.partner("Kliniek")]
    case, _goals = fu.follow_up_case(world, partners)
    CheckIn.objects.filter(phase__case=case).update(done_at=case.registered_at)  # all done
    reminders.run()
    reminders.run()  # idempotent
    sent = Notification.objects.filter(dedup_key__startswith=f"phase:{case.pk}:")
    assert sent.count() == 1 and sent.get().user == world.coordinator
    page = verified_client(world.coordinator).get("/casussen/overzicht/").content.decode()
    assert "geen check-in gepland" in page


def test_registration_starts_a_prefilled_monitor_record(world, django_capture_on_commit_callbacks):
    from vangnet.monitor.models import MonitorRecord

    with django_capture_on_commit_callbacks(execute=True):
        case = factories.register_case(world.referrer, in_ggz_treatment=True)
    record = MonitorRecord.objects.get(case=case)
    assert (record.outcome, record.in_treatment, record.referrer_type) == (
        "ongoing",
        "yes",
        case.referrer_type,
    )
    assert record.case_ref != case.reference  # the internal link is never exported


def test_goal_for_an_organisation_that_cannot_see_the_case_is_warned(world, verified_client):
    case = fu.plan_case(world)
    stranger = factories.OrganisationFactory(name="Nog niet uitgenodigd")
    client = verified_client(world.coordinator)
    response = client.post(
        f"/casussen/{case.reference}/actie/doel/",
        {
            "domain": "housing",
            "description": "Woonplek",
            "organisation": stranger.name,
            "financing": "wmo",
        },
        follow=True,
    )
    assert "nog niet uitgenodigd met toestemming" in response.content.decode()
