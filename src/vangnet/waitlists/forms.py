"""Forms of the waiting-list pages (labels and messages in Dutch)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from vangnet.accounts.models import Membership
from vangnet.common.forms import PlausibleDateField
from vangnet.directory.models import Organisation

from .importers import FileProblem, parse_period
from .models import DiagnosisGroup

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class MembershipChoiceField(forms.ModelChoiceField):
    """Shows a data officer's membership as the organisation it acts for."""

    def label_from_instance(self, obj: Membership) -> str:
        return str(obj.organisation)


class UploadForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=Membership.objects.none(), label="Organisatie", empty_label=None
    )
    period = forms.CharField(
        label="Rapportagemaand",
        help_text="De maand waarover u levert (JJJJ-MM). Een nieuwe levering voor dezelfde maand "
        "vervangt de vorige.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2024-03"}),
    )
    file = forms.FileField(
        label="Bestand (CSV of Parquet)",
        help_text="Kolommen: person_pseudonym, provider_agb, municipality_code, diagnosis_group, "
        "registration_date, intake_date, treatment_start_date, exit_date, preferred_provider. "
        "Pseudonimiseer eerst; een BSN wordt geweigerd.",
    )
    problems_csv = forms.BooleanField(
        label="Bij fouten: download de volledige foutenlijst als CSV",
        required=False,
        help_text="Op de pagina ziet u de eerste 500 fouten; de CSV bevat ze allemaal.",
    )

    def __init__(self, *args: Any, memberships: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, MembershipChoiceField)
        field.queryset = memberships

    def clean_period(self) -> date:
        try:
            return parse_period(self.cleaned_data["period"])
        except FileProblem as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Het bestand is groter dan 50 MB; lever per aanbieder aan.")
        return upload


class PauseForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Aanbieder")
    diagnosis_group = forms.ModelChoiceField(
        queryset=DiagnosisGroup.objects.all(), label="Diagnosegroep"
    )
    starts_on = PlausibleDateField(
        label="Ingangsdatum", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    planned_end_on = PlausibleDateField(
        label="Geplande einddatum",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Reden",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Bijvoorbeeld: de mediane wachttijd tot intake ligt al drie maanden boven de "
        "Treeknorm. Geen gegevens over personen.",
    )

    def __init__(self, *args: Any, providers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers


class EndPauseForm(forms.Form):
    ended_on = PlausibleDateField(
        label="Beëindigen per", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
