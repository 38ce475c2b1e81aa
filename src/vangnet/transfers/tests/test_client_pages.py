"""The client page, the letter and the public desk page: what they show, what they never show,
and how the page is reached (POST, a short session, never a bearer URL)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.selectors import actor_for
from vangnet.meetings.tests.test_access import pdf_text
from vangnet.testing.access import last_log_id, log_rows
from vangnet.transfers import client_codes
from vangnet.transfers.client_views import SESSION_KEY
from vangnet.transfers.models import ClientAccessCode, Transfer, TransferState
from vangnet.waitlists.models import LargestBreach

from .client_fixtures import BIRTH

START = "/mijn-transfer/"
PAGE = "/mijn-transfer/pagina/"


def issue(journey) -> str:
    return client_codes.code_issue(
        actor=actor_for(journey.clinician), candidate=journey.candidate
    ).code


def open_page(code: str, birth: str = "09-04-1988") -> tuple[Client, object]:
    client = Client()
    response = client.post(START, {"code": code, "birth_date": birth})
    return client, response


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_client_opens_the_page_with_code_and_birth_date(journey):
    code = issue(journey)
    client, response = open_page(code)
    assert response.status_code == 302 and response["Location"] == PAGE
    page = text(client.get(PAGE))
    # Perspectief, vangnet, zelfregie.
    assert "Behandeling met gesprekken, in de buurt" in page
    assert "U wacht sinds" in page and "10 weken" in page
    assert "binnen 4 weken een intake" in page
    assert "Carla Contact" in page and "020-1234567" in page
    assert "Crisisdienst Wachtplek" in page and "113" in page and "huisarts" in page
    assert "Cliëntondersteuning Oost" in page
    assert "Herstelgroep Oost" in page
    assert "Zelf om een andere plek vragen" in page


def test_the_page_shows_no_bsn_no_diagnosis_and_no_offer_that_names_it(journey):
    code = issue(journey)
    client, _ = open_page(code)
    html = client.get(PAGE).content.decode().lower()
    group = journey.candidate.diagnosis_group
    assert group.name.lower() not in html and group.code not in html
    assert "eetstoornis" not in html  # the peer group named after the diagnosis is left out
    assert "bsn" not in html and "burgerservicenummer" not in html
    assert BIRTH.isoformat() not in html and "09-04-1988" not in html


def test_a_code_in_the_url_opens_nothing(journey):
    code = issue(journey)
    client = Client()
    response = client.get(START, {"code": code, "birth_date": "09-04-1988"})
    assert response.status_code == 200
    assert client.get(PAGE).status_code == 302
    assert SESSION_KEY not in client.session


def test_a_wrong_birth_date_gets_the_one_answer_and_no_session(journey):
    code = issue(journey)
    client, response = open_page(code, "10-04-1988")
    assert response.status_code == 400
    assert client_codes.REFUSED in text(response)
    _, unknown = open_page("ABCD-EFGH-JKLM")
    assert client_codes.REFUSED in text(unknown)
    assert client.get(PAGE).status_code == 302


def test_the_session_is_short_and_ends_when_the_code_is_revoked(journey):
    code = issue(journey)
    client, _ = open_page(code)
    assert client.get(PAGE).status_code == 200
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": time.time() - 1}
    session.save()
    assert client.get(PAGE).status_code == 302

    client, _ = open_page(code)
    ClientAccessCode.objects.update(revoked_at=timezone.now())
    assert client.get(PAGE).status_code == 302


def test_leaving_ends_the_session(journey):
    client, _ = open_page(issue(journey))
    client.post(reverse("transfers_client:leave"))
    assert client.get(PAGE).status_code == 302


def test_an_offer_says_where_and_until_when_to_answer(journey):
    code = issue(journey)
    transfer = Transfer.objects.create(
        candidate=journey.candidate,
        receiving_location=journey.location,
        state=TransferState.OFFERED,
        created_by=journey.process_owner,
        answer_due=timezone.localdate() + timedelta(days=5),
    )
    client, _ = open_page(code)
    page = text(client.get(PAGE))
    assert "Er is een plek voor u gevonden" in page and "Wachtplek Oost" in page
    Transfer.objects.filter(pk=transfer.pk).update(
        state=TransferState.INTAKE_PLANNED, intake_date=timezone.localdate() + timedelta(days=3)
    )
    assert "Uw intake is op" in text(client.get(PAGE))


def test_staff_see_the_page_and_get_the_letter_with_the_code(journey, verified_client):
    client = verified_client(journey.clinician)
    url = reverse("transfers_client:staff", args=[journey.candidate.reference])
    mark = last_log_id()
    assert client.get(url).status_code == 200
    assert [r.outcome for r in log_rows(mark)] == ["allowed"]
    response = client.post(
        reverse("transfers_client:issue", args=[journey.candidate.reference]), {"as": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = pdf_text(response.content)
    if body is None:
        pytest.fail("pdftotext not found: run scripts/ensure-system-deps --with-browser")
    flat = " ".join(body.split())
    match = re.search(r"Uw persoonlijke code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", flat)
    assert match is not None, flat[:400]
    for heading in ("Waar wacht ik op", "Bij wie kan ik terecht", "Wat kan ik zelf doen"):
        assert heading in flat
    assert "113" in flat and "Carla Contact" in flat
    group = journey.candidate.diagnosis_group
    assert group.name.lower() not in flat.lower() and "eetstoornis" not in flat.lower()
    assert "BSN" in flat  # only in "Deze brief bevat geen BSN en geen diagnose."
    assert flat.count("BSN") == 1
    # The printed code works, together with the birth date.
    assert client_codes.code_open(code=match.group(1), birth_date=BIRTH, address=None)


def test_the_code_on_screen_is_shown_once(journey, verified_client):
    client = verified_client(journey.process_owner)
    response = client.post(
        reverse("transfers_client:issue", args=[journey.candidate.reference]), {"as": "screen"}
    )
    code = re.search(r'data-testid="client-code"><strong>([A-Z0-9-]+)<', response.content.decode())
    assert code is not None
    staff = client.get(reverse("transfers_client:staff", args=[journey.candidate.reference]))
    assert code.group(1) not in staff.content.decode()


def test_outsiders_get_403_and_a_denied_row(journey, verified_client):
    for user in (journey.outsider, journey.other_owner, journey.analyst):
        client = verified_client(user)
        mark = last_log_id()
        for response in (
            client.get(reverse("transfers_client:staff", args=[journey.candidate.reference])),
            client.get(reverse("transfers_client:letter", args=[journey.candidate.reference])),
            client.post(reverse("transfers_client:issue", args=[journey.candidate.reference])),
        ):
            assert response.status_code == 403
        assert [r.outcome for r in log_rows(mark)] == ["denied"] * 3
    assert not ClientAccessCode.objects.exists()
    assert (
        Client()
        .get(reverse("transfers_client:staff", args=[journey.candidate.reference]))
        .status_code
        == 302
    )


def test_the_public_desk_page_names_organisations_and_no_client(journey):
    LargestBreach.objects.create(
        period=timezone.localdate().replace(day=1),
        region_kind="veiligheidsregio",
        region_code="VR13",
        provider=journey.provider,
        over_norm=40,
        over_norm_intake=30,
        over_norm_treatment=10,
        registrations_waiting=200,
    )
    index = Client().get(reverse("transfers_client:desk_index"))
    assert "Amsterdam-Amstelland" in text(index)
    response = Client().get(
        reverse("transfers_client:desk_region", args=["veiligheidsregio", "VR13"])
    )
    assert response.status_code == 200
    page = text(response)
    assert "Arkin Transferpunt" in page and "transfer@example.org" in page
    assert "GGZ Wachtplek" in page  # the lead provider
    for word in ("cliënten", "huisartsen", "zorgverzekeraars", "cliëntondersteuners"):
        assert word in page.lower()
    candidate = journey.candidate
    for private in (candidate.reference, candidate.contact_name, candidate.waiting_for, "1988"):
        assert private not in page
    assert (
        Client()
        .get(reverse("transfers_client:desk_region", args=["veiligheidsregio", "VR99"]))
        .status_code
        == 404
    )


def test_staff_page_lists_every_issued_code_once(journey, verified_client, monkeypatch):
    """Issue 12 §3: every code ever issued is reachable ("Meer codes", keyset with ties in the
    time), not only the newest 10, and a page's queries do not grow with the codes."""
    from vangnet.testing.pages import walk
    from vangnet.transfers import client_views

    monkeypatch.setattr(client_views, "CODES_SHOWN", 3)
    moment = timezone.now().replace(microsecond=0)

    def issue(count: int, start: int) -> list[ClientAccessCode]:
        made = ClientAccessCode.objects.bulk_create(
            [
                ClientAccessCode(
                    candidate=journey.candidate,
                    code_hash=f"{i:064d}",
                    issued_by=journey.clinician,
                    expires_at=moment + timedelta(days=90),
                )
                for i in range(start, start + count)
            ]
        )
        ClientAccessCode.objects.update(created_at=moment)
        return made

    def rows(html: str) -> list[str]:
        return re.findall(r"<tr>\s*<td>(\d+)</td>", html)

    client = verified_client(journey.clinician)
    url = reverse("transfers_client:staff", args=[journey.candidate.reference])
    ClientAccessCode.objects.all().delete()
    made = issue(3, 0)
    _, few = walk(client, url, rows)
    made += issue(11, 3)
    seen, many = walk(client, url, rows)
    assert sorted(map(int, seen)) == sorted(c.pk for c in made)
    assert len(many) == 5 and max(many) <= max(few)


def test_staff_page_answers_a_tampered_cursor_with_its_first_page_and_why(journey, verified_client):
    from vangnet.testing.pages import assert_cursor_refused

    url = reverse("transfers_client:staff", args=[journey.candidate.reference])
    assert_cursor_refused(verified_client(journey.clinician), url + "?na=vervalst", first=url)
