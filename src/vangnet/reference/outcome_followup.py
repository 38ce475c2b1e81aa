"""The outcome follow-up after closure (issue 16 §3): 3 and 12 months after a case closed with a
new offer, the referrer is asked whether the patient still receives the care agreed, and if not,
why not. Seed 001 §2.1.1 names the blind spot: the tables cannot see whether patients were helped
in the longer term. Codes shared by the outcomes app (the question) and the monitor (the counts).
"""

from __future__ import annotations

MONTHS = (3, 12)

ANSWERS: tuple[tuple[str, str], ...] = (
    ("yes", "Ja, de afgesproken zorg loopt"),
    ("partly", "Gedeeltelijk: een deel van de afgesproken zorg loopt niet (meer)"),
    ("no", "Nee, de afgesproken zorg loopt niet (meer)"),
    ("unknown", "Weet ik niet: de patiënt is niet meer bij ons in beeld"),
)
# Answers that ask why not.
NOT_FULLY = ("partly", "no")

REASONS: tuple[tuple[str, str], ...] = (
    ("patient_stopped", "De patiënt is gestopt of wilde de zorg niet meer"),
    ("provider_stopped", "De aanbieder is gestopt of kon de zorg niet voortzetten"),
    ("no_capacity", "Geen plek of capaciteit: de patiënt wacht (weer)"),
    ("financing", "De financiering is gestopt of niet geregeld"),
    ("moved", "De patiënt is verhuisd of elders in zorg"),
    ("goals_reached", "Niet meer nodig: de doelen zijn bereikt"),
    ("other", "Anders"),
)


def codes(options: tuple[tuple[str, str], ...]) -> list[str]:
    return [code for code, _ in options]
