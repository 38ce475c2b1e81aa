"""Forms for meetings: schedule, agenda, participants and minutes (parse only).

Cases are chosen from a list of the table's cases that can be discussed, never typed as
references; minutes take any number of actions (a few empty rows each time they are edited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from vangnet.cases.forms import DATE, DATETIME
from vangnet.cases.models import Case
from vangnet.cases.organisation_field import OrganisationField
from vangnet.common.forms import PlausibleDateField, PlausibleDateTimeField
from vangnet.directory.models import Organisation
from vangnet.meetings.models import Meeting, Participant


class CaseChoice(forms.ModelChoiceField):
    """A case by reference and state: what a coordinator recognises, without the patient's name
    (the list can be on a shared screen during the meeting)."""

    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.reference} – {obj.get_state_display()}"


class CaseMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.reference} – {obj.get_state_display()}"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Soort", choices=Meeting.Kind.choices)
    recorded_afterwards = forms.BooleanField(
        label="Achteraf vastleggen: de bespreking heeft al plaatsgevonden",
        required=False,
        help_text="Voor een bespreking die telefonisch of buiten Vangnet is gehouden; het begin ligt dan in het verleden.",
    )
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
    cases = CaseMultipleChoice(
        label="Casussen op de agenda",
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Casussen van uw tafel die besproken kunnen worden (toegelaten, plan of nazorg).",
    )

    def __init__(self, *args: Any, candidates: QuerySet[Case] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["cases"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates if candidates is not None else Case.objects.none()


class AgendaForm(forms.Form):
    case = CaseChoice(label="Casus", queryset=Case.objects.none(), empty_label="Kies een casus")

    def __init__(self, *args: Any, candidates: QuerySet[Case] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates if candidates is not None else Case.objects.none()


class ParticipantForm(forms.Form):
    kind = forms.ChoiceField(label="Soort deelnemer", choices=Participant.Kind.choices)
    organisation = OrganisationField(label="Organisatie", required=False)
    person_name = forms.CharField(label="Naam", max_length=200)
    has_mandate = forms.BooleanField(label="Heeft mandaat", required=False)


ACTION_ROWS = 3  # empty action rows per edit; saving and editing again gives three more


class MinutesForm(forms.Form):
    """What was discussed, the decisions, and up to ACTION_ROWS new actions per save."""

    discussed = forms.CharField(label="Wat is besproken", widget=forms.Textarea, max_length=5000)
    decisions = forms.CharField(label="Besluiten", widget=forms.Textarea, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"task_description_{i}"] = forms.CharField(
                label=f"Actie {i}: wat", required=False, max_length=5000
            )
            self.fields[f"task_organisation_{i}"] = OrganisationField(
                label=f"Actie {i}: wie (organisatie)", required=False
            )
            self.fields[f"task_due_on_{i}"] = PlausibleDateField(
                label=f"Actie {i}: uiterlijk", widget=DATE, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tasks: list[tuple[str, Organisation, Any]] = []
        for i in range(1, ACTION_ROWS + 1):
            text = (data.get(f"task_description_{i}") or "").strip()
            org = data.get(f"task_organisation_{i}")
            due = data.get(f"task_due_on_{i}")
            if not text and (org or due):
                self.add_error(f"task_description_{i}", "Beschrijf wat er moet gebeuren.")
            if text and org is None and f"task_organisation_{i}" not in self.errors:
                self.add_error(f"task_organisation_{i}", "Kies wie de actie uitvoert.")
            if text and due is None and f"task_due_on_{i}" not in self.errors:
                self.add_error(f"task_due_on_{i}", "Vul in wanneer de actie klaar moet zijn.")
            if text and org is not None and due is not None:
                tasks.append((text, org, due))
        data["tasks"] = tasks
        return data
