"""Every question's codes are exactly those of issue 5, with the Dutch answers of seed 001."""

from __future__ import annotations

import pytest

from vangnet.reference import questionnaire as codes

# Copied from the issue text; the code lists are a contract with import files and the API.
ISSUE_CODES = {
    "age_cluster": "lt18 18-25 25-45 45-65 gt65",
    "dsm_groups": "neurodevelopmental schizophrenia_spectrum bipolar depressive anxiety "
    "obsessive_compulsive trauma_stressor dissociative somatic_symptom feeding_eating "
    "elimination sleep_wake sexual_dysfunction gender_dysphoria disruptive_impulse_conduct "
    "substance_addictive neurocognitive personality paraphilic other",
    "goal_types": "quality_of_life functioning symptoms none other",
    "systemic_problems": "housing relational financial forensic none other",
    "danger": "self others no other",
    "in_treatment": "yes no",
    "treatment_duration": "lt1y 1-3y gt3y never unknown",
    "stuck_reasons": "no_known_offer insufficient_capacity no_consensus "
    "cooperation_bottleneck insufficient_funding other",
    "outcome": "ongoing new_offer no_offer not_suitable withdrawn under_investigation",
    "helped_by": "clarify_care bring_into_view regional_capacity supraregional_capacity "
    "cooperation special_funding not_applicable other",
    "obstacles": "unclear_care not_in_view no_regional_capacity no_supraregional_capacity "
    "no_cooperation no_funding not_admitted_after_triage other",
    "external_expertise": "clarify bring_into_view regional_capacity supraregional_capacity "
    "cooperation funding cce_no_added_value cce_not_involved other",
    "patient_agreed": "yes no partly unknown other",
    "patient_involved": "patient_and_relatives patient relatives offered_declined not_offered",
    "shortages": "sheltered_housing secure_forensic top_referral_trauma "
    "eating_disorder_asd_pd somatoform other",
    "referrer_type": "coordinating_institution other_ggz_institution care_mediation "
    "addiction_or_chain_partner gp",
}
MULTIPLE = {
    "dsm_groups",
    "goal_types",
    "systemic_problems",
    "danger",
    "stuck_reasons",
    "helped_by",
    "obstacles",
    "external_expertise",
    "shortages",
}


@pytest.mark.parametrize("key", sorted(ISSUE_CODES))
def test_codes_are_exactly_those_of_the_issue(key):
    question = codes.QUESTION_BY_KEY[key]
    assert question.codes == tuple(ISSUE_CODES[key].split())
    assert question.multiple == (key in MULTIPLE)
    labels = [label for _, label in question.options]
    assert all(labels) and len(set(labels)) == len(labels)


def test_sixteen_questions_in_order_plus_shortages_and_referrer_type():
    numbered = [q for q in codes.QUESTIONS if q.number is not None]
    assert [q.number for q in numbered] == list(range(1, 17))
    assert {q.key for q in codes.QUESTIONS if q.number is None} == {"shortages", "referrer_type"}
    assert codes.OPEN_KEYS == ("multi_diagnosis_note", "exceptional_note")


def test_csv_columns_cover_every_question_once():
    assert codes.CSV_COLUMNS[:3] == ("case_ref", "registration_date", "table")
    assert sorted(codes.CSV_COLUMNS[3:]) == sorted(q.key for q in codes.QUESTIONS)


@pytest.mark.parametrize(
    ("options", "code", "seed_text"),
    [
        (codes.AGE_CLUSTER, "lt18", "<18 jaar."),
        (codes.GOAL_TYPES, "other", "Anders, namelijk."),
        (codes.SYSTEMIC_PROBLEMS, "financial", "Financiële problematiek (schulden of anderszins)."),
        (
            codes.DANGER,
            "others",
            "Gevaar voor lichamelijke schade en/of overlijden bij naasten/anderen.",
        ),
        (codes.TREATMENT_DURATION, "1-3y", "Eén tot drie jaar."),
        (
            codes.STUCK_REASONS,
            "cooperation_bottleneck",
            "(Regionale) knelpunten in samenwerking tussen meerdere zorg-/hulpverleners "
            "(inclusief sociaal domein) die elk een deel van de gevraagde zorg moeten bieden.",
        ),
        (codes.OUTCOMES, "ongoing", "Nog niet, de casus is nog lopende."),
        (codes.HELPED_BY, "supraregional_capacity", "Bovenregionale capaciteit inzetten."),
        (
            codes.OBSTACLES,
            "not_admitted_after_triage",
            "N.v.t.; na triage van aanmelding besloten om de casus niet ter tafel te bespreken.",
        ),
        (
            codes.EXTERNAL_EXPERTISE,
            "cce_not_involved",
            "Nee, het CCE is niet betrokken bij deze patiënt.",
        ),
        (codes.PATIENT_AGREED, "partly", "Gedeeltelijk."),
        (codes.PATIENT_INVOLVED, "not_offered", "Nee, dit is niet aangeboden."),
        (codes.SHORTAGES, "top_referral_trauma", "Topreferente traumazorg."),
    ],
)
def test_answer_texts_are_the_seeds(options, code, seed_text):
    assert codes.label_of(options, code) == seed_text


@pytest.mark.parametrize(
    ("outcome", "answer"),
    [
        ("new_offer", "yes"),
        ("ongoing", "not_yet"),
        ("no_offer", "no"),
        ("not_suitable", "no"),
        ("withdrawn", "no"),
    ],
)
def test_q11_maps_outcomes_to_the_seed_answers(outcome, answer):
    assert codes.q11_answer(outcome) == answer


def test_the_closure_service_names_exist():
    for name in ("OUTCOMES", "HELPED_BY", "OBSTACLES", "SHORTAGES", "REFERRER_TYPES"):
        options = getattr(codes, name)
        assert all(isinstance(code, str) and isinstance(label, str) for code, label in options)
