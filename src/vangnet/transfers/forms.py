"""Forms of the transfer desk pages (labels and messages in Dutch). They only parse; the rules are
in the services, whose DomainErrors the views put on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from vangnet.common.forms import BoundedFileField, PlausibleDateField
from vangnet.directory.models import Location, Organisation, OrganisationType
from vangnet.regions.models import Municipality
from vangnet.waitlists.models import DiagnosisGroup

from .models import Capacity, FinancingRegime, Urgency

MAX_CSV_BYTES = 5 * 1024 * 1024


def _date(label: str, **kw: Any) -> PlausibleDateField:
    return PlausibleDateField(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), **kw
    )


class GroupChoice(forms.ModelChoiceField):
    def __init__(self, **kw: Any) -> None:
        super().__init__(
            queryset=DiagnosisGroup.objects.all(), to_field_name="code", label="Diagnosegroep", **kw
        )


class CapacityForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="Locatie")
    diagnosis_group = GroupChoice()
    week = _date("Week (maandag)")
    free_slots = forms.IntegerField(label="Vrije intakeplekken in die week")
    expected_wait_weeks = forms.IntegerField(
        label="Verwachte wachttijd tot intake (weken)",
        help_text="Voor een nieuwe cliënt die nu wordt aangemeld.",
    )
    valid_until = _date("Geldig tot en met")

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = locations


class CapacityUploadForm(forms.Form):
    file = BoundedFileField(
        label="Bestand (CSV, UTF-8)",
        max_bytes=MAX_CSV_BYTES,
        help_text="Kolommen: location_id, diagnosis_group, week, free_slots, "
        "expected_wait_weeks, valid_until. Alles of niets: een bestand met een fout wordt "
        "helemaal niet opgeslagen.",
    )


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class CandidateForm(forms.Form):
    consent = forms.BooleanField(
        label="De cliënt gaf toestemming om deze gegevens met de transfertafel te delen",
        required=False,
    )
    consent_given_on = _date("Toestemming gegeven op", required=False)
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(), to_field_name="code", label="Woonplaats (gemeente)"
    )
    diagnosis_group = GroupChoice()
    financing = forms.ChoiceField(choices=FinancingRegime.choices, label="Financiering")
    urgency = forms.ChoiceField(choices=Urgency.choices, label="Urgentie")
    waiting_for = forms.CharField(
        max_length=200, label="Wacht op", help_text="Bijvoorbeeld: intake gespecialiseerde ggz."
    )
    waiting_since = _date("Wacht sinds")
    expected_home_wait_weeks = forms.IntegerField(
        label="Verwachte resterende wachttijd bij de huidige aanbieder (weken)", initial=12
    )
    birth_date = _date("Geboortedatum")
    current_provider = OrganisationChoice(
        queryset=Organisation.objects.exclude(agb_code="").order_by("name"),
        label="Aanbieder waar de cliënt wacht",
        required=False,
        help_text="Leeg: uw eigen organisatie (als u bij een aanbieder werkt).",
    )
    provider_reference = forms.CharField(
        max_length=40, required=False, label="Eigen kenmerk van de aanbieder"
    )
    insurer = OrganisationChoice(
        queryset=Organisation.objects.filter(organisation_type=OrganisationType.INSURER).order_by(
            "name"
        ),
        label="Zorgverzekeraar",
        required=False,
    )
    travel_radius_km = forms.IntegerField(label="Reisafstand (km)", initial=35)
    ehealth_ok = forms.BooleanField(label="E-health is goed", required=False)
    neighbouring_regions_ok = forms.BooleanField(label="Ook in buurregio's", required=False)
    refused_providers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.exclude(agb_code="").order_by("name"),
        required=False,
        label="Aanbieders die de cliënt niet wil",
    )
    preferred_provider = OrganisationChoice(
        queryset=Organisation.objects.exclude(agb_code="").order_by("name"),
        required=False,
        label="Voorkeursaanbieder",
    )
    contact_name = forms.CharField(
        max_length=120, required=False, label="Contactpersoon tot de intake"
    )
    contact_phone = forms.CharField(max_length=30, required=False, label="Telefoon contactpersoon")


class ScreeningForm(forms.Form):
    suitable = forms.TypedChoiceField(
        choices=[("ja", "Geschikt voor transfer"), ("nee", "Niet geschikt")],
        coerce=lambda v: v == "ja",
        widget=forms.RadioSelect,
        label="Oordeel",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Toelichting",
        help_text="Verplicht bij 'niet geschikt'.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Toelichting",
    )


class AnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(
        choices=[("ja", "Accepteert het aanbod"), ("nee", "Wijst het aanbod af")],
        coerce=lambda v: v == "ja",
        widget=forms.RadioSelect,
        label="Antwoord van de cliënt",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Reden (bij afwijzen)",
    )


class ContactForm(forms.Form):
    spoke_with = forms.CharField(max_length=200, label="Gesproken met")
    spoke_on = _date("Gesproken op")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False, label="Afspraken"
    )


class IntakeForm(forms.Form):
    intake_date = _date("Intakedatum")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reden"
    )


class CapacityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Capacity) -> str:
        return (
            f"{obj.location} – {obj.expected_wait_weeks} wk wachttijd, week van "
            f"{obj.week.strftime('%d-%m-%Y')}"
        )


class ChangeLineForm(forms.Form):
    capacity = CapacityChoice(queryset=Capacity.objects.none(), label="Andere locatie")

    def __init__(self, *args: Any, options: list[Capacity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["capacity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Capacity.objects.filter(pk__in=[o.pk for o in options]).select_related(
            "location__organisation"
        )
