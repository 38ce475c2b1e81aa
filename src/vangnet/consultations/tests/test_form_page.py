"""Issue 11 §1: the consultation form starts clean (no errors before typing) and anonymous."""

import pytest
from django.utils import timezone

from vangnet.consultations.models import Consultation

pytestmark = pytest.mark.django_db


def test_empty_form_has_no_errors_and_anonymous_is_checked(world, verified_client):
    page = verified_client(world.coordinator).get("/consultaties/").content.decode()
    assert "Dit veld is verplicht." not in page
    assert 'name="anonymous" id="id_anonymous" checked' in page or (
        'name="anonymous"' in page and "checked" in page.split('name="anonymous"')[1][:80]
    )


def test_saving_with_the_default_anonymous_and_no_name_works(world, verified_client):
    client = verified_client(world.coordinator)
    response = client.post(
        "/consultaties/",
        {
            "requested_on": timezone.localdate().isoformat(),
            "requester_type": Consultation.RequesterType.values[0],
            "anonymous": "on",
            "question": "Mag deze patiënt naar de tafel?",
            "minutes_spent": "15",
        },
    )
    assert response.status_code == 302
    assert Consultation.objects.get().patient_name == ""
