"""The route's services and state machine: each step from the right state by the right role at
the right organisation, nothing half-saved, Dutch messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.cases.models import Case, PriorAttempt, ReferrerType
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.routing import services
from vangnet.routing.models import Attempt, Question, QuestionEvent
from vangnet.routing.selectors import question_counts
from vangnet.routing.workflow import (
    QUESTION_DEADLINE_DAYS,
    QUESTION_TRANSITIONS,
    QuestionState,
    question_target,
)

from .conftest import handed_over, in_progress, question_input, recorded, table_input

pytestmark = pytest.mark.django_db


def test_transition_table_only_allows_listed_moves():
    for name, (sources, target, _role) in QUESTION_TRANSITIONS.items():
        for state in QuestionState.values:
            assert question_target(name, state) == (target if state in sources else None)
    # Closed questions cannot move any more.
    for closed in (QuestionState.SOLVED, QuestionState.REGISTERED, QuestionState.WITHDRAWN):
        assert all(question_target(t, closed) is None for t in QUESTION_TRANSITIONS)


def test_record_sets_deadline_and_consent(net):
    q = recorded(net)
    assert q.state == QuestionState.RECORDED
    assert q.deadline == timezone.localdate() + timedelta(days=QUESTION_DEADLINE_DAYS["recorded"])
    assert q.consent_recorded_at is not None and q.reference.startswith("VR-")
    assert QuestionEvent.objects.filter(question=q, transition="record").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"consent_by": ""}, "consent_by", "toestemming"),
        ({"insurer_id": None}, "insurer", "uit de lijst"),
        ({"patient_name": " "}, "patient_name", "verplicht"),
        ({"question": "<script>x</script>"}, "question", "HTML"),
        ({"patient_municipality_code": "GM9999"}, "patient_municipality", "onbekend"),
        ({"asker_kind": "robot"}, "asker_kind", "wie de vraag"),
    ],
)
def test_record_refuses_bad_input_in_dutch_and_saves_nothing(net, overrides, field, words):
    with pytest.raises(DomainError) as exc:
        recorded(net, **overrides)
    errors = getattr(exc.value, "errors", [exc.value])
    assert any(e.field == field and words.lower() in e.message.lower() for e in errors), errors
    assert not Question.objects.exists()


def test_record_with_a_non_insurer_organisation_is_refused(net):
    with pytest.raises(DomainError):
        recorded(net, insurer_id=net.provider.pk)


def test_only_ucz_records(net):
    with pytest.raises(NotAllowed):
        services.question_record(
            user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=question_input(net)
        )


def test_hand_over_to_an_insurer_that_is_not_the_patients_is_refused_in_dutch(net):
    q = recorded(net)
    with pytest.raises(DomainError) as exc:
        services.question_hand_over(
            question=q,
            user=net.ucz,
            membership=net.m(net.ucz, Role.UCZ_OFFICER),
            insurer_id=net.vgz.pk,
        )
    assert "eigen zorgverzekeraar van de patiënt (Zilveren Kruis)" in exc.value.message
    assert "niet aan VGZ" in exc.value.message
    q.refresh_from_db()
    assert q.state == QuestionState.RECORDED and q.handed_to is None
    assert not Notification.objects.filter(user=net.zb_other_insurer).exists()


def test_hand_over_notifies_the_insurers_zorgbemiddeling_with_the_reference_only(net):
    q = handed_over(net)
    assert q.state == QuestionState.HANDED_OVER and q.handed_to == net.zk
    note = Notification.objects.get(user=net.zb)
    assert q.reference in note.subject
    assert "Karin" not in note.subject + note.body
    assert not Notification.objects.filter(user=net.zb_other_insurer).exists()


def test_another_ucz_organisation_cannot_hand_over(net):
    q = recorded(net)
    with pytest.raises(NotAllowed):
        services.question_hand_over(
            question=q,
            user=net.other_ucz,
            membership=net.m(net.other_ucz, Role.UCZ_OFFICER),
            insurer_id=net.zk.pk,
        )


def test_zorgbemiddeling_of_another_insurer_cannot_take_up(net):
    q = handed_over(net)
    with pytest.raises(NotAllowed):
        services.question_take_up(
            question=q,
            user=net.zb_other_insurer,
            membership=net.m(net.zb_other_insurer, Role.ZORGBEMIDDELING),
        )


def test_take_up_twice_is_an_invalid_transition(net):
    q = in_progress(net)
    with pytest.raises(InvalidTransition):
        services.question_take_up(
            question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING)
        )


def test_attempt_needs_a_directory_provider_and_a_past_date(net):
    q = in_progress(net)
    zb_m = net.m(net.zb, Role.ZORGBEMIDDELING)
    with pytest.raises(DomainError) as exc:
        services.attempt_add(
            question=q,
            user=net.zb,
            membership=zb_m,
            provider_id=10**9,
            tried_on=timezone.localdate() + timedelta(days=3),
            what="",
            result="x",
        )
    fields = {e.field for e in exc.value.errors}
    assert {"provider", "tried_on", "what"} <= fields
    assert not Attempt.objects.exists()


def test_solve_records_outcome_and_counts(net):
    q = in_progress(net, attempts=1)
    q = services.question_solve(
        question=q,
        user=net.zb,
        membership=net.m(net.zb, Role.ZORGBEMIDDELING),
        outcome="Intake gepland.",
        provider_id=net.provider.pk,
    )
    assert q.state == QuestionState.SOLVED and q.closed_at and q.deadline is None
    counts = question_counts(Question.objects.all())
    assert (counts.solved, counts.registered, counts.open) == (1, 0, 0)


def test_register_without_attempts_is_refused_secondary_principle(net):
    q = in_progress(net)
    with pytest.raises(DomainError) as exc:
        services.question_register(
            question=q,
            user=net.zb,
            membership=net.m(net.zb, Role.ZORGBEMIDDELING),
            data=table_input(),
        )
    assert "geprobeerd" in exc.value.message
    assert not Case.objects.exists()


def test_register_creates_a_case_with_the_attempts_attached(net, world):
    q = in_progress(net, attempts=2)
    case = services.question_register(
        question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=table_input()
    )
    q.refresh_from_db()
    assert q.state == QuestionState.REGISTERED and q.case == case
    assert case.state == State.REGISTERED and case.table.number == 3
    assert case.referrer_type == ReferrerType.CARE_MEDIATION
    assert case.referrer_organisation == net.zk and case.insurer == net.zk
    tried = list(PriorAttempt.objects.filter(case=case))
    assert len(tried) == 2 and {t.provider for t in tried} == {net.provider, net.provider2}
    assert all(t.by_organisation == net.zk for t in tried)
    assert case.party_actions.count() == 2
    # The table's coordinator hears of the new registration.
    assert Notification.objects.filter(
        user=world.coordinator, case_reference=case.reference
    ).exists()


def test_registration_error_leaves_question_in_progress(net):
    q = in_progress(net, attempts=1)
    bad = services.TableRegistrationInput(stuck_description="", best_solution="x", timeline="x")
    with pytest.raises(DomainError):
        services.question_register(
            question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=bad
        )
    q.refresh_from_db()
    assert q.state == QuestionState.IN_PROGRESS and q.case is None
    assert not Case.objects.exists()


def test_send_back_returns_to_ucz_and_clears_the_insurer(net):
    q = in_progress(net)
    q = services.question_send_back(
        question=q,
        user=net.zb,
        membership=net.m(net.zb, Role.ZORGBEMIDDELING),
        reason="Niet bij ons verzekerd.",
    )
    assert q.state == QuestionState.RECORDED and q.handed_to is None
    assert Notification.objects.filter(user=net.ucz, subject__contains="teruggestuurd").exists()


def test_withdraw_by_ucz_closes_the_question(net):
    q = handed_over(net)
    q = services.question_withdraw(
        question=q,
        user=net.ucz,
        membership=net.m(net.ucz, Role.UCZ_OFFICER),
        reason="Toestemming ingetrokken.",
    )
    assert q.state == QuestionState.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.question_take_up(
            question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING)
        )
