"""The services of the registration desk and triage: rules, bad input, side effects, history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from vangnet.accounts.models import Notification, Role
from vangnet.cases import selectors, services
from vangnet.cases.models import (
    Case,
    CaseEvent,
    CriterionAssessment,
    PartyAction,
    ReferenceCounter,
    TriageRound,
)
from vangnet.cases.workflow import Decision, State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.conftest import membership
from vangnet.regions.models import Table
from vangnet.testing import factories
from vangnet.testing.factories import all_criteria, registration

pytestmark = pytest.mark.django_db

VALID_BSN = "123456782"
TEXT_FIELDS = ["patient_name", "stuck_description", "best_solution", "timeline"]
MARKUP = [
    "<script>alert(1)</script>",
    "Zie <b>vet</b>",
    "<img src=x onerror=alert(1)>",
    "klik javascript:alert(1)",
    "</textarea><a href='x'>",
    "<!-- verborgen -->",
]
PA = services.PartyActionInput


def rows() -> dict[str, int]:
    return {
        "case": Case.objects.count(),
        "party_action": PartyAction.objects.count(),
        "event": CaseEvent.objects.count(),
        "notification": Notification.objects.count(),
        "round": TriageRound.objects.count(),
        "assessment": CriterionAssessment.objects.count(),
    }


def register(world, **overrides):
    org = membership(world.referrer, Role.REFERRER).organisation
    return services.case_register(
        referrer=world.referrer, organisation=org, data=registration(**overrides)
    )


def coordinator_ms(world):
    return membership(world.coordinator, Role.COORDINATOR)


def screener_ms(world, user=None):
    return membership(user or world.screener, Role.SECOND_SCREENER)


def propose(world, case, **kwargs):
    values = {"assessments": all_criteria(), "decision": Decision.ADMIT}
    values.update(kwargs)
    return services.triage_propose(
        case=case, coordinator=world.coordinator, membership=coordinator_ms(world), **values
    )


# --- registration: the valid path -----------------------------------------------------------


def test_valid_registration_creates_case_actions_criteria_and_history(world):
    result = register(
        world,
        patient_bsn=" 1234.56.782 ",
        party_actions=[PA("GGZ X", "Ambulante behandeling."), PA("Gemeente", "Wmo-indicatie.")],
        criteria=[1, 3, 5],
        urgency="urgent",
    )
    case = result.case
    assert result.linked == []
    assert case.state == State.REGISTERED
    assert case.table.number == 3
    assert case.registered_table.number == 3
    assert case.proposed_table.number == 3
    assert case.referrer == world.referrer
    assert case.referrer_organisation == world.referrer_org
    assert case.patient_bsn == VALID_BSN  # normalised
    assert case.patient_municipality.code == "GM0363"
    assert case.urgency == "urgent"
    assert sorted(c.number for c in case.referrer_criteria.all()) == [1, 3, 5]
    assert [(p.organisation_name, p.action) for p in case.party_actions.all()] == [
        ("GGZ X", "Ambulante behandeling."),
        ("Gemeente", "Wmo-indicatie."),
    ]
    # Keyed hashes, never the plain values.
    assert case.patient_key_name and "jan" not in case.patient_key_name
    assert case.patient_key_bsn and VALID_BSN not in case.patient_key_bsn
    [event] = case.events.all()
    assert (event.transition, event.from_state, event.to_state) == ("register", "", "registered")
    assert event.actor == world.referrer and event.actor_role == Role.REFERRER
    assert str(case) == case.reference


def test_registration_strips_text_and_accepts_empty_bsn(world):
    case = register(world, patient_name="  Jan de Vries  ", patient_bsn="").case
    assert case.patient_name == "Jan de Vries"
    assert case.patient_bsn == "" and case.patient_key_bsn == ""


@pytest.mark.parametrize("bsn", ["123456782", "111222333", "010000008", "1234 56 782"])
def test_valid_bsn_accepted(world, bsn):
    assert register(world, patient_bsn=bsn).case.patient_bsn == bsn.replace(" ", "")


def test_references_count_up_and_restart_each_local_year(world):
    with freeze_time("2031-06-01 10:00:00"):
        first = register(world).case.reference
        second = register(world, patient_name="Piet Bakker").case.reference
    assert re.fullmatch(r"VN-\d{4}-\d{5}", first)
    assert (first, second) == ("VN-2031-00001", "VN-2031-00002")
    # 31 December 23:30 UTC is already 1 January in Amsterdam: the local year counts.
    with freeze_time("2031-12-31 23:30:00"):
        assert register(world, patient_name="Kees Smit").case.reference == "VN-2032-00001"
    with freeze_time("2031-12-31 22:30:00"):
        assert register(world, patient_name="Anna Smit").case.reference == "VN-2031-00003"


# --- registration: bad input, each with a Dutch message and nothing half-saved --------------

FROZEN_TODAY = date(2026, 3, 15)

BAD_INPUT = [
    # (id, overrides, field, fragment of the Dutch message)
    ("bsn-11-proef", {"patient_bsn": "123456789"}, "patient_bsn", "11-proef"),
    ("bsn-8-digits", {"patient_bsn": "12345678"}, "patient_bsn", "11-proef"),
    ("bsn-10-digits", {"patient_bsn": "1234567820"}, "patient_bsn", "11-proef"),
    ("bsn-letters", {"patient_bsn": "12345678a"}, "patient_bsn", "11-proef"),
    ("bsn-zeros", {"patient_bsn": "000000000"}, "patient_bsn", "11-proef"),
    ("birth-tomorrow", {"patient_birth_date": date(2026, 3, 16)}, "patient_birth_date", "toekomst"),
    ("birth-next-year", {"patient_birth_date": date(2027, 1, 1)}, "patient_birth_date", "toekomst"),
    ("birth-1899", {"patient_birth_date": date(1899, 12, 31)}, "patient_birth_date", "niet geldig"),
    (
        "municipality-unknown",
        {"patient_municipality_code": "GM9999"},
        "patient_municipality",
        "onbekend",
    ),
    ("municipality-empty", {"patient_municipality_code": ""}, "patient_municipality", "onbekend"),
    (
        "municipality-name",
        {"patient_municipality_code": "Amsterdam"},
        "patient_municipality",
        "onbekend",
    ),
    ("no-referrer-type", {"referrer_type": ""}, "referrer_type", "type verwijzer"),
    ("bad-referrer-type", {"referrer_type": "patient"}, "referrer_type", "type verwijzer"),
    ("no-consent", {"consent_by": ""}, "consent_by", "toestemming"),
    ("bad-consent", {"consent_by": "nobody"}, "consent_by", "toestemming"),
    ("bad-urgency", {"urgency": "asap"}, "urgency", "urgentie"),
    ("no-name", {"patient_name": ""}, "patient_name", "verplicht"),
    ("blank-name", {"patient_name": "   "}, "patient_name", "verplicht"),
    ("no-insurer", {"insurer_id": None}, "insurer", "zorgverzekeraar van de patiënt"),
    ("unknown-insurer", {"insurer_id": 10**9}, "insurer", "uit de lijst"),
    ("no-stuck", {"stuck_description": ""}, "stuck_description", "verplicht"),
    ("no-solution", {"best_solution": ""}, "best_solution", "verplicht"),
    ("no-timeline", {"timeline": "\n\t "}, "timeline", "verplicht"),
    ("no-party-actions", {"party_actions": []}, "party_actions", "minstens één"),
    ("party-without-org", {"party_actions": [PA("", "Behandeld.")]}, "party_actions", "verplicht"),
    ("party-without-action", {"party_actions": [PA("GGZ X", "")]}, "party_actions", "verplicht"),
    ("long-name", {"patient_name": "a" * 201}, "patient_name", "maximaal 200"),
    ("long-stuck", {"stuck_description": "a" * 5001}, "stuck_description", "maximaal 5000"),
    ("long-solution", {"best_solution": "a" * 5001}, "best_solution", "maximaal 5000"),
    ("long-timeline", {"timeline": "a" * 5001}, "timeline", "maximaal 5000"),
    (
        "long-table-reason",
        {"table_number": 1, "table_choice_reason": "a" * 5001},
        "table_choice_reason",
        "maximaal 5000",
    ),
    ("long-party-org", {"party_actions": [PA("a" * 201, "x")]}, "party_actions", "maximaal 200"),
    (
        "long-party-action",
        {"party_actions": [PA("GGZ", "a" * 5001)]},
        "party_actions",
        "maximaal 5000",
    ),
    ("unknown-criterion", {"criteria": [1, 8]}, "criteria", "criterium"),
    (
        "unknown-table",
        {"table_number": 9, "table_choice_reason": "Reden."},
        "table",
        "bestaat niet",
    ),
    ("other-table-no-reason", {"table_number": 1}, "table_choice_reason", "reden"),
    (
        "other-table-blank-reason",
        {"table_number": 1, "table_choice_reason": "  "},
        "table_choice_reason",
        "reden",
    ),
]
BAD_INPUT += [
    (f"markup-{field}-{i}", {field: payload}, field, "HTML of script")
    for field in TEXT_FIELDS
    for i, payload in enumerate(MARKUP)
]
BAD_INPUT += [
    (
        f"markup-table-reason-{i}",
        {"table_number": 1, "table_choice_reason": payload},
        "table_choice_reason",
        "HTML of script",
    )
    for i, payload in enumerate(MARKUP)
]
BAD_INPUT += [
    (
        f"markup-party-org-{i}",
        {"party_actions": [PA(payload, "x")]},
        "party_actions",
        "HTML of script",
    )
    for i, payload in enumerate(MARKUP)
]
BAD_INPUT += [
    (
        f"markup-party-action-{i}",
        {"party_actions": [PA("GGZ", payload)]},
        "party_actions",
        "HTML of script",
    )
    for i, payload in enumerate(MARKUP)
]


@pytest.mark.parametrize(
    "overrides,field,fragment", [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT]
)
def test_bad_registration_is_refused_with_a_dutch_message_and_nothing_saved(
    world, overrides, field, fragment
):
    register(world, patient_name="Eerdere Patiënt")  # a counter row exists; it must not move
    before = rows()
    counter = list(ReferenceCounter.objects.values_list("year", "last"))
    with freeze_time("2026-03-15 12:00:00"), pytest.raises(DomainError) as exc:
        register(world, **overrides)
    assert exc.value.field == field
    assert fragment.lower() in exc.value.message.lower()
    assert exc.value.status_code == 400
    assert rows() == before
    assert list(ReferenceCounter.objects.values_list("year", "last")) == counter


def test_invalid_bsn_error_names_the_input_field(world):
    with pytest.raises(DomainError) as exc:
        register(world, patient_bsn="123456789")
    assert exc.value.field == "patient_bsn"


def test_birth_date_today_is_accepted(world):
    with freeze_time("2026-03-15 12:00:00"):
        case = register(world, patient_birth_date=FROZEN_TODAY).case
    assert case.patient_birth_date == FROZEN_TODAY


def test_register_for_an_organisation_one_is_not_referrer_for_is_refused(world):
    before = rows()
    for user, org in [
        (world.referrer, world.coordinator_org),  # referrer, but not for this organisation
        (world.coordinator, world.coordinator_org),  # a member, but not a referrer
    ]:
        with pytest.raises(NotAllowed) as exc:
            services.case_register(referrer=user, organisation=org, data=registration())
        assert exc.value.status_code == 403
        assert "verwijzer" in exc.value.message
    assert rows() == before


def test_other_table_with_reason_is_registered_there(world):
    case = register(world, table_number=1, table_choice_reason="Behandelaar zit in Den Haag.").case
    assert case.table.number == 1
    assert case.registered_table.number == 1
    assert case.proposed_table.number == 3
    assert case.table_choice_reason == "Behandelaar zit in Den Haag."


def test_choosing_the_proposed_table_needs_no_reason(world):
    case = register(world, table_number=3).case
    assert case.table.number == 3 and case.table_choice_reason == ""


# --- the table proposed from the municipality --------------------------------------------------


@pytest.mark.parametrize(
    "code,table",
    [
        ("GM0363", 3),  # Amsterdam
        ("GM0599", 2),  # Rotterdam
        ("GM1924", 2),  # Goeree-Overflakkee (veiligheidsregio Rotterdam-Rijnmond)
        ("GM0518", 1),  # Den Haag
        ("GM0243", 4),  # Harderwijk (Noord-Veluwe)
        ("GM0402", 4),  # Hilversum (Gooi en Vechtstreek)
        ("GM0034", 4),  # Almere
        ("GM0200", 5),  # Apeldoorn
        ("GM0687", 6),  # Middelburg (Zeeland)
        ("GM0935", 7),  # Maastricht
        ("GM0014", 8),  # Groningen
    ],
)
def test_table_is_proposed_from_the_municipality(world, code, table):
    case = register(world, patient_municipality_code=code).case
    assert case.proposed_table.number == table
    assert case.table.number == table


# --- the same patient with an open case: linked, both sides told ---------------------------


def test_same_bsn_links_the_cases(world):
    first = register(world, patient_bsn=VALID_BSN).case
    org = membership(world.other_referrer, Role.REFERRER).organisation
    result = services.case_register(
        referrer=world.other_referrer,
        organisation=org,
        data=registration(
            patient_bsn="123 456 782",
            patient_name="J. de Vries",
            patient_birth_date=date(1981, 1, 1),
        ),
    )
    assert result.linked == [first]
    assert list(result.case.linked_cases.all()) == [first]
    assert list(first.linked_cases.all()) == [result.case]  # symmetrical
    link = result.case.events.get(transition="link")
    assert first.reference in link.note


@pytest.mark.parametrize(
    "first_name,second_name",
    [
        ("Jan de Vries", "JAN  DE VRIES"),
        ("José Müller-Ünal", "jose muller-unal"),
        ("Zoë Çelik", " ZOE CELIK "),
    ],
)
def test_same_name_and_birth_date_link_despite_case_and_accents(world, first_name, second_name):
    first = register(world, patient_name=first_name).case
    second = register(world, patient_name=second_name).case
    assert list(second.linked_cases.all()) == [first]


def test_different_birth_date_or_closed_case_is_not_linked(world):
    register(world)
    assert register(world, patient_birth_date=date(1980, 5, 18)).linked == []
    Case.objects.update(state=State.NOT_SUITABLE)  # no open case left
    assert register(world).linked == []


def test_link_notifies_the_coordinator_of_the_existing_case(world):
    first = register(world).case  # table 3
    table2_coordinator = factories.member(Role.COORDINATOR, table=2)
    org = membership(world.other_referrer, Role.REFERRER).organisation
    second = services.case_register(
        referrer=world.other_referrer,
        organisation=org,
        data=registration(patient_municipality_code="GM0599"),  # Rotterdam → table 2
    ).case
    assert second.table.number == 2
    note = Notification.objects.get(
        user=world.coordinator, case_reference=first.reference, subject__contains=second.reference
    )
    assert first.reference in note.subject and "dezelfde patiënt" in note.subject
    assert "Jan" not in note.subject + note.body
    # The new table's coordinator hears of the new registration itself.
    assert Notification.objects.filter(
        user=table2_coordinator, case_reference=second.reference
    ).exists()


def test_link_is_not_told_to_the_new_registrations_referrer(world):
    """Issue 10 §1 reverses the earlier rule: the referrer learns nothing of another case."""
    first = register(world).case
    org = membership(world.other_referrer, Role.REFERRER).organisation
    second = services.case_register(
        referrer=world.other_referrer, organisation=org, data=registration()
    ).case
    notes = Notification.objects.filter(user=world.other_referrer, case_reference=second.reference)
    assert notes.exists()
    assert not any(first.reference in n.subject + n.body for n in notes)


# --- confirmation: in the app and by e-mail, without the patient's name ----------------------


def test_confirmation_in_app_and_by_email_without_patient_data(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = register(world, patient_name="Wilhelmina Zonderland", patient_bsn=VALID_BSN).case
    note = Notification.objects.get(user=world.referrer, case_reference=case.reference)
    assert case.reference in note.subject
    to_referrer = [m for m in mail.outbox if m.to == [world.referrer.email]]
    assert len(to_referrer) == 1
    assert case.reference in to_referrer[0].subject
    to_coordinator = [m for m in mail.outbox if m.to == [world.coordinator.email]]
    assert len(to_coordinator) == 1 and case.reference in to_coordinator[0].subject
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Wilhelmina" not in text and "Zonderland" not in text
        assert VALID_BSN not in text
        assert "1980" not in text  # birth date


def test_no_email_when_the_registration_fails(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        register(world, patient_bsn="123456789")
    assert mail.outbox == []


# --- triage rules ----------------------------------------------------------------------------

UNMET = [services.CriterionInput(n, "met" if n != 4 else "not_met") for n in range(1, 8)]
UNKNOWN = [services.CriterionInput(n, "met" if n != 6 else "unknown") for n in range(1, 8)]

BAD_TRIAGE = [
    ("not-suitable-no-reason", {"decision": "not_suitable"}, "reason", "schriftelijke reden"),
    ("not-suitable-blank-reason", {"decision": "not_suitable", "reason": "  "}, "reason", "reden"),
    ("consultation-no-advice", {"decision": "consultation"}, "advice", "advies"),
    ("refer-nothing", {"decision": "refer"}, "refer_to", "overleg"),
    ("refer-no-reason", {"decision": "refer", "refer_to": "FACT-team"}, "refer_to", "waarom"),
    ("refer-no-target", {"decision": "refer", "reason": "Past beter."}, "refer_to", "overleg"),
    ("admit-unmet-no-mm", {"assessments": UNMET}, "menselijke_maat_reason", "menselijke maat"),
    ("admit-unknown-no-mm", {"assessments": UNKNOWN}, "menselijke_maat_reason", "menselijke maat"),
    ("six-criteria", {"assessments": all_criteria()[:6]}, "assessments", "zeven criteria"),
    ("no-criteria", {"assessments": []}, "assessments", "zeven criteria"),
    (
        "eighth-criterion",
        {"assessments": [*all_criteria(), services.CriterionInput(8, "met")]},
        "assessments",
        "zeven criteria",
    ),
    (
        "bad-verdict",
        {"assessments": [*all_criteria()[:6], services.CriterionInput(7, "maybe")]},
        "assessments",
        "criterium 7",
    ),
    ("bad-decision", {"decision": "later"}, "decision", "besluit"),
    (
        "markup-reason",
        {"decision": "not_suitable", "reason": "<script>x</script>"},
        "reason",
        "HTML",
    ),
    ("markup-advice", {"decision": "consultation", "advice": "<b>advies</b>"}, "advice", "HTML"),
    (
        "markup-mm",
        {"assessments": UNMET, "menselijke_maat_reason": "<img src=x onerror=y>"},
        "menselijke_maat_reason",
        "HTML",
    ),
    (
        "markup-criterion-note",
        {"assessments": [*all_criteria()[:6], services.CriterionInput(7, "met", "<i>x</i>")]},
        "assessments",
        "HTML",
    ),
    ("long-reason", {"decision": "not_suitable", "reason": "a" * 5001}, "reason", "te lang"),
    (
        "long-refer-to",
        {"decision": "refer", "refer_to": "a" * 201, "reason": "x"},
        "refer_to",
        "te lang",
    ),
]


@pytest.mark.parametrize(
    "kwargs,field,fragment", [b[1:] for b in BAD_TRIAGE], ids=[b[0] for b in BAD_TRIAGE]
)
def test_triage_rule_violations_are_refused_and_nothing_saved(world, kwargs, field, fragment):
    case = register(world).case
    before = rows()
    with pytest.raises(DomainError) as exc:
        propose(world, case, **kwargs)
    assert exc.value.field == field
    assert fragment.lower() in exc.value.message.lower()
    assert rows() == before
    case.refresh_from_db()
    assert case.state == State.REGISTERED


VALID_TRIAGE = [
    ("admit-all-met", {}),
    ("admit-unmet-with-mm", {"assessments": UNMET, "menselijke_maat_reason": "Net buiten 4."}),
    ("not-suitable-with-reason", {"decision": "not_suitable", "reason": "Geen ggz-vraag."}),
    ("consultation-with-advice", {"decision": "consultation", "advice": "Start IHT."}),
    ("refer-with-both", {"decision": "refer", "refer_to": "CCE", "reason": "Expertise nodig."}),
]


@pytest.mark.parametrize("kwargs", [v[1] for v in VALID_TRIAGE], ids=[v[0] for v in VALID_TRIAGE])
def test_valid_triage_proposals(world, kwargs):
    case = register(world).case
    round_ = propose(world, case, **kwargs)
    case.refresh_from_db()
    assert case.state == State.TRIAGE_PROPOSED
    assert round_.verdict == TriageRound.Verdict.PENDING
    assert round_.coordinator == world.coordinator
    assert round_.coordinator_organisation == world.coordinator_org
    assert round_.assessments.count() == 7
    # The second screeners of the table are asked to confirm; the proposer is not.
    asked = set(
        Notification.objects.filter(
            case_reference=case.reference, subject__contains="tweede beoordelaar"
        ).values_list("user__username", flat=True)
    )
    assert asked == {world.screener.username, world.same_org_screener.username}


def test_criterion_notes_are_kept(world):
    case = register(world).case
    assessments = [services.CriterionInput(n, "met", f"notitie {n}") for n in range(1, 8)]
    round_ = propose(world, case, assessments=assessments)
    assert [(a.criterion.number, a.note) for a in round_.assessments.all()] == [
        (n, f"notitie {n}") for n in range(1, 8)
    ]


# --- four eyes ----------------------------------------------------------------------------------


def test_the_proposer_cannot_confirm_or_disagree_with_own_proposal(world):
    case = register(world).case
    propose(world, case)
    before = rows()
    for service, extra in [
        (services.triage_confirm, {}),
        (services.triage_disagree, {"note": "Toch niet."}),
    ]:
        with pytest.raises(DomainError) as exc:
            service(
                case=case, screener=world.coordinator, membership=coordinator_ms(world), **extra
            )
        assert "ander persoon" in exc.value.message
    assert rows() == before
    case.refresh_from_db()
    assert case.state == State.TRIAGE_PROPOSED


def test_screener_of_another_organisation_confirms(world):
    case = register(world).case
    propose(world, case, decision="not_suitable", reason="Geen ggz-vraag.")
    round_ = services.triage_confirm(
        case=case, screener=world.screener, membership=screener_ms(world), note="Eens."
    )
    case.refresh_from_db()
    assert case.state == State.NOT_SUITABLE
    assert round_.verdict == TriageRound.Verdict.CONFIRMED
    assert round_.second_screener == world.screener
    assert round_.second_screener_note == "Eens."
    assert round_.same_organisation is False
    assert selectors.final_round(case) == round_
    # The referrer is told the outcome.
    note = Notification.objects.filter(user=world.referrer, case_reference=case.reference).first()
    assert "Niet passend" in note.subject


def test_same_organisation_screener_is_allowed_but_flagged(world, verified_client):
    case = register(world).case
    propose(world, case)
    # Before confirming, the screen shows the same-organisation warning.
    page = verified_client(world.same_org_screener).get(
        reverse("cases:detail", args=[case.reference])
    )
    assert 'data-testid="same-org"' in page.content.decode()
    page = verified_client(world.screener).get(reverse("cases:detail", args=[case.reference]))
    assert 'data-testid="same-org"' not in page.content.decode()
    round_ = services.triage_confirm(
        case=case,
        screener=world.same_org_screener,
        membership=screener_ms(world, world.same_org_screener),
    )
    assert round_.same_organisation is True
    case.refresh_from_db()
    assert case.state == State.ADMITTED
    page = verified_client(world.coordinator).get(reverse("cases:detail", args=[case.reference]))
    assert "zelfde organisatie" in page.content.decode()


def test_another_coordinator_of_the_table_may_confirm(world):
    second_coordinator = factories.member(Role.COORDINATOR, table=3)
    case = register(world).case
    propose(world, case)
    round_ = services.triage_confirm(
        case=case,
        screener=second_coordinator,
        membership=membership(second_coordinator, Role.COORDINATOR),
    )
    assert round_.verdict == TriageRound.Verdict.CONFIRMED


def test_confirm_without_pending_round_is_an_invalid_transition(world):
    case = register(world).case
    with pytest.raises(InvalidTransition):
        services.triage_confirm(case=case, screener=world.screener, membership=screener_ms(world))


# --- disagreement -----------------------------------------------------------------------------


def test_disagreement_returns_to_the_coordinator_with_the_note(world, verified_client):
    case = register(world).case
    propose(world, case)
    round_ = services.triage_disagree(
        case=case,
        screener=world.screener,
        membership=screener_ms(world),
        note="Criterium 5 is niet onderbouwd.",
    )
    case.refresh_from_db()
    assert case.state == State.REGISTERED
    assert round_.verdict == TriageRound.Verdict.DISAGREED
    assert round_.second_screener_note == "Criterium 5 is niet onderbouwd."
    assert selectors.final_round(case) is None
    note = Notification.objects.get(user=world.coordinator, subject__contains="niet eens")
    assert note.case_reference == case.reference
    # The note is visible where the coordinator triages again.
    page = verified_client(world.coordinator).get(reverse("cases:triage", args=[case.reference]))
    html = page.content.decode()
    assert 'data-testid="returned"' in html and "Criterium 5 is niet onderbouwd." in html
    # A new proposal is possible.
    propose(world, case, decision="consultation", advice="Advies gegeven.")
    case.refresh_from_db()
    assert case.state == State.TRIAGE_PROPOSED


@pytest.mark.parametrize("note", ["", "   "])
def test_disagreement_needs_a_note(world, note):
    case = register(world).case
    propose(world, case)
    before = rows()
    with pytest.raises(DomainError) as exc:
        services.triage_disagree(
            case=case, screener=world.screener, membership=screener_ms(world), note=note
        )
    assert exc.value.field == "note" and "verplicht" in exc.value.message
    assert rows() == before


# --- moving a case to another table -----------------------------------------------------------


def test_move_to_another_table_with_reason(world):
    case = register(world).case
    services.case_move_table(
        case=case,
        actor=world.coordinator,
        membership=coordinator_ms(world),
        table=Table.objects.get(number=1),
        reason="Patiënt verhuist naar Den Haag.",
    )
    case.refresh_from_db()
    assert case.table.number == 1
    assert case.registered_table.number == 3  # where it was registered stays known
    assert case.state == State.REGISTERED
    event = case.events.get(transition="table_move")
    assert event.actor == world.coordinator and event.actor_role == Role.COORDINATOR
    assert "Patiënt verhuist naar Den Haag." in event.note
    told = set(
        Notification.objects.filter(
            case_reference=case.reference, subject__contains="verplaatst"
        ).values_list("user__username", flat=True)
    )
    assert told == {world.other_table_coordinator.username, world.referrer.username}


@pytest.mark.parametrize(
    "table,reason,field",
    [(1, "", "reason"), (1, "<script>x</script>", "reason"), (3, "Toch hier.", "table")],
)
def test_move_refused_without_reason_or_to_the_same_table(world, table, reason, field):
    case = register(world).case
    before = rows()
    with pytest.raises(DomainError) as exc:
        services.case_move_table(
            case=case,
            actor=world.coordinator,
            membership=coordinator_ms(world),
            table=Table.objects.get(number=table),
            reason=reason,
        )
    assert exc.value.field == field
    assert rows() == before
    case.refresh_from_db()
    assert case.table.number == 3


# --- the case history: who, when, why -------------------------------------------------------


def test_history_records_who_when_and_why(world):
    t0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    with freeze_time(t0):
        case = register(world).case
    with freeze_time(t0 + timedelta(hours=1)):
        propose(world, case, decision="not_suitable", reason="Eerst verslavingszorg.")
    with freeze_time(t0 + timedelta(hours=2)):
        services.triage_disagree(
            case=case, screener=world.screener, membership=screener_ms(world), note="Te streng."
        )
    with freeze_time(t0 + timedelta(hours=3)):
        propose(world, case, assessments=UNMET, menselijke_maat_reason="Net buiten criterium 4.")
    with freeze_time(t0 + timedelta(hours=4)):
        services.triage_confirm(
            case=case,
            screener=world.same_org_screener,
            membership=screener_ms(world, world.same_org_screener),
        )
    events = list(case.events.all())
    assert [
        (e.transition, e.actor.username, e.actor_role, e.from_state, e.to_state, e.at)
        for e in events
    ] == [
        ("register", world.referrer.username, "referrer", "", "registered", t0),
        (
            "triage_propose",
            world.coordinator.username,
            "coordinator",
            "registered",
            "triage_proposed",
            t0 + timedelta(hours=1),
        ),
        (
            "triage_disagree",
            world.screener.username,
            "second_screener",
            "triage_proposed",
            "registered",
            t0 + timedelta(hours=2),
        ),
        (
            "triage_propose",
            world.coordinator.username,
            "coordinator",
            "registered",
            "triage_proposed",
            t0 + timedelta(hours=3),
        ),
        (
            "triage_confirm",
            world.same_org_screener.username,
            "second_screener",
            "triage_proposed",
            "admitted",
            t0 + timedelta(hours=4),
        ),
    ]
    assert "Niet passend" in events[1].note
    assert events[2].note == "Te streng."
    assert "Toelaten" in events[4].note
    # Why: the reasons live with the triage rounds the events refer to.
    rounds = list(case.triage_rounds.all())
    assert [(r.decision, r.verdict) for r in rounds] == [
        ("not_suitable", "disagreed"),
        ("admit", "confirmed"),
    ]
    assert rounds[0].reason == "Eerst verslavingszorg."
    assert rounds[1].menselijke_maat_reason == "Net buiten criterium 4."
    case.refresh_from_db()
    assert case.state_changed_at == t0 + timedelta(hours=4)


def test_referrer_sees_final_decision_and_reason_but_not_the_internal_rounds(
    world, verified_client
):
    case = register(world).case
    propose(world, case, decision="consultation", advice="Start intensieve thuisbehandeling.")
    client = verified_client(world.referrer)
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Voorgesteld besluit" not in html  # not final yet
    assert 'data-testid="decision"' not in html
    services.triage_confirm(case=case, screener=world.screener, membership=screener_ms(world))
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'data-testid="decision"' in html
    assert "Alleen consultatie" in html and "Start intensieve thuisbehandeling." in html
    assert "Triagerondes" not in html


# --- the queue: age and the seven-day flag (selectors) ---------------------------------------


def test_queue_shows_age_and_flags_registrations_older_than_seven_days(world):
    from vangnet.accounts.selectors import actor_for

    with freeze_time("2026-03-01 10:00:00"):
        old = register(world).case
    with freeze_time("2026-03-06 10:00:00"):
        new = register(world, patient_name="Piet Bakker").case
        propose(world, new)
    with freeze_time("2026-03-08 10:00:01"):
        queue = selectors.triage_queue(actor_for(world.coordinator))
        other = selectors.triage_queue(actor_for(world.other_table_coordinator))
        assert selectors.triage_queue(actor_for(world.referrer)) == []
    assert [(i.case, i.age_days, i.overdue) for i in queue] == [(old, 7, True), (new, 2, False)]
    assert queue[0].pending_round is None and queue[1].pending_round is not None
    assert other == []


def test_queue_excludes_cases_after_triage(world):
    from vangnet.accounts.selectors import actor_for

    case = register(world).case
    propose(world, case)
    services.triage_confirm(case=case, screener=world.screener, membership=screener_ms(world))
    assert selectors.triage_queue(actor_for(world.screener)) == []


def test_case_list_filters_by_state_and_table(world):
    from vangnet.accounts.selectors import actor_for

    a = register(world).case
    b = register(world, patient_name="Piet Bakker", patient_municipality_code="GM0599").case
    actor = actor_for(world.referrer)
    assert set(selectors.case_list(actor)) == {a, b}
    assert list(selectors.case_list(actor, table_number=2)) == [b]
    propose(world, a)
    assert list(selectors.case_list(actor, state=State.TRIAGE_PROPOSED)) == [a]
    assert list(selectors.case_list(actor_for(world.coordinator))) == [a]
    assert list(selectors.case_list(actor_for(world.medical_adviser))) == []


# --- the same rules on the pages: Dutch messages at the field, input escaped, nothing saved ----

PAGE_FORM = factories.REGISTRATION_PAGE_FORM


@pytest.mark.parametrize(
    "change,message",
    [
        ({"stuck_description": "<script>alert(1)</script>"}, "bevat HTML of script"),
        ({"patient_bsn": "123456789"}, "11-proef"),
        ({"patient_birth_date": "2999-01-01"}, "toekomst"),
        ({"consent_by": ""}, "Zonder toestemming"),
        ({"party_0_organisation": "", "party_0_action": ""}, "minstens één"),
        ({"table": "1"}, "Geef een reden"),
        ({"patient_municipality": "GM9999"}, "GM9999 is geen beschikbare keuze"),
    ],
)
def test_registration_page_shows_dutch_errors_and_saves_nothing(
    world, verified_client, change, message
):
    client = verified_client(world.referrer)
    before = rows()
    form = {**PAGE_FORM, "organisation": world.referrer_org.pk, **change}
    response = client.post(reverse("cases:register"), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "<script>alert(1)</script>" not in html  # the input comes back escaped
    assert rows() == before


def test_registration_page_tells_the_referrer_nothing_about_another_case(world, verified_client):
    """Issue 10 §1: the page, the notification and the e-mail say nothing about a match; the
    table's coordinators see the link on the case page."""
    first = register(world, patient_name="Piet Bakker", patient_birth_date=date(1975, 2, 3)).case
    mail.outbox.clear()
    client = verified_client(world.referrer)
    form = {**PAGE_FORM, "organisation": world.referrer_org.pk}
    response = client.post(reverse("cases:register"), form, follow=True)
    html = response.content.decode()
    assert first.reference not in html
    assert "lopende casus" not in html.lower()
    second = Case.objects.exclude(pk=first.pk).get(patient_name="Piet Bakker")
    notes = Notification.objects.filter(user=world.referrer, case_reference=second.reference)
    assert notes.exists()
    for note in notes:
        assert first.reference not in note.subject + note.body
        assert "lopende casus" not in note.body
    for message in mail.outbox:
        if world.referrer.email in message.to:
            assert first.reference not in message.subject + message.body
    table_page = verified_client(world.coordinator).get(
        reverse("cases:detail", args=[second.reference])
    )
    assert first.reference in table_page.content.decode()


