"""Issue 11 §1: the identifying-text check also looks for the case's own patient name parts,
whatever they look like ("vries" in lower case is not a name to the general check)."""

import pytest

from vangnet.monitor.identifying import find_identifying, find_name_parts
from vangnet.monitor.models import MonitorRecord
from vangnet.monitor.tests.test_views import QUESTIONNAIRE, answers

pytestmark = pytest.mark.django_db


def test_own_name_parts_are_found_in_any_case_and_tussenvoegsels_are_not():
    text = "Overleg gehad: familie vries wil meedenken, de zus van JAN ook."
    assert find_identifying(text) == []  # the general check does not see these
    assert [f.fragment for f in find_name_parts(text, "Jan de Vries")] == ["vries", "JAN"]
    assert find_name_parts("de van der", "Jan de Vries") == []


def test_questionnaire_warns_about_the_patients_own_name(world, case, verified_client):
    type(case).objects.filter(pk=case.pk).update(patient_name="Jan de Vries")
    client = verified_client(world.coordinator)
    note = "Gesprek met familie vries: geen plek beschermd wonen."
    response = client.post(QUESTIONNAIRE.format(case.reference), answers(exceptional_note=note))
    assert response.status_code == 422
    assert "lijkt een naam te bevatten: ‘vries’" in response.content.decode()
    assert not MonitorRecord.objects.filter(completed_at__isnull=False).exists()
