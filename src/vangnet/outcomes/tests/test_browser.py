"""The outcome form in headless Chromium (issue 16 §3): the referrer opens the link from the
notification, answers with a reason, and the same link then says it was used."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from vangnet.casework import reminders
from vangnet.outcomes.models import OutcomeRequest
from vangnet.testing.browser import (  # noqa: F401 - fixtures used through usefixtures
    browser_login,
    reference_data,
    restore_reference_data,
)

from .conftest import closed_case, token_sent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "restore_reference_data"),
]


def test_referrer_answers_the_outcome_question_once(page, live_server, world):
    case = closed_case(world, days_ago=95)
    reminders.run(today=timezone.localdate())
    token = token_sent(world.referrer, case)
    link = f"{live_server.url}/uitkomstvraag/{token}/"
    browser_login(page, live_server, world.referrer)
    page.goto(link)
    assert page.locator("[data-testid=case-reference]").inner_text() == case.reference
    form = page.locator("[data-testid=outcome-form]")
    form.locator("input[name=answer][value=no]").check()
    form.locator("button[type=submit]").click()
    # Without a reason the form comes back with the error, nothing saved.
    page.locator("[data-testid=error-summary]").wait_for()
    assert "waarom" in page.inner_text("[data-testid=error-summary]")
    assert OutcomeRequest.objects.get(case=case).answered_at is None
    form = page.locator("[data-testid=outcome-form]")
    form.locator("input[name=answer][value=no]").check()
    form.locator("input[name=reasons][value=provider_stopped]").check()
    form.locator("textarea[name=note]").fill("De aanbieder stopte na twee maanden.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/uitkomstvraag/bedankt/$"))
    assert page.locator("[data-testid=outcome-thanks]").is_visible()
    answered = OutcomeRequest.objects.get(case=case)
    assert (answered.answer, answered.reasons) == ("no", ["provider_stopped"])
    page.goto(link)
    assert "al gebruikt" in page.inner_text("[data-testid=link-message]")
