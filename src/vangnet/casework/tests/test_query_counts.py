"""The lists of case work cost the same number of queries whatever the number of cases (issue 12
§3): the coordinator overview, the table member's and the referrer's case lists and dashboard.

Each test measures a page with a few cases in every open state, adds several times as many, and
measures again; the counts must be equal (a per-case query shows up as a difference).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.cases.workflow import State
from vangnet.followup import services as followup_services
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db


def _populate(world, partner: fu.Partner, per_state: int) -> None:
    """`per_state` cases in every open state, each visible to `partner` once it may be, with
    overdue check-ins and a suspended term among them."""
    for _ in range(per_state):
        fu.registered_case(world.referrer)
        admitted = fu.admitted_case(world)
        fu.invite_with_consent(world, admitted, partner.organisation)
        plan = fu.plan_case(world)
        fu.invite_with_consent(world, plan, partner.organisation)
        follow, _goals = fu.follow_up_case(world, [partner])
        followup_services.term_suspend(
            case=follow,
            actor=world.coordinator,
            membership=fu.ms(world.coordinator),
            reason="Opname elders",
            starts_on=timezone.localdate(),
        )
        phase = follow.phases.get()
        # An overdue check-in (test set-up: moved into the past directly).
        phase.checkins.update(due_on=timezone.localdate() - timedelta(days=3))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def partner(world) -> fu.Partner:
    return fu.partner("Zorgpartner Noord")


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("coordinator", "/casussen/overzicht/"),
        ("coordinator", "/casussen/"),
        ("partner", "/casussen/overzicht/"),
        ("partner", "/casussen/"),
        ("referrer", "/casussen/overzicht/"),
        ("referrer", "/casussen/"),
        ("coordinator", "/api/v1/cases"),
        ("partner", "/api/v1/cases"),
        ("referrer", "/api/v1/cases"),
    ],
)
def test_query_count_does_not_grow_with_cases(world, partner, verified_client, who, url):
    user = partner.user if who == "partner" else getattr(world, who)
    client = verified_client(user)
    _populate(world, partner, 1)
    small = _queries(client, url)
    _populate(world, partner, 4)
    large = _queries(client, url)
    assert large == small, f"{url} as {who}: {small} queries with 4 cases, {large} with 20"


def test_overview_still_shows_every_stage(world, partner, verified_client):
    _populate(world, partner, 2)
    page = verified_client(world.coordinator).get("/casussen/overzicht/").content.decode()
    for state in (State.REGISTERED, State.ADMITTED, State.PLAN, State.FOLLOW_UP):
        assert f"{state.label} (2)" in page
    assert "opgeschort" in page
    assert "geen check-in gepland" not in page  # every follow-up case has one planned
    assert page.count('<span class="flag">3</span>') == 2  # three overdue check-ins per case


def test_partner_sees_exactly_the_invited_cases(world, partner, verified_client):
    _populate(world, partner, 1)
    fu.registered_case(world.referrer)  # never invited
    from vangnet.accounts.selectors import actor_for
    from vangnet.cases.access import visible_cases

    seen = set(visible_cases(actor_for(partner.user)).values_list("state", flat=True))
    assert seen == {State.ADMITTED, State.PLAN, State.FOLLOW_UP}
    assert visible_cases(actor_for(partner.user)).count() == 3
    assert partner.membership.role == Role.TABLE_MEMBER


def test_my_tasks_say_when_there_are_more_than_shown(world, partner, verified_client):
    from vangnet.casework.selectors import MY_TASKS_SHOWN
    from vangnet.meetings.models import Task

    case = fu.admitted_case(world)
    fu.invite_with_consent(world, case, partner.organisation)
    hidden = fu.admitted_case(world)  # not invited: its tasks stay out of the partner's list
    for c, n in ((case, MY_TASKS_SHOWN + 1), (hidden, 5)):
        Task.objects.bulk_create(
            [
                Task(
                    case=c,
                    description=f"Actie {c.pk}-{i}",
                    organisation=partner.organisation,
                    due_on=timezone.localdate() + timedelta(days=i),
                )
                for i in range(n)
            ]
        )
    page = verified_client(partner.user).get("/casussen/overzicht/").content.decode()
    assert page.count(f">{case.reference}</a>)</li>") == MY_TASKS_SHOWN
    assert hidden.reference not in page
    assert 'data-testid="my-tasks-more"' in page


def test_plan_revisions_say_when_older_ones_are_not_shown(world, verified_client):
    from vangnet.plans import services as plan_services

    case = fu.plan_case(world)
    for i in range(22):
        plan_services.plan_update(
            case=case,
            actor=world.coordinator,
            membership=fu.ms(world.coordinator),
            values={"regiebehandelaar": f"Dr. Versie{i:02d}"},
        )
    page = verified_client(world.coordinator).get(f"/casussen/{case.reference}/").content.decode()
    assert 'data-testid="older-revisions"' in page
    assert "Dr. Versie21" in page and "→ Dr. Versie01<" not in page


def test_the_overview_shows_the_first_of_each_stage_and_links_to_all(
    world, verified_client, monkeypatch
):
    """Rendering every open case of a national table cost most of the overview's time: each
    stage shows the cases that need attention first, then the longest in the stage, up to
    OVERVIEW_SHOWN, with the stage's full count and a link to all of them in the case list."""
    from vangnet.casework import selectors as casework_selectors

    monkeypatch.setattr(casework_selectors, "OVERVIEW_SHOWN", 2)
    quiet = [fu.admitted_case(world) for _ in range(3)]
    flagged = fu.admitted_case(world)
    # Its term runs out: it needs attention, so it comes first although it is the newest.
    flagged.admitted_on = timezone.localdate() - timedelta(days=400)
    flagged.save(update_fields=["admitted_on"])
    client = verified_client(world.coordinator)
    response = client.get("/casussen/overzicht/")
    stage = response.context["overview"]["by_stage"][State.ADMITTED.label]
    assert stage.total == 4 and stage.more == 2
    assert [r.case for r in stage] == [flagged, quiet[0]]
    html = response.content.decode()
    assert f"{State.ADMITTED.label} (4)" in html
    assert f'href="/casussen/?status={State.ADMITTED.value}"' in html
    listed = client.get(f"/casussen/?status={State.ADMITTED.value}").content.decode()
    assert all(c.reference in listed for c in [*quiet, flagged])


