"""Issue 11 §2, meetings: cases chosen from a list, a meeting recorded afterwards, minutes that
can be corrected until adopted, several actions per case, and an agenda PDF that carries each
visible case's prepared questions and timeline."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vangnet.cases.models import Case
from vangnet.cases.organisation_field import organisation_label
from vangnet.cases.services import preparation
from vangnet.common.errors import NotAllowed
from vangnet.meetings import services as meeting_services
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.meetings.selectors import readable_items
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import at, events, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


def schedule(world, **overrides):
    values = dict(
        table=Table.objects.get(number=3),
        actor=world.coordinator,
        membership=ms(world.coordinator),
        kind=Meeting.Kind.SCHEDULED,
        starts_at=at(24),
        ends_at=at(26),
        chair_type=Meeting.Chair.INDEPENDENT,
        location="Arkin, Amsterdam",
    )
    values.update(overrides)
    return meeting_services.meeting_schedule(**values)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- recording a meeting afterwards -------------------------------------------------------------


def test_a_past_meeting_can_be_recorded_afterwards(frozen, world):
    case = fu.admitted_case(world)
    frozen.move_to(at(48))
    meeting, _ = schedule(
        world, cases=[case], starts_at=at(2), ends_at=at(3), recorded_afterwards=True
    )
    assert meeting.recorded_afterwards
    item = meeting.items.get()
    meeting_services.minutes_record(
        item=item,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        discussed="Telefonisch besproken.",
        decisions="Plan maken.",
    )
    assert events(case)[-2:] == ["minutes", "plan_start"]


def test_recording_afterwards_needs_a_past_start_after_registration(frozen, world):
    case = fu.admitted_case(world)
    refused(lambda: schedule(world, cases=[case], recorded_afterwards=True), "al begonnen")
    refused(
        lambda: schedule(
            world, cases=[case], starts_at=at(-30), ends_at=at(-29), recorded_afterwards=True
        ),
        "nog niet aangemeld",
    )
    # Planning (not recording) in the past still says what to do instead.
    refused(lambda: schedule(world, starts_at=at(-2), ends_at=at(-1)), "achteraf vastleggen")


# --- minutes: editable until adopted, several actions ----------------------------------------


def test_minutes_editable_until_adopted_with_several_actions(frozen, world):
    case = fu.admitted_case(world)
    item = fu.started_item(case, world.coordinator)
    m = ms(world.coordinator)
    woon, zorg = factories.OrganisationFactory(), factories.OrganisationFactory()

    def record(text, tasks=()):
        return meeting_services.minutes_record(
            item=item,
            actor=world.coordinator,
            membership=m,
            discussed=text,
            decisions="Besluit",
            tasks=tasks,
        )

    record(
        "Eerste versie",
        [
            meeting_services.TaskInput("Plek zoeken", woon, date(2027, 3, 1)),
            meeting_services.TaskInput("Behandeling starten", zorg, date(2027, 3, 8)),
        ],
    )
    record("Gecorrigeerde versie", [meeting_services.TaskInput("Bellen", zorg, date(2027, 3, 2))])
    item.refresh_from_db()
    assert item.discussed == "Gecorrigeerde versie"
    assert sorted(t.description for t in case.tasks.all()) == [
        "Behandeling starten",
        "Bellen",
        "Plek zoeken",
    ]
    refused(
        lambda: meeting_services.minutes_adopt(
            item=item, actor=world.table_member, membership=ms(world.table_member, "table_member")
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    meeting_services.minutes_adopt(item=item, actor=world.coordinator, membership=m)
    item.refresh_from_db()
    assert item.minutes_adopted_by == world.coordinator
    assert events(case)[-1] == "minutes_adopt"
    refused(lambda: record("Nog een wijziging"), "vastgesteld")
    refused(
        lambda: meeting_services.minutes_adopt(item=item, actor=world.coordinator, membership=m),
        "al vastgesteld",
    )


def test_minutes_cannot_be_adopted_before_they_exist(world):
    item = fu.started_item(fu.admitted_case(world), world.coordinator)
    refused(
        lambda: meeting_services.minutes_adopt(
            item=item, actor=world.coordinator, membership=ms(world.coordinator)
        ),
        "Leg eerst de notulen vast",
    )


# --- pages ------------------------------------------------------------------------------------


def test_meeting_form_offers_the_tables_cases_as_a_list(world, verified_client):
    admitted = fu.admitted_case(world)
    registered = fu.registered_case(world.referrer)
    client = verified_client(world.coordinator)
    html = client.get("/besprekingen/").content.decode()
    assert 'type="checkbox" name="cases"' in html
    assert admitted.reference in html
    assert registered.reference not in html  # not yet admitted: nothing to discuss
    assert world.referrer_org.name not in html and "Patiënt" not in html  # references only

    start = timezone.now() + timedelta(days=2)
    data = {
        "kind": "scheduled",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=1)),
        "location": "Arkin",
        "chair_type": "fixed",
    }
    response = client.post("/besprekingen/", {**data, "cases": [registered.pk]})
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert 'value="Arkin"' in response.content.decode()  # input kept

    response = client.post("/besprekingen/", {**data, "cases": [admitted.pk]})
    assert response.status_code == 302
    assert [i.case for i in Meeting.objects.get().items.all()] == [admitted]


def test_recording_afterwards_through_the_page(world, verified_client):
    case = fu.admitted_case(world)
    Case.objects.filter(pk=case.pk).update(registered_at=timezone.now() - timedelta(days=10))
    client = verified_client(world.coordinator)
    start = timezone.now() - timedelta(hours=3)
    data = {
        "kind": "ad_hoc",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=1)),
        "location": "Telefonisch",
        "chair_type": "fixed",
        "cases": [case.pk],
    }
    response = client.post("/besprekingen/", data)
    assert response.status_code == 200
    assert "achteraf vastleggen" in response.content.decode()
    response = client.post("/besprekingen/", {**data, "recorded_afterwards": "on"})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.recorded_afterwards
    page = client.get(response["Location"]).content.decode()
    assert "Achteraf vastgelegd" in page
    assert f'data-testid="minutes-{case.reference}"' in page  # minutes can be written now


def test_agenda_is_added_from_a_list_of_the_tables_cases(world, verified_client):
    on_agenda = fu.admitted_case(world)
    other = fu.admitted_case(world)
    item = fu.started_item(on_agenda, world.coordinator)
    url = reverse("meetings:detail", args=[item.meeting.pk])
    client = verified_client(world.coordinator)
    html = client.get(url).content.decode()
    form = re.search(r'data-testid="agenda-form">.*?</form>', html, re.S).group(0)
    assert other.reference in form and on_agenda.reference not in form
    assert client.post(url, {"op": "agenda", "case": other.pk}).status_code == 302
    assert AgendaItem.objects.filter(meeting=item.meeting, case=other).exists()


def test_minutes_page_several_actions_edit_and_adopt(world, verified_client):
    case = fu.admitted_case(world)
    item = fu.started_item(case, world.coordinator)
    url = reverse("meetings:detail", args=[item.meeting.pk])
    client = verified_client(world.coordinator)
    org_a, org_b = factories.OrganisationFactory(), factories.OrganisationFactory()
    p = f"item{item.pk}-notulen-"
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    data = {
        "op": "minutes",
        "item": item.pk,
        p + "discussed": "Wonen besproken",
        p + "decisions": "Plek zoeken",
        p + "task_description_1": "Plek zoeken",
        p + "task_organisation_1": organisation_label(org_a),
        p + "task_due_on_1": due,
        p + "task_description_2": "Intake plannen",
        p + "task_organisation_2": organisation_label(org_b),
        p + "task_due_on_2": due,
    }
    # An action without an organisation: the error at its field, everything typed kept.
    response = client.post(url, {**data, p + "task_organisation_2": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kies wie de actie uitvoert." in html and "Intake plannen" in html
    assert "Wonen besproken" in html
    assert not case.tasks.exists()

    assert client.post(url, data).status_code == 302
    assert sorted(t.description for t in case.tasks.all()) == ["Intake plannen", "Plek zoeken"]
    html = client.get(url).content.decode()
    assert "Notulen wijzigen of acties toevoegen" in html
    assert "Wonen besproken</textarea>" in html  # the edit form starts from the saved text

    assert (
        client.post(
            url,
            {
                **data,
                p + "discussed": "Wonen en werk besproken",
                p + "task_description_1": "",
                p + "task_organisation_1": "",
                p + "task_due_on_1": "",
                p + "task_description_2": "",
                p + "task_organisation_2": "",
                p + "task_due_on_2": "",
            },
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.discussed == "Wonen en werk besproken"

    assert client.post(url, {"op": "adopt", "item": item.pk}).status_code == 302
    html = client.get(url).content.decode()
    assert f'data-testid="adopted-{case.reference}"' in html
    assert f'data-testid="minutes-{case.reference}"' not in html
    response = client.post(url, data)
    assert response.status_code == 400
    assert "vastgesteld en kunnen niet meer worden gewijzigd" in response.content.decode()
    item.refresh_from_db()
    assert item.discussed == "Wonen en werk besproken"


def test_agenda_pdf_carries_questions_and_timeline_of_visible_cases_only(
    world, member_org, verified_client
):
    visible = fu.admitted_case(world)
    hidden = fu.admitted_case(world)
    fu.invite_with_consent(world, visible, member_org)
    m = ms(world.coordinator)
    item = fu.started_item(visible, world.coordinator)
    AgendaItem.objects.create(meeting=item.meeting, case=hidden, position=2)
    for case, word in ((visible, "Zichtbaar"), (hidden, "Geheim")):
        preparation.question_add(
            case=case, actor=world.coordinator, membership=m, text=f"{word}: wie biedt een plek?"
        )
        preparation.timeline_add(
            case=case,
            actor=world.coordinator,
            membership=m,
            on=timezone.localdate() - timedelta(days=30),
            organisation_name=f"{word} Kliniek",
            description=f"{word} opname geweigerd",
        )
    response = verified_client(world.table_member).get(
        reverse("meetings:pdf", args=[item.meeting.pk])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    html = render_to_string(
        "meetings/meeting_print.html",
        {
            "meeting": item.meeting,
            "items": readable_items(world.table_member, item.meeting),
            "printed_at": timezone.now(),
        },
        request=response.wsgi_request,
    )
    assert "Zichtbaar: wie biedt een plek?" in html
    assert "Zichtbaar Kliniek" in html and "Zichtbaar opname geweigerd" in html
    assert visible.timeline.splitlines()[0] in html
    assert "Geheim" not in html
