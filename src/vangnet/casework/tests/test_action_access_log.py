"""Every case-page action POST writes exactly one access-log row."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.casework import views as casework_views
from vangnet.testing import followup as fu
from vangnet.testing.access import last_log_id, log_rows

pytestmark = pytest.mark.django_db


# --- every action POST writes exactly one access-log row --------------------------------------


def test_every_action_post_writes_exactly_one_access_log_row(world, case, verified_client):
    coordinator = verified_client(world.coordinator)
    outsider = verified_client(world.other_referrer)
    for name in casework_views.ACTIONS:
        url = reverse("cases:action", args=[case.reference, name])
        for who, client in (("coordinator", coordinator), ("outsider", outsider)):
            mark = last_log_id()
            response = client.post(url, {})
            rows = log_rows(mark)
            assert len(rows) == 1, (name, who, rows)
            assert (rows[0].action, rows[0].case_reference, rows[0].detail) == (
                "update",
                case.reference,
                name,
            )
            if who == "outsider":
                assert response.status_code == 403 and rows[0].outcome == "denied"
            else:
                assert response.status_code in {302, 403, 404}, (name, response.status_code)
                assert rows[0].outcome == ("denied" if response.status_code == 403 else "allowed")


# Actions that name an object by a POSTed id, and the name of that field.
ID_FIELDS = {
    "uitnodigen": "party",
    "toestemming-intrekken": "consent",
    "delen": "item",
    "check-in": "checkin",
    "actie-afgerond": "task",
    "hervatten": "suspension",
    "escalatie-resultaat": "step",
}


def test_action_with_a_malformed_id_is_a_clean_refusal(world, case, verified_client):
    client = verified_client(world.coordinator)
    for name, field in sorted(ID_FIELDS.items()):
        mark = last_log_id()
        response = client.post(reverse("cases:action", args=[case.reference, name]), {field: "abc"})
        assert response.status_code in {302, 404}, name
        assert len(log_rows(mark)) == 1, name


def test_meeting_post_with_a_malformed_item_is_a_clean_refusal(world, case, verified_client):
    item = fu.started_item(case, world.coordinator)
    response = verified_client(world.coordinator).post(
        reverse("meetings:detail", args=[item.meeting.pk]),
        {"op": "minutes", "item": "abc", "discussed": "x", "decisions": "y"},
    )
    assert response.status_code in {302, 404}


def test_action_posts_succeed_or_explain_with_one_row_each(world, case, verified_client):
    client = verified_client(world.coordinator)
    url = lambda name: reverse("cases:action", args=[case.reference, name])  # noqa: E731
    posts = [
        (
            "tijdlijn",
            {
                "date": str(timezone.localdate()),
                "organisation_name": "GGZ",
                "description": "Opname",
            },
            "Gebeurtenis toegevoegd",
        ),
        ("escaleren", {"to_level": "1", "reason": "Geen tempo"}, "Escalatiestap vastgelegd"),
        (
            "escaleren",
            {"to_level": "3", "reason": "Sneller"},
            "Niet opgeslagen. Escaleer één niveau tegelijk",
        ),
        ("tijdlijn", {}, "Niet opgeslagen."),
        (
            "afsluiten",
            {"outcome": "new_offer"},
            "Niet opgeslagen. Geef aan of de patiënt het nieuwe aanbod heeft aanvaard",
        ),
    ]
    for name, data, message in posts:
        mark = last_log_id()
        response = client.post(url(name), data)
        assert response.status_code == 302
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "allowed")]
        page = client.get(response["Location"]).content.decode()
        assert message in page, (name, message)
    case.refresh_from_db()
    assert case.escalation_level == 1 and case.timeline_entries.count() == 1
    # The unknown action touches no case data and logs nothing.
    mark = last_log_id()
    assert client.post(url("verwijderen"), {}).status_code == 404
    assert log_rows(mark) == []
