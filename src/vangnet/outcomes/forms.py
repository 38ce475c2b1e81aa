"""The one short outcome form (parse only; the service checks the rules)."""

from __future__ import annotations

from django import forms

from vangnet.reference import outcome_followup as vocab


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Krijgt de patiënt de zorg die bij de afsluiting is afgesproken nog?",
        choices=vocab.ANSWERS,
        widget=forms.RadioSelect,
    )
    reasons = forms.MultipleChoiceField(
        label="Zo niet (of gedeeltelijk): waarom niet?",
        choices=vocab.REASONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Toelichting (optioneel; geen namen of andere herleidbare gegevens)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
