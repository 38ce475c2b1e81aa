"""Forms for follow-up phases, term suspension and escalation (parse only)."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.cases.forms import DATE
from vangnet.common.forms import PlausibleDateField
from vangnet.followup.models import EscalationLevel


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

    def __init__(self, *args: Any, levels: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels is not None:
            # The case file offers only the rungs the ladder allows next (issue 11 §2).
            field = self.fields["to_level"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(v, label) for v, label in EscalationLevel.choices if v in levels]
