"""The monitor questionnaire as data: sixteen questions, their answer options and stable codes.

Questions and answer texts are quoted verbatim from seed 001, Bijlage 2 (the SiRM monitor of the
casuïstiektafels, 2020–2021). Codes are the ones fixed in issue 5; import, export, API and the
report all use them. The lists `OUTCOMES`, `HELPED_BY`, `OBSTACLES`, `SHORTAGES` and
`REFERRER_TYPES` are also what the cases app validates closure fields against.

Where the seed gives no answer text, the source of the label is stated next to it:
- Q2 says only "geclusterd naar DSM-5-hoofdgroep"; the labels are the Dutch names of the DSM-5
  main groups (Nederlandse vertaling DSM-5).
- Q11 in the seed is "Ja / Nee / Nog niet"; the monitor records the case outcome of figure 1, so
  the six outcome labels follow the wording of §2.1.1 and the caption of figure 1.
- Shortages follow §4.1–4.2; referrer types follow the legend of figure 2.

This module is plain Python (no Django), so forms, services, engines and scripts can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass

Options = tuple[tuple[str, str], ...]

AGE_CLUSTER: Options = (
    ("lt18", "<18 jaar."),
    ("18-25", "18-25 jaar."),
    ("25-45", "25-45 jaar."),
    ("45-65", "45-65 jaar."),
    ("gt65", ">65 jaar."),
)

DSM_GROUPS: Options = (
    ("neurodevelopmental", "Neurobiologische ontwikkelingsstoornissen"),
    ("schizophrenia_spectrum", "Schizofreniespectrum- en andere psychotische stoornissen"),
    ("bipolar", "Bipolaire-stemmingsstoornissen en verwante stoornissen"),
    ("depressive", "Depressieve-stemmingsstoornissen"),
    ("anxiety", "Angststoornissen"),
    ("obsessive_compulsive", "Obsessieve-compulsieve en verwante stoornissen"),
    ("trauma_stressor", "Trauma- en stressorgerelateerde stoornissen"),
    ("dissociative", "Dissociatieve stoornissen"),
    ("somatic_symptom", "Somatisch-symptoomstoornis en verwante stoornissen"),
    ("feeding_eating", "Voedings- en eetstoornissen"),
    ("elimination", "Stoornissen in de zindelijkheid"),
    ("sleep_wake", "Slaap-waakstoornissen"),
    ("sexual_dysfunction", "Seksuele disfuncties"),
    ("gender_dysphoria", "Genderdysforie"),
    (
        "disruptive_impulse_conduct",
        "Disruptieve, impulsbeheersings- en andere gedragsstoornissen",
    ),
    ("substance_addictive", "Middelgerelateerde en verslavingsstoornissen"),
    ("neurocognitive", "Neurocognitieve stoornissen"),
    ("personality", "Persoonlijkheidsstoornissen"),
    ("paraphilic", "Parafiele stoornissen"),
    ("other", "Andere psychische stoornissen"),
)

GOAL_TYPES: Options = (
    ("quality_of_life", "Doelen op het gebied van kwaliteit van leven."),
    ("functioning", "Doelen op het gebied van functioneren."),
    ("symptoms", "Doelen op het gebied van symptomen."),
    ("none", "Geen behandeldoelen."),
    ("other", "Anders, namelijk."),
)

SYSTEMIC_PROBLEMS: Options = (
    ("housing", "Huisvestings- en woonproblematiek."),
    ("relational", "Relationele problematiek."),
    ("financial", "Financiële problematiek (schulden of anderszins)."),
    ("forensic", "Problemen in het (trans)forensisch kader."),
    ("none", "Geen systemische problematiek/problemen op andere levensdomeinen."),
    ("other", "Anders, namelijk."),
)

DANGER: Options = (
    ("self", "Gevaar voor lichamelijke schade en/of overlijden bij de patiënt."),
    ("others", "Gevaar voor lichamelijke schade en/of overlijden bij naasten/anderen."),
    ("no", "Nee."),
    ("other", "Anders, namelijk."),
)

IN_TREATMENT: Options = (
    ("yes", "Ja"),
    ("no", "Nee"),
)

TREATMENT_DURATION: Options = (
    ("lt1y", "Minder dan een jaar."),
    ("1-3y", "Eén tot drie jaar."),
    ("gt3y", "Langer dan drie jaar."),
    ("never", "Niet."),
    ("unknown", "Onbekend."),
)

STUCK_REASONS: Options = (
    ("no_known_offer", "Bij verwijzer geen (regionaal) aanbod voor de gevraagde zorg bekend."),
    ("insufficient_capacity", "Onvoldoende (regionale) capaciteit van de gevraagde zorg."),
    ("no_consensus", "Geen consensus over wat passende zorg is voor de patiënt."),
    (
        "cooperation_bottleneck",
        "(Regionale) knelpunten in samenwerking tussen meerdere zorg-/hulpverleners "
        "(inclusief sociaal domein) die elk een deel van de gevraagde zorg moeten bieden.",
    ),
    (
        "insufficient_funding",
        "(Regionaal) onvoldoende financiering voor aanbod beschikbaar (inclusief gemeente).",
    ),
    ("other", "Anders, namelijk."),
)

# Q11 as the seed asks it; the monitor stores the finer case outcome below (issue 5: "yes" is
# `new_offer`, "not yet" is `ongoing`, "no" is every other closed outcome).
Q11_ANSWERS: Options = (
    ("yes", "Ja."),
    ("no", "Nee."),
    ("not_yet", "Nog niet, de casus is nog lopende."),
)

OUTCOMES: Options = (
    ("ongoing", "Nog niet, de casus is nog lopende."),
    ("new_offer", "Ja: nieuw, passend aanbod gedaan door de tafel."),
    ("no_offer", "Nee: niet gelukt om tot een nieuw, passend zorgvoorstel te komen."),
    ("not_suitable", "Nee: bij triage besloten dat de casus niet paste bij de aanmeldcriteria."),
    (
        "withdrawn",
        "Nee: aanmelding teruggetrokken of afgebroken door de verwijzer of de patiënt.",
    ),
    ("under_investigation", "Status wordt momenteel onderzocht."),
)

HELPED_BY: Options = (
    ("clarify_care", "Duidelijk krijgen welke zorg voor de patiënt passend is."),
    ("bring_into_view", "Patiënt in beeld brengen bij de juiste regionale zorgverlener."),
    ("regional_capacity", "Regionaal extra capaciteit vrijmaken/creëren."),
    ("supraregional_capacity", "Bovenregionale capaciteit inzetten."),
    (
        "cooperation",
        "Samenwerking tussen meerdere zorg-/hulpverleners (inclusief sociaal domein) bevorderen.",
    ),
    ("special_funding", "Extra/bijzondere financiering beschikbaar krijgen."),
    ("not_applicable", "Niet van toepassing."),
    ("other", "Anders, namelijk."),
)

OBSTACLES: Options = (
    ("unclear_care", "Onvoldoende duidelijkheid over welke zorg voor de patiënt passend is."),
    (
        "not_in_view",
        "Niet gelukt patiënt in beeld te brengen bij de juiste regionale zorgverlener.",
    ),
    ("no_regional_capacity", "Niet gelukt regionaal extra capaciteit vrij te maken/te creëren."),
    ("no_supraregional_capacity", "Niet gelukt bovenregionale capaciteit in te zetten."),
    (
        "no_cooperation",
        "Niet gelukt de samenwerking tussen meerdere zorg-/hulpverleners (inclusief sociaal "
        "domein) te bevorderen.",
    ),
    ("no_funding", "Niet gelukt extra/bijzondere financiering beschikbaar te krijgen."),
    (
        "not_admitted_after_triage",
        "N.v.t.; na triage van aanmelding besloten om de casus niet ter tafel te bespreken.",
    ),
    ("other", "Anders, namelijk."),
)

EXTERNAL_EXPERTISE: Options = (
    (
        "clarify",
        "Ja, bij het krijgen van duidelijkheid over welke zorg voor de patiënt passend is.",
    ),
    (
        "bring_into_view",
        "Ja, bij het in beeld brengen van de patiënt bij de juiste regionale zorgverlener.",
    ),
    ("regional_capacity", "Ja, bij het vrijmaken/creëren van regionaal extra capaciteit."),
    ("supraregional_capacity", "Ja, bij het inzetten van bovenregionale capaciteit."),
    (
        "cooperation",
        "Ja, bij het bevorderen van samenwerking tussen meerdere zorg-/hulpverleners "
        "(inclusief sociaal domein).",
    ),
    ("funding", "Ja, bij het beschikbaar krijgen van extra/bijzondere financiering."),
    (
        "cce_no_added_value",
        "Nee, het CCE is betrokken bij deze patiënt, maar dit bood geen meerwaarde.",
    ),
    ("cce_not_involved", "Nee, het CCE is niet betrokken bij deze patiënt."),
    ("other", "Anders, namelijk."),
)

PATIENT_AGREED: Options = (
    ("yes", "Ja."),
    ("no", "Nee."),
    ("partly", "Gedeeltelijk."),
    ("unknown", "Onbekend."),
    ("other", "Anders, namelijk."),
)

PATIENT_INVOLVED: Options = (
    ("patient_and_relatives", "Ja, de patiënt en diens naaste(n)."),
    ("patient", "Ja, de patiënt."),
    ("relatives", "Ja, de naaste(n) van de patiënt."),
    (
        "offered_declined",
        "Nee, dit is aangeboden, maar geen gebruik van gemaakt door de patiënt en/of diens "
        "naaste(n).",
    ),
    ("not_offered", "Nee, dit is niet aangeboden."),
)

SHORTAGES: Options = (
    ("sheltered_housing", "Beschermde woonvormen voor ggz-patiënten met complexe casuïstiek."),
    ("secure_forensic", "Beveiligde forensische zorg."),
    ("top_referral_trauma", "Topreferente traumazorg."),
    (
        "eating_disorder_asd_pd",
        "Zorg voor mensen met een eetstoornis in combinatie met autisme en/of een "
        "persoonlijkheidsstoornis.",
    ),
    ("somatoform", "Zorg voor mensen met een somatoforme stoornis."),
    ("other", "Anders, namelijk."),
)

REFERRER_TYPES: Options = (
    ("coordinating_institution", "Coördinerende ggz-instelling"),
    ("other_ggz_institution", "Andere ggz-instellingen"),
    ("care_mediation", "Zorgbemiddeling/UCZ"),
    ("addiction_or_chain_partner", "Verslavingszorg/andere ketenpartners"),
    ("gp", "Huisartsen"),
)


@dataclass(frozen=True)
class Question:
    """One monitor question. `options` is empty for an open question."""

    number: int | None  # None: added by issue 5 (shortages, referrer type), not in Bijlage 2
    key: str
    text: str
    options: Options = ()
    multiple: bool = False

    @property
    def is_open(self) -> bool:
        return not self.options

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.options)

    def label(self, code: str) -> str:
        return dict(self.options).get(code, code)


QUESTIONS: tuple[Question, ...] = (
    Question(1, "age_cluster", "In welk leeftijdscluster valt de patiënt?", AGE_CLUSTER),
    Question(
        2,
        "dsm_groups",
        "Van welke psychiatrische aandoening(en) is sprake bij de patiënt? (Antwoordopties "
        "geclusterd naar DSM-5-hoofdgroep, meerdere antwoorden mogelijk.)",
        DSM_GROUPS,
        multiple=True,
    ),
    Question(
        3,
        "multi_diagnosis_note",
        "Zijn er DSM-5-hoofdgroepen waarbinnen de patiënt meerdere diagnoses heeft? Zo ja, "
        "welke? (Open vraag.)",
    ),
    Question(
        4,
        "goal_types",
        "Welk type behandeldoelen heeft de patiënt? (Meerdere antwoorden mogelijk.)",
        GOAL_TYPES,
        multiple=True,
    ),
    Question(
        5,
        "systemic_problems",
        "Zijn er systemische problemen/problemen op andere levensdomeinen? (Meerdere "
        "antwoorden mogelijk.)",
        SYSTEMIC_PROBLEMS,
        multiple=True,
    ),
    Question(
        6,
        "danger",
        "Is er sprake van dreiging van ernstig gevaar voor lichamelijke schade en/of "
        "overlijden? (Meerdere antwoorden mogelijk)",
        DANGER,
        multiple=True,
    ),
    Question(
        7, "in_treatment", "Is de patiënt momenteel onder behandeling in de ggz?", IN_TREATMENT
    ),
    Question(
        8,
        "treatment_duration",
        "Ongeacht of de patiënt momenteel onder behandeling is: hoe lang is de patiënt (al) "
        "onder behandeling (geweest) in de ggz?",
        TREATMENT_DURATION,
    ),
    Question(
        9,
        "stuck_reasons",
        "Welke van onderstaande factoren maakt/maken dat het de verwijzer (nog) niet eerder "
        "gelukt is om passende zorg voor de patiënt te organiseren? (Meerdere antwoorden "
        "mogelijk)",
        STUCK_REASONS,
        multiple=True,
    ),
    Question(
        10,
        "exceptional_note",
        "Wat maakt de gevraagde passende zorg uitzonderlijk? NB Neem hier geen informatie bij "
        "op die tot de patiënt te herleiden is. (Open vraag.)",
    ),
    Question(
        11,
        "outcome",
        "Is het de casuïstiektafel gelukt om de patiënt naar passende zorg toe te leiden?",
        OUTCOMES,
    ),
    Question(
        12,
        "helped_by",
        "Zo ja, welke oplossing(en) heeft / hebben hieraan bijgedragen? (Meerdere antwoorden "
        "mogelijk.)",
        HELPED_BY,
        multiple=True,
    ),
    Question(
        13,
        "obstacles",
        "Zo nee, wat heeft hierbij in de weg gestaan? (Meerdere antwoorden mogelijk.)",
        OBSTACLES,
        multiple=True,
    ),
    Question(
        14,
        "external_expertise",
        "Heeft externe expertise, zoals het CCE, een rol gespeeld in het vinden van passende "
        "zorg voor de patiënt? (Meerdere antwoorden mogelijk.)",
        EXTERNAL_EXPERTISE,
        multiple=True,
    ),
    Question(
        15,
        "patient_agreed",
        "Heeft de patiënt en/of waar relevant diens naaste(n) of vertegenwoordiger ingestemd "
        "met de voorgestelde oplossing?",
        PATIENT_AGREED,
    ),
    Question(
        16,
        "patient_involved",
        "Is de patiënt en/of diens naaste(n) of vertegenwoordiger direct betrokken geweest bij "
        "het proces?",
        PATIENT_INVOLVED,
    ),
    Question(
        None,
        "shortages",
        "Welke tekorten in het aanbod laat deze casus zien? (Meerdere antwoorden mogelijk.)",
        SHORTAGES,
        multiple=True,
    ),
    Question(None, "referrer_type", "Wie heeft de patiënt aangemeld?", REFERRER_TYPES),
)

QUESTION_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}

# The import/export columns, in the order of issue 5.
CSV_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "registration_date",
    "table",
    "referrer_type",
    "age_cluster",
    "dsm_groups",
    "multi_diagnosis_note",
    "goal_types",
    "systemic_problems",
    "danger",
    "in_treatment",
    "treatment_duration",
    "stuck_reasons",
    "exceptional_note",
    "outcome",
    "helped_by",
    "obstacles",
    "external_expertise",
    "patient_agreed",
    "patient_involved",
    "shortages",
)

MULTI_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.multiple)
SINGLE_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.options and not q.multiple)
OPEN_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.is_open)

# Outcomes that close a case (everything but ongoing and under investigation).
CLOSED_OUTCOMES: frozenset[str] = frozenset({"new_offer", "no_offer", "not_suitable", "withdrawn"})


def q11_answer(outcome: str) -> str:
    """The seed's three-way Q11 answer for a stored outcome code."""
    if outcome == "new_offer":
        return "yes"
    if outcome in {"ongoing", "under_investigation", ""}:
        return "not_yet"
    return "no"


def codes_of(options: Options) -> tuple[str, ...]:
    return tuple(code for code, _ in options)


def label_of(options: Options, code: str) -> str:
    return dict(options).get(code, code)
