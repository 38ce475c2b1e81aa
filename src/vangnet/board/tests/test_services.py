"""The bestuurlijke overlegtafel's flow (issue 16 §3): a case at level 4 is put before the board
members of the organisations involved and the insurer; they decide with a deadline; the
coordinator sees it, is reminded at the deadline and records it carried out. The regional
doorzettingsmacht brings a case in from outside the ladder, marked as such."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.board import reminders, services
from vangnet.board.models import BoardReferral, Route
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.followup import services as followup_services
from vangnet.regions.models import Table
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db

SUMMARY = "Geen aanbieder neemt de combinatie op; drie stappen op de ladder leverden niets op."
QUESTION = "Welke organisatie biedt binnen vier weken een plek, en wie financiert die?"


def refer(world, board, **kwargs):
    values = dict(
        case=board.case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        summary=SUMMARY,
        question=QUESTION,
        organisations=[board.provider, board.insurer],
    )
    values.update(kwargs)
    return services.referral_from_ladder(**values)


def decide(board, referral, **kwargs):
    values = dict(
        referral=referral,
        actor=board.insurer_board,
        membership=ms(board.insurer_board, Role.BOARD_MEMBER),
        decision="Arkin biedt een klinische plek; de verzekeraar financiert als maatwerk.",
        deadline=timezone.localdate() + timedelta(days=21),
    )
    values.update(kwargs)
    return services.referral_decide(**values)


def test_level_four_flow(world, board):
    referral = refer(world, board)
    assert referral.route == Route.LADDER
    # The board members of the chosen organisations are told; the outsider is not.
    told = set(
        Notification.objects.filter(subject__contains="overlegtafel").values_list("user", flat=True)
    )
    assert {board.provider_board.pk, board.insurer_board.pk} <= told
    assert board.outsider_board.pk not in told
    # No patient data in what the board members receive.
    for n in Notification.objects.filter(user=board.insurer_board):
        assert board.case.patient_name not in n.subject + n.body
        assert n.case_reference == ""
    decide(board, referral)
    referral.refresh_from_db()
    assert referral.decided_at and referral.decided_by == board.insurer_board
    assert Notification.objects.filter(
        user=world.coordinator, subject__startswith="Besluit bestuurlijke overlegtafel"
    ).exists()
    transitions = list(board.case.events.values_list("transition", flat=True))
    assert "board_refer" in transitions and "board_decide" in transitions
    with pytest.raises(DomainError, match="al besloten"):
        decide(board, referral)
    services.referral_carried_out(
        referral=referral,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        note="Plek per 1e.",
    )
    referral.refresh_from_db()
    assert referral.carried_out_at is not None


def test_refer_needs_level_four_and_real_people(world, board, partners):
    case, _ = fu.follow_up_case(world, partners)
    with pytest.raises(DomainError, match="niveau 4"):
        refer(world, board, case=case)
    nobody = fu.partner("Zonder bestuurder").organisation
    with pytest.raises(DomainError, match="niemand bereiken"):
        refer(world, board, organisations=[nobody])
    with pytest.raises(DomainError, match="Kies de betrokken"):
        refer(world, board, organisations=[])
    with pytest.raises(DomainError, match="herleiden"):
        refer(world, board, summary=f"{board.case.patient_name} wacht al een jaar.")
    with pytest.raises(DomainError, match="herleiden"):
        refer(world, board, question="Bel 06-12345678 voor details.")
    assert not BoardReferral.objects.exists()
    refer(world, board)
    with pytest.raises(DomainError, match="wacht op een besluit"):
        refer(world, board)


def test_only_the_coordinator_of_the_table_refers(world, board):
    for user, role in (
        (world.other_table_coordinator, Role.COORDINATOR),
        (world.table_member, Role.TABLE_MEMBER),
        (board.provider_board, Role.BOARD_MEMBER),
    ):
        with pytest.raises(NotAllowed):
            refer(world, board, actor=user, membership=ms(user, role))


def test_only_board_members_at_the_table_decide(world, board):
    referral = refer(world, board)
    with pytest.raises(NotAllowed):
        decide(
            board,
            referral,
            actor=board.outsider_board,
            membership=ms(board.outsider_board, Role.BOARD_MEMBER),
        )
    with pytest.raises(NotAllowed):
        decide(board, referral, actor=world.coordinator, membership=ms(world.coordinator))
    for deadline, match in (
        (None, "uitgevoerd moet"),
        (timezone.localdate() - timedelta(days=1), "verleden"),
        (timezone.localdate() + timedelta(days=400), "binnen een jaar"),
    ):
        with pytest.raises(DomainError, match=match):
            decide(board, referral, deadline=deadline)
    with pytest.raises(DomainError, match="besluit"):
        decide(board, referral, decision="  ")
    referral.refresh_from_db()
    assert referral.decided_at is None


def test_deadline_reminds_the_coordinator_once_per_status(world, board):
    referral = decide(board, refer(world, board), deadline=timezone.localdate() + timedelta(days=5))
    today = timezone.localdate()
    assert reminders.run(today=today - timedelta(days=10)) == 0
    assert reminders.run(today=today) == 1  # nearing
    assert reminders.run(today=today) == 0  # idempotent
    assert reminders.run(today=today + timedelta(days=6)) == 1  # passed
    notes = Notification.objects.filter(
        user=world.coordinator, dedup_key__startswith=f"board:{referral.pk}:"
    )
    assert notes.count() == 2
    services.referral_carried_out(
        referral=referral, actor=world.coordinator, membership=ms(world.coordinator), note="Gedaan."
    )
    assert reminders.run(today=today + timedelta(days=30)) == 0


def test_waiting_decision_reminds_the_board(world, board):
    referral = refer(world, board)
    BoardReferral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )
    assert reminders.run(today=timezone.localdate()) == 2  # provider and insurer board member
    assert reminders.run(today=timezone.localdate()) == 0


def test_doorzettingsmacht_by_a_board_member_names_no_case(world, board):
    table = Table.objects.get(number=3)
    m = ms(board.provider_board, Role.BOARD_MEMBER)
    referral = services.referral_doorzettingsmacht(
        actor=board.provider_board,
        membership=m,
        table=table,
        summary="Een cliënt van ons loopt al maanden vast tussen wonen en behandeling.",
        question=QUESTION,
        organisations=[board.insurer],
    )
    assert referral.route == Route.DOORZETTINGSMACHT and referral.case is None
    # Who brought it in sits at the table too.
    assert set(referral.organisations.all()) == {board.insurer, board.provider}
    assert Notification.objects.filter(
        user=world.coordinator, subject__contains=f"Agendapunt {referral.pk} ingebracht"
    ).exists()
    with pytest.raises(NotAllowed):
        services.referral_doorzettingsmacht(
            actor=board.provider_board,
            membership=m,
            table=table,
            summary=SUMMARY,
            question=QUESTION,
            organisations=[board.insurer],
            case=board.case,
        )


def test_doorzettingsmacht_by_the_coordinator_skips_the_ladder(world, board, partners):
    case, _ = fu.follow_up_case(world, partners)  # level 0
    referral = services.referral_doorzettingsmacht(
        actor=world.coordinator,
        membership=ms(world.coordinator),
        table=case.table,
        summary=SUMMARY,
        question=QUESTION,
        organisations=[board.insurer],
        case=case,
    )
    assert referral.case == case and referral.route == Route.DOORZETTINGSMACHT
    other = Table.objects.get(number=1)
    with pytest.raises(NotAllowed):
        services.referral_doorzettingsmacht(
            actor=world.coordinator,
            membership=ms(world.coordinator),
            table=other,
            summary=SUMMARY,
            question=QUESTION,
            organisations=[board.insurer],
        )
    with pytest.raises(NotAllowed):
        services.referral_doorzettingsmacht(
            actor=world.referrer,
            membership=ms(world.referrer, Role.REFERRER),
            table=case.table,
            summary=SUMMARY,
            question=QUESTION,
            organisations=[board.insurer],
        )


def test_level_four_keeps_following_the_ladder(world, board):
    """Going down the ladder after the decision stays possible (the ladder is followup's)."""
    decide(board, refer(world, board))
    followup_services.escalate(
        case=board.case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        to_level=2,
        reason="Besluit genomen; terug naar bemiddelen.",
    )