def test_a_match_is_logged_as_a_search_on_the_matched_case_and_the_table_is_told(world):
    from vangnet.audit.models import AccessLogEntry, Action

    first = register(world, patient_bsn=VALID_BSN).case
    second = register(world, patient_bsn=VALID_BSN, patient_name="Ander Naam").case
    rows = AccessLogEntry.objects.filter(case_reference=first.reference, action=Action.SEARCH)
    assert rows.count() == 1
    assert rows.get().username == world.referrer.get_username()
    told = Notification.objects.filter(user=world.coordinator, case_reference=second.reference)
    assert any(first.reference in n.body for n in told)


def test_a_withdrawn_registration_drops_its_links(world):
    first = register(world, patient_bsn=VALID_BSN).case
    second = register(world, patient_bsn=VALID_BSN, patient_name="Ander Naam").case
    assert list(first.linked_cases.all()) == [second]
    services.case_close(
        case=second,
        actor=world.referrer,
        membership=membership(world.referrer, Role.REFERRER),
        outcome="withdrawn",
        note="Dubbel aangemeld.",
    )
    assert list(first.linked_cases.all()) == []
    assert list(second.linked_cases.all()) == []


@pytest.mark.parametrize(
    "change,message",
    [
        ({"decision": "not_suitable"}, "schriftelijke reden"),
        ({"decision": "consultation"}, "gegeven advies"),
        ({"criterion_4": "not_met"}, "menselijke maat"),
        ({"reason": "<b>vet</b>", "decision": "not_suitable"}, "HTML of script"),
    ],
)
def test_triage_page_shows_dutch_errors_and_saves_nothing(world, verified_client, change, message):
    case = register(world).case
    before = rows()
    form = {f"criterion_{n}": "met" for n in range(1, 8)} | {"decision": "admit"} | change
    response = verified_client(world.coordinator).post(
        reverse("cases:triage", args=[case.reference]), form
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows() == before
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_disagreeing_on_the_page_without_a_note_changes_nothing(world, verified_client):
    case = register(world).case
    propose(world, case)
    response = verified_client(world.screener).post(
        reverse("cases:screen", args=[case.reference]), {"verdict": "disagree"}, follow=True
    )
    assert "verplicht" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.TRIAGE_PROPOSED
