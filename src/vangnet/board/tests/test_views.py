"""Pages of the overlegtafel: who may open which (role × page), every read logged, refusals
403 with a denied row, and the board never shown the patient."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.audit.models import Outcome
from vangnet.board.models import BoardReferral, Route
from vangnet.testing.access import last_log_id, log_rows

from .test_services import QUESTION, SUMMARY, refer

pytestmark = pytest.mark.django_db


def test_who_sees_a_referral(world, board, verified_client):
    referral = refer(world, board)
    url = reverse("board:detail", args=[referral.pk])
    allowed = [board.provider_board, board.insurer_board, world.coordinator]
    refused = [
        board.outsider_board,
        world.other_table_coordinator,
        world.referrer,
        world.table_member,
        world.screener,
        world.monitor_analyst,
        world.medical_adviser,
    ]
    for user in allowed:
        mark = last_log_id()
        response = verified_client(user).get(url)
        assert response.status_code == 200, user
        html = response.content.decode()
        assert SUMMARY in html
        # The board sees the case's course, never the person.
        assert board.case.patient_name not in html
        rows = log_rows(mark)
        assert [(r.outcome, r.case_reference) for r in rows] == [
            (Outcome.ALLOWED, board.case.reference)
        ]
    for user in refused:
        mark = last_log_id()
        response = verified_client(user).get(url)
        assert response.status_code == 403, user
        assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]


def test_list_is_for_board_members_and_coordinators(world, board, verified_client):
    referral = refer(world, board)
    url = reverse("board:list")
    assert (
        f"Agendapunt {referral.pk}"
        in verified_client(board.insurer_board).get(url).content.decode()
    )
    assert (
        f"Agendapunt {referral.pk}"
        not in verified_client(board.outsider_board).get(url).content.decode()
    )
    for user in (world.referrer, world.table_member, world.monitor_analyst):
        mark = last_log_id()
        assert verified_client(user).get(url).status_code == 403
        assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]


def test_board_member_decides_on_the_page_and_coordinator_sees_it(world, board, verified_client):
    referral = refer(world, board)
    client = verified_client(board.provider_board)
    bad = client.post(reverse("board:decide", args=[referral.pk]), {"decision": "x"})
    assert bad.status_code == 400 and "Uitgevoerd uiterlijk" in bad.content.decode()
    deadline = timezone.localdate() + timedelta(days=14)
    ok = client.post(
        reverse("board:decide", args=[referral.pk]),
        {"decision": "Arkin neemt op.", "deadline": deadline.isoformat()},
    )
    assert ok.status_code == 302
    # The coordinator may not decide; the refusal is logged.
    mark = last_log_id()
    refused = verified_client(world.coordinator).post(
        reverse("board:decide", args=[referral.pk]), {"decision": "x", "deadline": deadline}
    )
    assert refused.status_code == 403
    assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]
    page = verified_client(world.coordinator).get(
        reverse("cases:section", args=[board.case.reference, "follow-up"])
    )
    html = page.content.decode()
    assert 'data-testid="board-in-case"' in html and "Arkin neemt op." in html
    # The referrer does not see the overlegtafel in the case file.
    referrer_page = verified_client(world.referrer).get(
        reverse("cases:section", args=[board.case.reference, "follow-up"])
    )
    assert 'data-testid="board-in-case"' not in referrer_page.content.decode()
    done = verified_client(world.coordinator).post(
        reverse("board:carried_out", args=[referral.pk]), {"note": "Opgenomen."}
    )
    assert done.status_code == 302
    assert BoardReferral.objects.get(pk=referral.pk).carried_out_at is not None


def test_refer_page_from_the_case_file(world, board, verified_client):
    url = reverse("board:refer", args=[board.case.reference])
    coordinator = verified_client(world.coordinator)
    form = coordinator.get(url).content.decode()
    assert board.insurer.name in form  # an organisation with a board member
    response = coordinator.post(
        url,
        {"summary": SUMMARY, "question": QUESTION, "organisations": [board.insurer.pk]},
    )
    assert response.status_code == 302
    assert BoardReferral.objects.filter(case=board.case, route=Route.LADDER).exists()
    for user in (world.referrer, world.other_table_coordinator, board.insurer_board):
        mark = last_log_id()
        assert verified_client(user).get(url).status_code == 403
        assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]


def test_doorzettingsmacht_page(world, board, verified_client):
    url = reverse("board:doorzettingsmacht")
    client = verified_client(board.provider_board)
    page = client.get(url).content.decode()
    assert "case_reference" not in page  # a board member names no case
    response = client.post(
        url,
        {
            "table": 3,
            "summary": "Een cliënt loopt vast tussen wonen en behandeling.",
            "question": QUESTION,
            "organisations": [board.insurer.pk],
        },
    )
    assert response.status_code == 302
    referral = BoardReferral.objects.get(route=Route.DOORZETTINGSMACHT)
    detail = verified_client(world.coordinator).get(reverse("board:detail", args=[referral.pk]))
    assert "doorzettingsmacht" in detail.content.decode()
    for user in (world.referrer, world.table_member, world.monitor_analyst):
        mark = last_log_id()
        assert verified_client(user).get(url).status_code == 403
        assert [r.outcome for r in log_rows(mark)] == [Outcome.DENIED]


def test_case_overview_asks_to_refer_at_level_four(world, board, verified_client):
    url = reverse("cases:section", args=[board.case.reference, "overzicht"])
    html = verified_client(world.coordinator).get(url).content.decode()
    assert "leg de casus voor aan de bestuurlijke overlegtafel" in html
    refer(world, board)
    html = verified_client(world.coordinator).get(url).content.decode()
    assert "leg de casus voor aan de bestuurlijke overlegtafel" not in html


def _referrals(world, count: int) -> list[BoardReferral]:
    from vangnet.regions.models import Table

    table = Table.objects.get(number=3)  # the coordinator's
    made = BoardReferral.objects.bulk_create(
        [
            BoardReferral(
                route=Route.DOORZETTINGSMACHT,
                table=table,
                summary="s",
                question="q",
                submitted_by=world.coordinator,
                submitted_as="coordinator",
                submitted_by_organisation=world.coordinator_org,
            )
            for _ in range(count)
        ]
    )
    # Ties on the order column: the id breaks them.
    moment = timezone.now().replace(microsecond=0)
    BoardReferral.objects.filter(pk__in=[r.pk for r in made]).update(created_at=moment)
    return made


def _items(html: str) -> list[str]:
    return re.findall(r">Agendapunt (\d+)</a>", html)


def test_more_link_reaches_every_referral_once(world, verified_client, monkeypatch):
    """Issue 12 §3: no more "only the newest 100": "Meer agendapunten" pages on (keyset), each
    item exactly once, and a page's queries do not grow with the items."""
    from vangnet.board import views
    from vangnet.testing.pages import walk

    monkeypatch.setattr(views, "SHOWN", 3)
    client = verified_client(world.coordinator)
    first = _referrals(world, 3)
    _, few = walk(client, reverse("board:list"), _items)
    made = first + _referrals(world, 10)
    seen, many = walk(client, reverse("board:list"), _items)
    assert sorted(map(int, seen)) == sorted(r.pk for r in made)
    assert len(many) == 5 and max(many) <= max(few)


def test_a_tampered_cursor_goes_back_to_the_first_page_with_the_reason(world, verified_client):
    from vangnet.testing.pages import assert_cursor_refused

    url = reverse("board:list")
    assert_cursor_refused(verified_client(world.coordinator), url + "?na=vervalst", first=url)
