"""Forms of the monitor: the questionnaire (built from `codes.QUESTIONS`), import, report filter."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.common.widgets import FastSelect
from vangnet.reference import questionnaire as codes

from .validation import OPEN_TEXT_MAX


def _label(question: codes.Question) -> str:
    return f"{question.number}. {question.text}" if question.number else question.text


class QuestionnaireForm(forms.Form):
    """The sixteen questions of seed 001 Bijlage 2 plus shortages and referrer type.

    Only shapes the input; the rules (codes, exclusive answers, identifying text) live in
    `validation.clean_record`, which the service applies.
    """

    confirm_identifying = forms.BooleanField(
        required=False,
        label="Ik heb de open tekst gecontroleerd: er staat niets in dat naar de patiënt te "
        "herleiden is. Toch opslaan.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in codes.QUESTIONS:
            field: forms.Field
            if q.is_open:
                field = forms.CharField(
                    label=_label(q),
                    required=False,
                    max_length=OPEN_TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            elif q.multiple:
                field = forms.MultipleChoiceField(
                    label=_label(q),
                    required=False,
                    choices=list(q.options),
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                required = q.key == "outcome"
                choices = list(q.options) if required else [("", "Geen antwoord"), *q.options]
                field = forms.ChoiceField(
                    label=_label(q), required=required, choices=choices, widget=forms.RadioSelect
                )
            self.fields[q.key] = field
        # Keep the confirmation last.
        self.fields["confirm_identifying"] = self.fields.pop("confirm_identifying")

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(q.key) for q in codes.QUESTIONS}

    def question_fields(self) -> list[tuple[codes.Question, forms.BoundField]]:
        return [(q, self[q.key]) for q in codes.QUESTIONS]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV-bestand",
        help_text="UTF-8, komma als scheidingsteken, de kolommen van de monitor (zie de uitleg).",
    )


class ReportFilterForm(forms.Form):
    van = forms.IntegerField(label="Van jaar", min_value=2000, max_value=2100)
    tot = forms.IntegerField(label="Tot en met jaar", min_value=2000, max_value=2100)
    tafel = forms.TypedChoiceField(
        label="Tafel",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Landelijk"), *[(n, f"Tafel {n}") for n in range(1, 9)]],
        widget=FastSelect,
    )
    versie = forms.ChoiceField(
        label="Versie",
        required=False,
        choices=[("openbaar", "Openbaar (met onderdrukking)"), ("intern", "Intern (exact)")],
        widget=FastSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        van, tot = data.get("van"), data.get("tot")
        if van and tot and van > tot:
            raise forms.ValidationError("Het beginjaar ligt na het eindjaar.")
        if van and tot and tot - van > 20:
            raise forms.ValidationError("Kies een periode van hoogstens twintig jaar.")
        return data
