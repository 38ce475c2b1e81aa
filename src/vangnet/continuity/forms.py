"""Forms for continuity of care (parse only: the services validate and answer in Dutch)."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.cases.forms import DATE
from vangnet.cases.organisation_field import OrganisationField, QuickOrganisationsMixin
from vangnet.common.forms import PlausibleDateField
from vangnet.directory.models import Organisation, OrganisationType

from .models import Audience, DoseUnit, HandoverKind, LetterEvent
from .services import CardContact

CARD_CONTACT_ROWS = 3
TEXT = forms.Textarea(attrs={"rows": 2})


class GpForm(QuickOrganisationsMixin, forms.Form):
    practice = OrganisationField(
        label="Huisartsenpraktijk van de cliënt",
        queryset=Organisation.objects.filter(organisation_type=OrganisationType.GP_PRACTICE),
    )
    gp_name = forms.CharField(
        label="Naam van de huisarts (optioneel)", max_length=200, required=False
    )


class CrisisCardForm(forms.Form):
    early_signs = forms.CharField(
        label="Vroege signalen (waaraan merken de cliënt en naasten dat het slechter gaat)",
        widget=TEXT,
        max_length=5000,
    )
    what_helps = forms.CharField(
        label="Wat helpt dan (wat kan de cliënt zelf, wat doen naasten en hulpverleners)",
        widget=TEXT,
        max_length=5000,
    )
    client_words = forms.CharField(
        label="In de woorden van de cliënt", widget=TEXT, max_length=5000, required=False
    )
    review_on = PlausibleDateField(label="Herzien uiterlijk", widget=DATE)
    share_with_gp = forms.BooleanField(
        label="Delen met de huisarts (alleen met toestemming van de cliënt)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, CARD_CONTACT_ROWS + 1):
            self.fields[f"contact_{n}_who"] = forms.CharField(
                label=f"Bellen {n}: wie", max_length=200, required=False
            )
            self.fields[f"contact_{n}_phone"] = forms.CharField(
                label=f"Bellen {n}: telefoon", max_length=30, required=False
            )
            self.fields[f"contact_{n}_hours"] = forms.CharField(
                label=f"Bellen {n}: bereikbaar (bijv. ma–vr 9–17 uur, dag en nacht)",
                max_length=200,
                required=False,
            )


def card_contacts(d: dict[str, Any]) -> list[CardContact]:
    """The rows of 'who to call' of a cleaned crisis card form."""
    return [
        CardContact(d[f"contact_{n}_who"], d[f"contact_{n}_phone"], d[f"contact_{n}_hours"])
        for n in range(1, CARD_CONTACT_ROWS + 1)
    ]


class MedicationOverviewForm(forms.Form):
    somatic_screening_by = forms.CharField(
        label="Verantwoordelijk voor de somatische screening", max_length=200
    )
    pharmaceutical_care_by = forms.CharField(
        label="Verantwoordelijk voor de farmaceutische zorg", max_length=200
    )
    review_on = PlausibleDateField(label="Overzicht herzien uiterlijk", widget=DATE)


class MedicationLineForm(forms.Form):
    medicine = forms.CharField(label="Medicijn", max_length=200)
    dose_amount = forms.DecimalField(label="Dosis per keer", localize=True)
    dose_unit = forms.ChoiceField(label="Eenheid", choices=DoseUnit.choices)
    frequency = forms.CharField(label="Hoe vaak (bijv. 2x per dag)", max_length=100)
    prescriber = forms.CharField(label="Voorschrijver", max_length=200)
    since = PlausibleDateField(label="Gebruikt sinds", widget=DATE)
    checked_on = PlausibleDateField(label="Gecontroleerd op", widget=DATE)


class MedicationStopForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    stopped_on = PlausibleDateField(label="Gestopt op", widget=DATE)
    reason = forms.CharField(label="Reden", max_length=300)


class ContactPersonForm(forms.Form):
    audience = forms.ChoiceField(label="Contactpersoon voor", choices=Audience.choices)
    name = forms.CharField(label="Naam", max_length=200)
    organisation = forms.CharField(label="Organisatie en functie", max_length=200)
    phone = forms.CharField(label="Telefoon", max_length=30)
    reachable = forms.CharField(label="Bereikbaar (dagen en uren)", max_length=200)
    until = forms.CharField(
        label="Tot welke stap (bijv. tot de intake bij de nieuwe behandelaar)", max_length=300
    )


class HandoverForm(QuickOrganisationsMixin, forms.Form):
    kind = forms.ChoiceField(label="Soort overdracht", choices=HandoverKind.choices)
    handed_over_by = forms.CharField(
        label="Overgedragen door (naam en organisatie)", max_length=200
    )
    taken_over_by = forms.CharField(label="Overgenomen door (naam en functie)", max_length=200)
    taken_over_organisation = OrganisationField(label="Organisatie die overneemt", required=False)
    spoke_on = PlausibleDateField(label="Gesproken op", widget=DATE)
    agreed_aftercare = forms.CharField(
        label="Afspraken over hulp daarna (wie doet wat, bij wie kan de cliënt terecht)",
        widget=TEXT,
        max_length=5000,
    )


class GpLetterForm(forms.Form):
    event = forms.ChoiceField(label="Brief over", choices=LetterEvent.choices)
