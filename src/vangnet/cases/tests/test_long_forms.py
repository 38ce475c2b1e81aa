"""Issue 11 §1: long forms (registration, triage) show every error at once with a summary at the
top linking to each field; consent is visibly required; a returned triage starts from the
coordinator's earlier verdicts and reasons, with the screener's note and the registration text."""

from __future__ import annotations

import re

import pytest

from vangnet.accounts.models import Role
from vangnet.cases import services
from vangnet.cases.models import CriterionAssessment
from vangnet.cases.workflow import Decision
from vangnet.testing import factories
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


def test_registration_reports_all_errors_at_once_with_a_linked_summary(world, verified_client):
    client = verified_client(world.referrer)
    page = client.get("/casussen/aanmelden/").content.decode()
    assert re.search(r"Toestemming voor aanmelding gegeven door \*", page)  # visibly required
    response = client.post("/casussen/aanmelden/", {"patient_name": "Jan de Vries"})
    html = response.content.decode()
    summary = html[
        html.index('data-testid="error-summary"') : html.index(
            "</ul>", html.index('data-testid="error-summary"')
        )
    ]
    for field in ("id_consent_by", "id_stuck_description", "id_best_solution"):
        assert f'href="#{field}"' in summary, field
    assert "Zonder toestemming" in summary
    assert 'value="Jan de Vries"' in html  # typed input kept


def test_returned_triage_is_prefilled_with_the_previous_verdicts_and_the_screeners_note(
    world, verified_client
):
    case = factories.register_case(world.referrer)
    verdicts = factories.all_criteria()
    verdicts[2] = services.CriterionInput(3, CriterionAssessment.Verdict.NOT_MET, "Geen crisis")
    services.triage_propose(
        case=case,
        coordinator=world.coordinator,
        membership=ms(world.coordinator),
        assessments=verdicts,
        decision=Decision.ADMIT,
        menselijke_maat_reason="Net buiten criterium 3, toch toelaten.",
    )
    services.triage_disagree(
        case=case,
        screener=world.screener,
        membership=ms(world.screener, Role.SECOND_SCREENER),
        note="Criterium 3 eerst navragen bij de verwijzer.",
    )
    html = (
        verified_client(world.coordinator)
        .get(f"/casussen/{case.reference}/triage/")
        .content.decode()
    )
    assert "Criterium 3 eerst navragen bij de verwijzer." in html
    assert "Net buiten criterium 3, toch toelaten.</textarea>" in html
    assert re.search(
        r'value="not_met"[^>]*name="criterion_3"[^>]*checked|name="criterion_3" value="not_met"[^>]*checked',
        html,
    )
    assert 'value="Geen crisis"' in html
    assert re.search(r'name="decision" value="admit"[^>]*checked', html)
    assert case.stuck_description[:40] in html  # the registration text beside the criteria
