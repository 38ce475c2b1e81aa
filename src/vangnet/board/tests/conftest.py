"""A case in follow-up at level 4 of the ladder, the board members of its organisations and of
the insurer, and a board member elsewhere (who must see nothing)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from vangnet.accounts.models import Role, User
from vangnet.cases.models import Case
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.followup import services as followup_services
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms


@dataclass
class Board:
    case: Case
    provider: Organisation
    insurer: Organisation
    provider_board: User
    insurer_board: User
    outsider_board: User


def to_level_four(world, case: Case) -> None:
    for level in (1, 2, 3, 4):
        followup_services.escalate(
            case=case,
            actor=world.coordinator,
            membership=ms(world.coordinator),
            to_level=level,
            reason=f"Voortgang stokt (stap {level}).",
        )
    case.refresh_from_db()


@pytest.fixture
def board(world, partners) -> Board:
    case, _ = fu.follow_up_case(world, partners)
    to_level_four(world, case)
    insurer = factories.OrganisationFactory(
        name="Zorgverzekeraar Test", organisation_type=OrganisationType.INSURER
    )
    return Board(
        case=case,
        provider=partners[0].organisation,
        insurer=insurer,
        provider_board=factories.member(Role.BOARD_MEMBER, organisation=partners[0].organisation),
        insurer_board=factories.member(Role.BOARD_MEMBER, organisation=insurer),
        outsider_board=factories.member(Role.BOARD_MEMBER),
    )
