"""Writes for continuity of care, one module per part:

- `gp`: the patient's GP practice, and the letters to the GP (by hand and after a case step);
- `crisis_card`: the crisis card, a new version per change;
- `medication`: the medication overview and its lines;
- `contacts`: the contact persons and warm handovers (both append-only);
- `common`: the states each part may be recorded in, and the text check they share.

Each validates, runs in one transaction and records the step in the case history; a refused GP
letter is logged in the access log.
"""

from .common import GP_STATES, HANDOVER_STATES, PLAN_STATES
from .contacts import contact_person_set, handover_record
from .crisis_card import MAX_CARD_CONTACTS, CardContact, crisis_card_save
from .gp import (
    NO_CONSENT,
    STEP_EVENTS,
    gp_letter_create,
    gp_letter_on_step,
    gp_set,
    letter_contents,
)
from .medication import medication_add, medication_overview_save, medication_stop

__all__ = [
    "GP_STATES",
    "HANDOVER_STATES",
    "MAX_CARD_CONTACTS",
    "NO_CONSENT",
    "PLAN_STATES",
    "STEP_EVENTS",
    "CardContact",
    "contact_person_set",
    "crisis_card_save",
    "gp_letter_create",
    "gp_letter_on_step",
    "gp_set",
    "handover_record",
    "letter_contents",
    "medication_add",
    "medication_overview_save",
    "medication_stop",
]
