"""Forms of the routing pages. They only parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from vangnet.cases.forms import InsurerChoiceField
from vangnet.cases.models import ReferrerType, Urgency
from vangnet.cases.organisation_field import OrganisationField
from vangnet.common.forms import PlausibleDateField
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Criterion, Municipality, Table

from .models import AskerKind, QuestionConsent, SignalRelation

INSURER_ERRORS = {
    "required": "Kies de zorgverzekeraar van de patiënt uit de lijst.",
    "invalid_choice": "Kies de zorgverzekeraar van de patiënt uit de lijst.",
}


def _insurers() -> QuerySet[Organisation]:
    return Organisation.objects.filter(organisation_type=OrganisationType.INSURER)


def _municipality_choices() -> list[tuple[str, str]]:
    return [("", "— kies —"), *Municipality.objects.order_by("name").values_list("code", "name")]


class QuestionForm(forms.Form):
    asker_kind = forms.ChoiceField(
        label="Wie stelt de vraag?", choices=[("", "— kies —"), *AskerKind.choices]
    )
    patient_name = forms.CharField(label="Naam patiënt", max_length=200)
    patient_birth_date = PlausibleDateField(
        label="Geboortedatum", widget=forms.DateInput(attrs={"type": "date"})
    )
    patient_municipality = forms.ChoiceField(label="Woongemeente", choices=())
    insurer = InsurerChoiceField(
        queryset=_insurers(),
        label="Zorgverzekeraar van de patiënt",
        empty_label="— kies —",
        error_messages=INSURER_ERRORS,
    )
    question = forms.CharField(
        label="De vraag (wat is nodig, wat loopt vast)", widget=forms.Textarea, max_length=5000
    )
    contact = forms.CharField(
        label="Hoe bereiken wij de vraagsteller (optioneel)",
        max_length=200,
        required=False,
        help_text="Telefoon of e-mail; alleen wat nodig is.",
    )
    consent_by = forms.ChoiceField(
        label="Toestemming om de vraag door te geven, gegeven door",
        choices=[("", "— kies —"), *QuestionConsent.choices],
        error_messages={
            "required": "Zonder toestemming van de patiënt of een vertegenwoordiger kan de vraag niet worden vastgelegd of doorgegeven."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient_municipality"].choices = _municipality_choices()  # type: ignore[attr-defined]


class HandOverForm(forms.Form):
    insurer = InsurerChoiceField(
        queryset=_insurers(),
        label="Overdragen aan de zorgbemiddeling van",
        empty_label="— kies —",
        error_messages=INSURER_ERRORS,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reden", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AttemptForm(forms.Form):
    provider = OrganisationField(label="Aanbieder (uit de sociale kaart)")
    tried_on = PlausibleDateField(label="Datum", widget=forms.DateInput(attrs={"type": "date"}))
    what = forms.CharField(
        label="Wat heeft u geprobeerd?", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    result = forms.CharField(
        label="Wat leverde het op?", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class SolveForm(forms.Form):
    outcome = forms.CharField(
        label="Uitkomst: welke zorg is gevonden?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    solved_with = OrganisationField(label="Bij welke aanbieder (optioneel)", required=False)


class TableRegistrationForm(forms.Form):
    stuck_description = forms.CharField(
        label="Wat loopt er vast, en waarom?", widget=forms.Textarea, max_length=5000
    )
    best_solution = forms.CharField(
        label="Wat is volgens u de beste oplossing?", widget=forms.Textarea, max_length=5000
    )
    timeline = forms.CharField(
        label="Tijdlijn van de zorg tot nu toe", widget=forms.Textarea, max_length=5000
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=Criterion.objects.all(),
        label="Welke criteria zijn volgens u van toepassing?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        to_field_name="number",
    )
    urgency = forms.ChoiceField(label="Urgentie", choices=Urgency.choices, initial=Urgency.REGULAR)


class PublicSignalForm(forms.Form):
    table = forms.ModelChoiceField(
        queryset=Table.objects.all(),
        label="Tafel van uw regio",
        empty_label="— kies —",
        to_field_name="number",
        error_messages={
            "required": "Kies de tafel van uw regio.",
            "invalid_choice": "Kies de tafel van uw regio.",
        },
    )
    relation = forms.ChoiceField(
        label="Wie bent u?", choices=[("", "— kies —"), *SignalRelation.choices]
    )
    message = forms.CharField(
        label="Wat is er aan de hand, en welke hulp lukt niet?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="Schrijf alleen wat nodig is. Een burgerservicenummer of medische stukken zijn niet nodig.",
    )
    contact = forms.CharField(
        label="Hoe kan de tafel u bereiken?",
        max_length=200,
        help_text="Een telefoonnummer of e-mailadres.",
    )


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label="Uw ontvangstcode", max_length=40, help_text="Bijvoorbeeld ABCD-EFGH-JKMN."
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Antwoord aan de melder",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="De melder leest dit met de ontvangstcode.",
    )


class SignalRegistrationForm(forms.Form):
    referrer_type = forms.ChoiceField(
        label="Professionele verwijzer",
        choices=ReferrerType.choices,
        initial=ReferrerType.COORDINATING_INSTITUTION,
    )
    patient_name = forms.CharField(label="Naam patiënt", max_length=200)
    patient_birth_date = PlausibleDateField(
        label="Geboortedatum", widget=forms.DateInput(attrs={"type": "date"})
    )
    patient_municipality = forms.ChoiceField(label="Woongemeente", choices=())
    insurer = InsurerChoiceField(
        queryset=_insurers(),
        label="Zorgverzekeraar",
        empty_label="— kies —",
        error_messages=INSURER_ERRORS,
    )
    consent_by = forms.ChoiceField(
        label="Toestemming voor aanmelding gegeven door",
        choices=[("", "— kies —"), *QuestionConsent.choices],
        error_messages={
            "required": "Zonder toestemming van de patiënt of een vertegenwoordiger kan de casus niet worden aangemeld."
        },
    )
    stuck_description = forms.CharField(
        label="Wat loopt er vast, en waarom?", widget=forms.Textarea, max_length=5000
    )
    best_solution = forms.CharField(
        label="Wat is volgens u de beste oplossing?", widget=forms.Textarea, max_length=5000
    )
    timeline = forms.CharField(
        label="Tijdlijn van de zorg tot nu toe", widget=forms.Textarea, max_length=5000
    )
    party_organisation = forms.CharField(label="Welke organisatie deed al iets", max_length=200)
    party_action = forms.CharField(
        label="Wat deed die organisatie", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    table_choice_reason = forms.CharField(
        label="Reden (als de woongemeente bij een andere tafel hoort)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient_municipality"].choices = _municipality_choices()  # type: ignore[attr-defined]
