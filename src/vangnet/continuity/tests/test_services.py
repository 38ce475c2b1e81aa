"""Continuity of care (issue 16 §2, seed 003): validation in Dutch, nothing half-saved, history
kept, and the consent rule for sharing with the GP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.audit.models import AccessLogEntry
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.continuity import services
from vangnet.continuity.models import (
    ContactPerson,
    CrisisCard,
    GpLetter,
    Handover,
    MedicationLine,
    MedicationOverview,
)
from vangnet.continuity.selectors import case_continuity, current_contacts, gp_consent
from vangnet.testing import followup as fu
from vangnet.testing.followup import ms

from .helpers import (
    add_line,
    card_values,
    consent_for,
    overview,
    practice,
    save_card,
    set_gp,
)

pytestmark = pytest.mark.django_db

MODELS = [CrisisCard, MedicationOverview, MedicationLine, ContactPerson, Handover, GpLetter]


def refused(call, match: str, exc: type[Exception] = DomainError) -> Exception:
    before = {m.__name__: m.objects.count() for m in MODELS}
    with pytest.raises(exc) as info:
        call()
    assert match in str(info.value), str(info.value)
    assert {m.__name__: m.objects.count() for m in MODELS} == before
    return info.value


@pytest.fixture
def plan(world):
    return fu.plan_case(world)


# --- crisis card -------------------------------------------------------------------------------


def test_crisis_card_is_versioned_never_overwritten(world, plan):
    first = save_card(world, plan)
    second = save_card(world, plan, early_signs="Praat sneller, slaapt minder dan vier uur.")
    assert (first.version, second.version) == (1, 2)
    assert CrisisCard.objects.filter(case=plan).count() == 2
    assert case_continuity(plan).card == second
    first.refresh_from_db()
    assert first.early_signs.startswith("Slaapt slecht")  # the old version is kept as it was
    with pytest.raises(ValueError, match="append-only"):
        first.save()
    assert "crisis_card" in list(plan.events.values_list("transition", flat=True))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"early_signs": "  "}, "De vroege signalen is verplicht"),
        ({"contacts": []}, "minstens één persoon"),
        (
            {"contacts": [services.CardContact("Crisisdienst", "abc", "dag en nacht")]},
            "geen geldig telefoonnummer",
        ),
        (
            {"contacts": [services.CardContact("Crisisdienst", "020 523 54 00", "")]},
            "Bereikbaar (contact 1",
        ),
        ({"review_on": None}, "herzieningsdatum"),
        ({"review_on": "today"}, "moet na vandaag liggen"),
        ({"review_on": "far"}, "meer dan twee jaar"),
        ({"what_helps": "<script>x</script>"}, "HTML of script"),
    ],
)
def test_crisis_card_refuses_bad_input_in_dutch(world, plan, overrides, message):
    today = timezone.localdate()
    if overrides.get("review_on") == "today":
        overrides["review_on"] = today
    if overrides.get("review_on") == "far":
        overrides["review_on"] = today + timedelta(days=900)
    refused(lambda: save_card(world, plan, **overrides), message)


def test_crisis_card_accepts_the_short_crisis_numbers(world, plan):
    card = save_card(
        world,
        plan,
        contacts=[services.CardContact("113 Zelfmoordpreventie", "113", "dag en nacht")],
    )
    assert card.contacts[0]["phone"] == "113"


def test_sharing_the_crisis_card_with_the_gp_needs_the_practice_and_consent(world, plan):
    refused(lambda: save_card(world, plan, share_with_gp=True), "Leg eerst de huisartsenpraktijk")
    org, _ = practice()
    set_gp(world, plan, org)
    refused(lambda: save_card(world, plan, share_with_gp=True), "geen geldige toestemming")
    consent_for(world, plan, org)
    assert save_card(world, plan, share_with_gp=True).share_with_gp


def test_only_the_coordinator_in_plan_or_follow_up_writes_the_card(world, plan, partners):
    member = partners[0]
    fu.invite_with_consent(world, plan, member.organisation)
    refused(
        lambda: services.crisis_card_save(
            case=plan, actor=member.user, membership=member.membership, **card_values()
        ),
        "Alleen de coördinator",
        NotAllowed,
    )
    admitted = fu.admitted_case(world)
    refused(
        lambda: save_card(world, admitted), "niet mogelijk in de huidige status", InvalidTransition
    )


# --- medication -------------------------------------------------------------------------------


def test_medication_needs_the_responsibilities_first(world, plan):
    refused(lambda: add_line(world, plan), "somatische screening")
    overview(world, plan)
    line = add_line(world, plan)
    assert line.dose == "300 mg, 1x per dag, voor de nacht"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dose_amount": "0"}, "groter zijn dan nul"),
        ({"dose_amount": "-5"}, "groter zijn dan nul"),
        ({"dose_amount": "30000"}, "onmogelijk hoog"),
        ({"dose_amount": "50", "dose_unit": "g"}, "onmogelijk hoog"),
        ({"dose_amount": "twee"}, "als getal"),
        ({"dose_amount": "1.23456"}, "drie decimalen"),
        ({"dose_unit": "emmer"}, "eenheid"),
        ({"since": "future"}, "startdatum ligt in de toekomst"),
        ({"since": "before_birth"}, "vóór de geboortedatum"),
        ({"checked_on": "future"}, "controledatum ligt in de toekomst"),
        ({"checked_on": "before_since"}, "controledatum ligt vóór de startdatum"),
        ({"since": "year_1850"}, "vóór 1900"),
        ({"medicine": ""}, "Het medicijn is verplicht"),
    ],
)
def test_medication_refuses_impossible_doses_and_dates(world, plan, overrides, message):
    overview(world, plan)
    today = timezone.localdate()
    dates = {
        "future": today + timedelta(days=3),
        "before_birth": plan.patient_birth_date - timedelta(days=1),
        "before_since": today - timedelta(days=300),
        "year_1850": today.replace(year=1850),
    }
    values = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    refused(lambda: add_line(world, plan, **values), message)


def test_several_medication_errors_are_reported_together(world, plan):
    overview(world, plan)
    err = refused(
        lambda: add_line(world, plan, dose_amount="0", prescriber=""), "groter zijn dan nul"
    )
    assert "De voorschrijver is verplicht" in str(err)


def test_medication_overview_refuses_a_past_review_date_and_missing_responsibility(world, plan):
    refused(
        lambda: overview(world, plan, review_on=timezone.localdate() - timedelta(days=1)),
        "na vandaag",
    )
    refused(
        lambda: overview(world, plan, pharmaceutical_care_by=""), "farmaceutische zorg is verplicht"
    )


def test_a_stopped_medicine_stays_in_the_history(world, plan):
    overview(world, plan)
    line = add_line(world, plan)
    m = ms(world.coordinator)
    refused(
        lambda: services.medication_stop(
            line=line,
            actor=world.coordinator,
            membership=m,
            stopped_on=line.since - timedelta(days=1),
            reason="x",
        ),
        "vóór de startdatum",
    )
    services.medication_stop(
        line=line,
        actor=world.coordinator,
        membership=m,
        stopped_on=timezone.localdate(),
        reason="Bijwerkingen",
    )
    assert MedicationLine.objects.filter(pk=line.pk, stopped_on__isnull=False).exists()
    refused(
        lambda: services.medication_stop(
            line=line,
            actor=world.coordinator,
            membership=m,
            stopped_on=timezone.localdate(),
            reason="x",
        ),
        "al gestopt",
    )


# --- contacts and handover --------------------------------------------------------------------


def _contact(world, case, **overrides):
    values = dict(
        audience="client",
        name="M. Jansen",
        organisation="Arkin, FACT-team Oost",
        phone="020 123 45 67",
        reachable="ma–vr 9–17 uur",
        until="de intake bij het beschermd wonen",
    )
    values.update(overrides)
    return services.contact_person_set(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), **values
    )


def test_contact_persons_keep_their_history(world, plan):
    first = _contact(world, plan)
    refused(lambda: _contact(world, plan), "niets gewijzigd")
    second = _contact(world, plan, name="K. de Boer")
    gp = _contact(world, plan, audience="gp", name="Dr. H. Arts")
    assert current_contacts(plan) == {"client": second, "gp": gp}
    assert ContactPerson.objects.filter(pk=first.pk).exists()
    refused(lambda: _contact(world, plan, phone="12"), "geen geldig telefoonnummer")


def _handover(world, case, org, **overrides):
    values = dict(
        kind="gp",
        handed_over_by="M. Jansen (Arkin)",
        taken_over_by="Dr. H. Arts",
        taken_over_organisation=org,
        spoke_on=timezone.localdate(),
        agreed_aftercare="POH-ggz ziet de cliënt maandelijks; bij signalen belt zij de crisisdienst.",
    )
    values.update(overrides)
    return services.handover_record(
        case=case, actor=world.coordinator, membership=ms(world.coordinator), **values
    )


def test_warm_handover_is_append_only_and_corrections_name_the_original(world, plan):
    org, _ = practice()
    first = _handover(world, plan, org)
    correction = _handover(
        world, plan, org, spoke_on=timezone.localdate() - timedelta(days=1), corrects=first
    )
    assert list(Handover.objects.filter(case=plan)) == [correction, first] or set(
        Handover.objects.filter(case=plan)
    ) == {first, correction}
    assert correction.corrects == first
    with pytest.raises(ValueError, match="append-only"):
        first.save()
    refused(lambda: _handover(world, plan, world.coordinator_org), "huisartsenpraktijk")
    refused(
        lambda: _handover(world, plan, org, spoke_on=timezone.localdate() + timedelta(days=2)),
        "in de toekomst",
    )
    refused(lambda: _handover(world, plan, None), "Kies de organisatie")


# --- GP letters -------------------------------------------------------------------------------


def test_gp_letter_without_consent_is_refused_and_logged(world, plan):
    org, _ = practice()
    set_gp(world, plan, org)
    before = AccessLogEntry.objects.count()
    m = ms(world.coordinator)
    refused(
        lambda: services.gp_letter_create(
            case=plan, actor=world.coordinator, membership=m, event="admitted"
        ),
        "geen geldige toestemming",
        NotAllowed,
    )
    rows = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(r.action, r.outcome, r.detail) for r in rows] == [
        ("export", "denied", "huisartsbrief zonder toestemming")
    ]
    consent_for(world, plan, org)
    letter = services.gp_letter_create(
        case=plan, actor=world.coordinator, membership=m, event="admitted"
    )
    assert letter.delivery == "vangnet"
    last = AccessLogEntry.objects.order_by("-pk").first()
    assert (last.action, last.outcome, last.detail) == (
        "export",
        "allowed",
        f"huisartsbrief {letter.pk} gemaakt",
    )
    # a letter about a step the case has not reached
    refused(
        lambda: services.gp_letter_create(
            case=plan, actor=world.coordinator, membership=m, event="closed"
        ),
        "past niet bij deze casus",
    )


def test_gp_letter_needs_a_known_practice(world, plan):
    refused(
        lambda: services.gp_letter_create(
            case=plan, actor=world.coordinator, membership=ms(world.coordinator), event="admitted"
        ),
        "huisartsenpraktijk van de cliënt",
    )


def test_gp_informed_on_admission_plan_and_closure_with_consent(
    world, partners, django_capture_on_commit_callbacks
):
    from vangnet.accounts.models import Notification
    from vangnet.cases import services as case_services
    from vangnet.followup import services as followup_services

    org, gp = practice()
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = fu.accepted_plan(world, partners)
    # No practice was known at admission: the coordinator was told, no letter.
    assert not GpLetter.objects.filter(case=case).exists()
    assert Notification.objects.filter(
        user=world.coordinator, subject__contains="Huisarts niet geïnformeerd"
    ).exists()
    set_gp(world, case, org)
    with django_capture_on_commit_callbacks(execute=True):
        followup_services.plan_adopt(
            case=case, actor=world.coordinator, membership=ms(world.coordinator)
        )
    # Practice known, but no consent: withheld and recorded in the case history.
    assert not GpLetter.objects.filter(case=case).exists()
    assert case.events.filter(transition="gp_letter_withheld").exists()
    consent_for(world, case, org)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_close(
            case=case, actor=world.coordinator, membership=ms(world.coordinator), outcome="no_offer"
        )
    letter = GpLetter.objects.get(case=case)
    assert (letter.event, letter.delivery, letter.created_by) == ("closed", "vangnet", None)
    note = Notification.objects.get(user=gp)
    assert case.reference in note.subject and case.patient_name not in note.subject + note.body
    # idempotent: the same step announced twice gives one letter
    services.gp_letter_on_step(case=case, step="closure")
    assert GpLetter.objects.filter(case=case).count() == 1


def test_practice_without_account_gets_a_pdf_letter_and_the_coordinator_is_told(
    world, django_capture_on_commit_callbacks
):
    from vangnet.accounts.models import Notification
    from vangnet.cases import services as case_services
    from vangnet.cases.workflow import Decision
    from vangnet.testing import factories

    org, _ = practice("Praktijk Zonder Account", with_gp=False)
    case = fu.registered_case(world.referrer)
    from vangnet.continuity.models import CaseGp

    CaseGp.objects.create(case=case, practice=org, recorded_by=world.coordinator)
    consent_for(world, case, org)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.triage_propose(
            case=case,
            coordinator=world.coordinator,
            membership=ms(world.coordinator),
            assessments=factories.all_criteria(),
            decision=Decision.ADMIT,
        )
        case_services.triage_confirm(
            case=case, screener=world.screener, membership=ms(world.screener, "second_screener")
        )
    case.refresh_from_db()
    assert case.state == State.ADMITTED
    letter = GpLetter.objects.get(case=case)
    assert (letter.event, letter.delivery) == ("admitted", "pdf")
    assert Notification.objects.filter(
        user=world.coordinator, subject__contains="Brief aan de huisarts klaar"
    ).exists()


def test_consent_rule_follows_the_case_consent_model(world, plan):
    org, _ = practice()
    assert not gp_consent(plan, org.pk)
    consent = consent_for(world, plan, org)
    assert gp_consent(plan, org.pk)
    from vangnet.cases import services as case_services

    case_services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    assert not gp_consent(plan, org.pk)
    # the referring organisation shares under the registration's own consent
    assert gp_consent(plan, plan.referrer_organisation_id)
