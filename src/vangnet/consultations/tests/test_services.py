"""Consultations: advice without admission, counted per table and year."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from vangnet.accounts.models import Role
from vangnet.common.errors import NotAllowed
from vangnet.consultations import selectors as consultation_selectors
from vangnet.consultations import services as consultation_services
from vangnet.testing.casework import FROZEN, refused
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- consultations ---------------------------------------------------------------------------


def consult(user, role=Role.COORDINATOR, **kwargs):
    values = dict(
        requested_on=date(2026, 5, 1), requester_type="gp", question="Wat nu met deze patiënt?"
    )
    values.update(kwargs)
    return consultation_services.consultation_record(
        actor=user, membership=ms(user, role), **values
    )


def test_anonymous_consultation_recorded_with_advice(world):
    with freeze_time(FROZEN):
        c = consult(world.coordinator, advice="Verwijs naar FACT.", minutes_spent=45)
    assert (c.anonymous, c.patient_name, c.consent_recorded) == (True, "", False)
    assert (c.given_by, c.answered_on, c.minutes_spent) == (world.coordinator, date(2027, 3, 1), 45)
    assert c.table.number == 3


def test_named_consultation_only_with_consent(world):
    refused(
        lambda: consult(world.coordinator, patient_name="Jan de Vries"),
        "Een anonieme consultatie bevat geen naam",
    )
    refused(
        lambda: consult(world.coordinator, anonymous=False, patient_name="Jan de Vries"),
        "alleen met toestemming",
    )
    c = consult(
        world.coordinator, anonymous=False, patient_name="Jan de Vries", consent_recorded=True
    )
    assert (c.anonymous, c.patient_name, c.consent_recorded) == (False, "Jan de Vries", True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requested_on": date(2099, 1, 1)}, "ligt in de toekomst"),
        ({"requester_type": "buurman"}, "Kies wie de vraag stelde"),
        ({"question": ""}, "De vraag is verplicht"),
        ({"minutes_spent": 1441}, "tussen 0 en 1440 minuten"),
        ({"minutes_spent": -1}, "tussen 0 en 1440 minuten"),
    ],
)
def test_consultation_refusals(world, kwargs, message):
    refused(lambda: consult(world.coordinator, **kwargs), message)


def test_consultation_answered_by_its_own_table_only(world):
    c = consult(world.table_member, Role.TABLE_MEMBER)
    assert c.given_by is None and c.answered_on is None
    refused(
        lambda: consult(world.referrer, Role.REFERRER),
        "Alleen de coördinator of een tafellid",
        NotAllowed,
    )
    refused(
        lambda: consultation_services.consultation_answer(
            consultation=c,
            actor=world.other_table_coordinator,
            membership=ms(world.other_table_coordinator),
            advice="x",
            minutes_spent=5,
        ),
        "geen toegang",
        NotAllowed,
    )
    consultation_services.consultation_answer(
        consultation=c,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        advice="Advies",
        minutes_spent=30,
    )
    c.refresh_from_db()
    assert (c.given_by, c.minutes_spent, c.advice) == (world.coordinator, 30, "Advies")


def test_consultations_counted_per_table_per_year(world):
    other = world.other_table_coordinator  # table 1
    consult(world.coordinator, requested_on=date(2025, 12, 31), minutes_spent=10)
    consult(world.coordinator, requested_on=date(2026, 1, 1), minutes_spent=20)
    consult(
        world.table_member,
        Role.TABLE_MEMBER,
        requested_on=date(2026, 6, 1),
        minutes_spent=40,
        anonymous=False,
        patient_name="P",
        consent_recorded=True,
    )
    consult(other, requested_on=date(2026, 2, 1))
    assert consultation_selectors.consultation_counts() == [
        {"table": 3, "year": 2025, "count": 1, "minutes": 10},
        {"table": 1, "year": 2026, "count": 1, "minutes": 0},
        {"table": 3, "year": 2026, "count": 2, "minutes": 60},
    ]
    assert consultation_selectors.consultation_counts(table_number=1) == [
        {"table": 1, "year": 2026, "count": 1, "minutes": 0}
    ]
