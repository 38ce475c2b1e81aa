"""Forms for preparation, meetings, the plan, follow-up, escalation and closure (parse only)."""

from __future__ import annotations

from django import forms

from vangnet.common.forms import BoundedFileField, PlausibleDateField, PlausibleDateTimeField
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.monitor import codes

from .models import ConsentBy, EscalationLevel, Financing, LifeDomain, Meeting, Participant

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Closing an admitted case: every outcome of seed 001 figure 1 except "ongoing" and the triage
# outcome "not suitable".
CLOSE_OUTCOMES = [(c, label) for c, label in codes.OUTCOMES if c not in {"ongoing", "not_suitable"}]


def organisations() -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(queryset=Organisation.objects.all(), label="Organisatie")


class TimelineForm(forms.Form):
    date = PlausibleDateField(label="Datum", widget=DATE)
    organisation_name = forms.CharField(label="Organisatie", max_length=200)
    description = forms.CharField(
        label="Wat gebeurde er", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class PartyForm(forms.Form):
    organisation = organisations()
    role = forms.CharField(label="Rol in de casus", max_length=200)
    contact_name = forms.CharField(label="Contactpersoon", max_length=200, required=False)
    contact_email = forms.EmailField(label="E-mail contactpersoon", required=False)
    has_mandate = forms.BooleanField(label="Heeft mandaat", required=False)
    already_did = forms.CharField(
        label="Wat deze partij al deed",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class ConsentForm(forms.Form):
    organisation = organisations()
    given_by = forms.ChoiceField(label="Toestemming gegeven door", choices=ConsentBy.choices)
    valid_from = PlausibleDateField(label="Geldig vanaf", widget=DATE)
    valid_until = PlausibleDateField(
        label="Geldig tot en met (optioneel)", widget=DATE, required=False
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Vraag voor de bespreking", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class DocumentForm(forms.Form):
    file = BoundedFileField(
        label="Document (pdf, docx, odt, txt, png, jpg; max. 10 MB)", max_bytes=10 * 1024 * 1024
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Soort", choices=Meeting.Kind.choices)
    starts_at = PlausibleDateTimeField(
        label="Begint", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = PlausibleDateTimeField(
        label="Eindigt", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    location = forms.CharField(label="Plaats", max_length=200, required=False)
    video_link = forms.URLField(label="Videolink", required=False, assume_scheme="https")
    chair_type = forms.ChoiceField(label="Voorzitterschap", choices=Meeting.Chair.choices)
    chair_name = forms.CharField(label="Voorzitter", max_length=200, required=False)
    cases = forms.CharField(
        label="Casussen (referenties, gescheiden door komma's)", required=False, max_length=500
    )


class AgendaForm(forms.Form):
    reference = forms.CharField(label="Casusreferentie", max_length=20)


class ParticipantForm(forms.Form):
    kind = forms.ChoiceField(label="Soort deelnemer", choices=Participant.Kind.choices)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label="Organisatie", required=False
    )
    person_name = forms.CharField(label="Naam", max_length=200)
    has_mandate = forms.BooleanField(label="Heeft mandaat", required=False)


class MinutesForm(forms.Form):
    discussed = forms.CharField(label="Wat is besproken", widget=forms.Textarea, max_length=5000)
    decisions = forms.CharField(label="Besluiten", widget=forms.Textarea, max_length=5000)
    task_description = forms.CharField(label="Actie: wat", required=False, max_length=5000)
    task_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label="Actie: wie (organisatie)", required=False
    )
    task_due_on = PlausibleDateField(label="Actie: uiterlijk", widget=DATE, required=False)


class PlanForm(forms.Form):
    regiebehandelaar = forms.CharField(
        label="Regiebehandelaar / casusregisseur", max_length=200, required=False
    )
    regiebehandelaar_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label="Organisatie regiebehandelaar", required=False
    )
    procesregie = forms.CharField(label="Wie houdt procesregie", max_length=200, required=False)
    handover_from = forms.CharField(label="Warme overdracht van", max_length=200, required=False)
    handover_to = forms.CharField(label="Warme overdracht naar", max_length=200, required=False)
    handover_on = PlausibleDateField(label="Datum warme overdracht", widget=DATE, required=False)
    takeover_goals = forms.CharField(
        label="Tijdelijke overname: doelen",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    takeover_return_condition = forms.CharField(
        label="Tijdelijke overname: terugkeervoorwaarde",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    if_placement_fails = forms.CharField(
        label="Wat als de plaatsing mislukt",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    case_director = forms.CharField(
        label="Casusregisseur in Vangnet (gebruikersnaam, optioneel)",
        max_length=150,
        required=False,
    )


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label="Levensdomein", choices=LifeDomain.choices)
    description = forms.CharField(
        label="Doel", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label="Verantwoordelijke organisatie", required=False
    )
    contact = forms.CharField(label="Contactpersoon", max_length=200, required=False)
    financing = forms.ChoiceField(label="Financiering", choices=Financing.choices)


class GoalResponseForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.ChoiceField(
        choices=[("accept", "Accepteren"), ("decline", "Weigeren")],
        widget=forms.RadioSelect,
        label="Reactie",
    )
    note = forms.CharField(
        label="Toelichting (verplicht bij weigeren)", required=False, max_length=5000
    )


class FinancingRequestForm(forms.Form):
    insurer = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(organisation_type=OrganisationType.INSURER),
        label="Zorgverzekeraar",
    )


class PhaseForm(forms.Form):
    months = forms.IntegerField(
        label="Duur van de fase (maanden)", min_value=3, max_value=6, initial=3
    )
    focus = forms.CharField(label="Focus", required=False, max_length=5000)


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reden (bijv. elders opgenomen, toestemming wordt vernieuwd)", max_length=5000
    )
    starts_on = PlausibleDateField(label="Vanaf", widget=DATE)
    planned_end = PlausibleDateField(label="Gepland einde (optioneel)", widget=DATE, required=False)


class EscalateForm(forms.Form):
    to_level = forms.TypedChoiceField(
        label="Naar niveau", choices=EscalationLevel.choices, coerce=int
    )
    reason = forms.CharField(
        label="Waarom (tempo en voortgang, niet de inhoud van zorg)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    result = forms.CharField(label="Resultaat (kan later)", required=False, max_length=5000)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Uitkomst", choices=CLOSE_OUTCOMES, widget=forms.RadioSelect)
    offer_accepted = forms.TypedChoiceField(
        label="Heeft de patiënt het aanbod aanvaard?",
        choices=[("", "—"), ("yes", "Ja"), ("no", "Nee")],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    helped_by = forms.MultipleChoiceField(
        label="Wat hielp", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    obstacles = forms.MultipleChoiceField(
        label="Wat stond in de weg", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    shortages = forms.MultipleChoiceField(
        label="Tekorten", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(
        label="Toelichting",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helped_by"].choices = list(codes.HELPED_BY)  # type: ignore[attr-defined]
        self.fields["obstacles"].choices = list(codes.OBSTACLES)  # type: ignore[attr-defined]
        self.fields["shortages"].choices = list(codes.SHORTAGES)  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reden", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
