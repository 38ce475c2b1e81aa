"""Pages of the sociale kaart: search, editing, import, and the public region page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.directory import services
from vangnet.directory.models import Offer
from vangnet.testing import factories

from .conftest import location_input, offer_input

pytestmark = pytest.mark.django_db


def test_search_page_for_coordinator_shows_staleness_wait_and_distance(verified_client, kaart):
    Offer.objects.filter(pk=kaart.offer.pk).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )
    client = verified_client(kaart.coordinator)
    response = client.get(
        reverse("directory:search"), {"q": "psychose", "origin": "GM0344", "sort": "distance"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dubbele diagnose ambulant" in body
    assert "Verouderd" in body
    assert "6 weken (opgave aanbieder)" in body
    assert "35,2 km" in body or "35.2 km" in body  # Utrecht → Amsterdam


def test_search_page_refuses_roles_without_a_need(verified_client, kaart):
    analyst = factories.member(Role.MONITOR_ANALYST)
    assert verified_client(analyst).get(reverse("directory:search")).status_code == 403


def test_search_sort_by_distance_without_origin_is_explained(verified_client, kaart):
    response = verified_client(kaart.coordinator).get(
        reverse("directory:search"), {"sort": "distance"}
    )
    assert "Kies een gemeente om op afstand te sorteren" in response.content.decode()


def test_editor_edits_offer_via_the_page(verified_client, kaart):
    client = verified_client(kaart.editor)
    url = reverse("directory:offer_edit", args=[kaart.offer.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "Dubbele diagnose ambulant",
        "kind": "sggz",
        "financing": "zvw",
        "access": "referral",
        "diagnosis_groups": ["psychotisch"],
        "age_min": "18",
        "age_max": "65",
        "stated_wait_weeks": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Offer.objects.get(pk=kaart.offer.pk).stated_wait_weeks == 2
    detail = client.get(reverse("directory:offer", args=[kaart.offer.pk])).content.decode()
    assert "stated_wait_weeks: 6 → 2" in detail
    # An upside-down age range is shown at the field, in Dutch, and nothing is saved.
    response = client.post(url, data | {"age_min": "70", "stated_wait_weeks": "9"})
    assert response.status_code == 200
    assert "De leeftijdsgrens is omgedraaid" in response.content.decode()
    assert Offer.objects.get(pk=kaart.offer.pk).stated_wait_weeks == 2


def test_other_organisations_editor_gets_403_and_is_logged(verified_client, kaart):
    client = verified_client(kaart.other_editor)
    url = reverse("directory:offer_edit", args=[kaart.offer.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "x", "kind": "sggz", "financing": "zvw", "access": "self"})
    assert response.status_code == 403
    assert "eigen organisatie" in response.content.decode()
    confirm = reverse("directory:confirm", args=["aanbod", kaart.offer.pk])
    assert client.post(confirm).status_code == 403
    assert (
        AccessLogEntry.objects.filter(user=kaart.other_editor, outcome=Outcome.DENIED).count() == 3
    )


def test_mine_page_confirm_and_import_errors(verified_client, kaart):
    Offer.objects.filter(pk=kaart.offer.pk).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )
    client = verified_client(kaart.editor)
    page = client.get(reverse("directory:mine")).content.decode()
    assert "Verouderd" in page and "Hoofdlocatie" in page
    client.post(reverse("directory:confirm", args=["aanbod", kaart.offer.pk]))
    assert not Offer.objects.get(pk=kaart.offer.pk).is_stale()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vangnet.directory import kaart_io

    bad = (",".join(kaart_io.COLUMNS) + "\n" + ",Nieuw,nee,,,GM9999" + "," * 20 + "\n").encode()
    response = client.post(
        reverse("directory:import", args=[kaart.org.pk]),
        {"file": SimpleUploadedFile("k.csv", bad, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "regel 2, kolom municipality: Onbekende gemeente" in response.content.decode()
    export = client.get(reverse("directory:export_csv", args=[kaart.org.pk]))
    assert export.status_code == 200 and b"Dubbele diagnose ambulant" in export.content


def test_mine_is_for_editors_only(verified_client, kaart):
    assert verified_client(kaart.coordinator).get(reverse("directory:mine")).status_code == 403


def test_public_region_page_without_login(client, kaart):
    actor = actor_for(kaart.editor)
    services.offer_save(
        actor=actor,
        location=kaart.location,
        data=offer_input(
            name="Herstelwerkplaats",
            kind="self_help",
            financing="free",
            access="self",
            diagnosis_groups=[],
            age_min=None,
            age_max=None,
            stated_wait_weeks=None,
        ),
    )
    online = services.location_save(
        actor=actor,
        organisation=kaart.org,
        data=location_input(name="Chat", remote=True, municipality="", served_area="national"),
    )
    services.offer_save(
        actor=actor,
        location=online,
        data=offer_input(
            name="Anoniem chatten",
            kind="ehealth",
            financing="free",
            access="self",
            diagnosis_groups=[],
            age_min=None,
            age_max=None,
        ),
    )
    response = client.get(reverse("directory:public_region", args=[3]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Herstelwerkplaats" in body and "Anoniem chatten" in body
    assert "Dubbele diagnose ambulant" not in body  # specialised care needs a referral: not here
    assert "113" in body and "U kunt zich zelf aanmelden." in body
    assert (
        "Cache-Control" not in response.headers
        or "no-store" not in response.headers["Cache-Control"]
    )
    # Another region does not show Amsterdam's walk-in help, but does show the national chat.
    other = client.get(reverse("directory:public_region", args=[8])).content.decode()
    assert "Herstelwerkplaats" not in other and "Anoniem chatten" in other
    assert client.get(reverse("directory:public_region", args=[99])).status_code == 404
    assert client.get(reverse("directory:public_index")).status_code == 200
