"""Forms for meetings: schedule, agenda, participants and minutes (parse only)."""

from __future__ import annotations

from django import forms

from vangnet.cases.forms import DATE, DATETIME
from vangnet.cases.organisation_field import OrganisationField
from vangnet.common.forms import PlausibleDateField, PlausibleDateTimeField
from vangnet.meetings.models import Meeting, Participant


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
    organisation = OrganisationField(label="Organisatie", required=False)
    person_name = forms.CharField(label="Naam", max_length=200)
    has_mandate = forms.BooleanField(label="Heeft mandaat", required=False)


class MinutesForm(forms.Form):
    discussed = forms.CharField(label="Wat is besproken", widget=forms.Textarea, max_length=5000)
    decisions = forms.CharField(label="Besluiten", widget=forms.Textarea, max_length=5000)
    task_description = forms.CharField(label="Actie: wat", required=False, max_length=5000)
    task_organisation = OrganisationField(label="Actie: wie (organisatie)", required=False)
    task_due_on = PlausibleDateField(label="Actie: uiterlijk", widget=DATE, required=False)