def _case_instances(client, url: str) -> int:
    """Case model instances made while serving `url`: the work that grows with rows shown."""
    from django.db.models.signals import pre_init

    from vangnet.cases.models import Case

    made = []

    def count(sender, **kwargs):
        made.append(1)

    pre_init.connect(count, sender=Case)
    try:
        assert client.get(url).status_code == 200
    finally:
        pre_init.disconnect(count, sender=Case)
    return len(made)


def test_the_overview_makes_rows_only_for_the_cases_it_shows(world, verified_client, monkeypatch):
    """A national table's overview chose its rows from hundreds of model instances, each with a
    term computed through its related manager; now the choice reads plain values and only the
    shown rows (OVERVIEW_SHOWN per stage, QUEUE_SHOWN in the queue) become instances."""
    from vangnet.casework import selectors as casework_selectors
    from vangnet.casework import views as casework_views

    monkeypatch.setattr(casework_selectors, "OVERVIEW_SHOWN", 2)
    monkeypatch.setattr(casework_views, "QUEUE_SHOWN", 2)
    client = verified_client(world.coordinator)
    for _ in range(3):
        fu.registered_case(world.referrer)
        fu.admitted_case(world)
    small = _case_instances(client, "/casussen/overzicht/")
    for _ in range(6):
        fu.registered_case(world.referrer)
        fu.admitted_case(world)
    assert _case_instances(client, "/casussen/overzicht/") == small


def test_the_triage_queue_shows_the_oldest_and_links_to_all(world, verified_client, monkeypatch):
    from vangnet.casework import views as casework_views

    monkeypatch.setattr(casework_views, "QUEUE_SHOWN", 2)
    cases = [fu.registered_case(world.referrer) for _ in range(3)]
    response = verified_client(world.coordinator).get("/casussen/overzicht/")
    assert [item.case for item in response.context["queue"]] == cases[:2]  # oldest first
    html = response.content.decode()
    assert "Triagewachtrij (3)" in html
    more = html[html.index('data-testid="queue-more"') :]
    assert f'href="/casussen/?status={State.REGISTERED.value}&amp;sorteer=aangemeld"' in more
    assert "(3)</a>" in more


def test_each_stage_says_how_many_need_attention(world, verified_client, monkeypatch):
    from vangnet.casework import selectors as casework_selectors

    monkeypatch.setattr(casework_selectors, "OVERVIEW_SHOWN", 1)
    for days in (400, 400, 0):  # two of three past their offer term
        case = fu.admitted_case(world)
        case.admitted_on = timezone.localdate() - timedelta(days=days)
        case.save(update_fields=["admitted_on"])
    response = verified_client(world.coordinator).get("/casussen/overzicht/")
    stage = response.context["overview"]["by_stage"][State.ADMITTED.label]
    assert (stage.total, stage.attention, len(stage)) == (3, 2, 1)
    assert "2 vragen aandacht; die staan bovenaan." in response.content.decode()
