"""The README tour's steps 11-13 (issue 16 §3-§4), walked in Chromium on the demo data: the
closed case's 3-month outcome answer, the level-4 case with the overlegtafel's decision as the
coordinator and the board member see it, and the region's figures and pause notification for
the GP."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from vangnet.accounts.demo import DEMO_PASSWORD
from vangnet.accounts.models import User
from vangnet.accounts.selectors import actor_for
from vangnet.board.models import BoardReferral
from vangnet.directory.models import Organisation
from vangnet.outcomes.models import OutcomeRequest
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    browser_logout,
    reference_data,
    restore_reference_data,
)
from vangnet.waitlists import services as waitlist_services
from vangnet.waitlists.models import DiagnosisGroup

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def _login(page: Any, live_server: Any, username: str) -> None:
    browser_login(page, live_server, User.objects.get(username=username), password=DEMO_PASSWORD)


def test_tour_after_closure_up_the_ladder_and_shared_figures(page, live_server):
    call_command("demo", stdout=io.StringIO())
    answered = OutcomeRequest.objects.get()
    referral = BoardReferral.objects.get()
    assert referral.decided_at is not None and referral.case is not None

    # 11. The closed case's outcome answer in its closure section.
    _login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/casussen/{answered.case.reference}/dossier/afsluiting/")
    assert "Gedeeltelijk" in page.inner_text("[data-testid=outcome-request-3]")
    # 12. The level-4 case carries the decision.
    page.goto(f"{live_server.url}/casussen/{referral.case.reference}/dossier/follow-up/")
    assert page.locator("[data-testid=escalation-level]").inner_text() == "4"
    assert "maatwerkarrangement" in page.inner_text("[data-testid=case-board-decision]")
    browser_logout(page)

    _login(page, live_server, "bestuurder")
    page.click("nav >> text=Overlegtafel")
    page.click(f"[data-testid=board-referrals] >> text=Agendapunt {referral.pk}")
    page.wait_for_url(re.compile(rf"/bestuurlijke-overlegtafel/{referral.pk}/$"))
    assert "Demo Patiënt" not in page.inner_text("main")
    assert page.locator("[data-testid=board-deadline]").inner_text()
    browser_logout(page)

    # 13. `data` records a pause; the GP hears of it and sees the region's figures.
    data = User.objects.get(username="data")
    waitlist_services.pause_record(
        actor=actor_for(data),
        provider=Organisation.objects.get(agb_code="06290707"),
        diagnosis_group=DiagnosisGroup.objects.get(code="eetstoornis"),
        starts_on=timezone.localdate(),
        planned_end_on=timezone.localdate() + timedelta(days=90),
        reason="Wachttijd eetstoornissen drie maanden boven de Treeknorm.",
    )
    _login(page, live_server, "huisarts")
    page.click("nav >> text=Meldingen")
    assert "Aanmeldpauze GGZ inGeest Amsterdam" in page.inner_text("main")
    page.click("nav >> text=Wachtlijsten")
    page.click("[data-testid=own-regions] >> text=Amsterdam-Amstelland")
    page.wait_for_url(re.compile(r"/wachtlijsten/regio/veiligheidsregio/VR13/"))
    assert page.inner_text("h1") == "Wachtlijsten Amsterdam-Amstelland"
