"""Advice can be added later to a consultation recorded without it."""

import pytest

from vangnet.accounts.models import Membership
from vangnet.consultations import services
from vangnet.consultations.models import Consultation

pytestmark = pytest.mark.django_db


def test_coordinator_adds_advice_later(world, verified_client):
    m = Membership.objects.get(user=world.coordinator, role="coordinator")
    c = services.consultation_record(
        actor=world.coordinator,
        membership=m,
        requested_on=m.created_at.date(),
        requester_type="gp",
        question="Hoe overbrug ik de wachttijd?",
    )
    client = verified_client(world.coordinator)
    assert f'data-testid="answer-{c.pk}"' in client.get("/consultaties/").content.decode()
    bad = client.post(
        "/consultaties/", {"op": "answer", "consultation": "abc", "advice": "x", "minutes_spent": 5}
    )
    assert bad.status_code == 302 and Consultation.objects.get(pk=c.pk).advice == ""
    client.post(
        "/consultaties/",
        {
            "op": "answer",
            "consultation": c.pk,
            "advice": "Schakel de POH-ggz in.",
            "minutes_spent": 20,
        },
    )
    c.refresh_from_db()
    assert (c.advice, c.minutes_spent, c.given_by) == (
        "Schakel de POH-ggz in.",
        20,
        world.coordinator,
    )
    other = verified_client(world.other_table_coordinator)
    other.post(
        "/consultaties/",
        {"op": "answer", "consultation": c.pk, "advice": "Anders", "minutes_spent": 1},
    )
    c.refresh_from_db()
    assert c.advice == "Schakel de POH-ggz in."  # another table's coordinator cannot touch it
