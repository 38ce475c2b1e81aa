"""Forms of the bestuurlijke overlegtafel (parse only; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from vangnet.common.forms import PlausibleDateField
from vangnet.directory.models import Organisation
from vangnet.regions.models import Table

DATE = forms.DateInput(attrs={"type": "date"})


class ReferralForm(forms.Form):
    summary = forms.CharField(
        label="Samenvatting voor de overlegtafel: wat loopt vast, wat is geprobeerd",
        help_text="Alleen wat de bestuurders nodig hebben; geen naam, geboortedatum, BSN of adres.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    question = forms.CharField(
        label="Wat moet de overlegtafel besluiten?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Betrokken organisaties en zorgverzekeraar (hun bestuurders zitten aan tafel)",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            organisations if organisations is not None else Organisation.objects.all()
        ).order_by("name")


class DoorzettingsmachtForm(ReferralForm):
    table = forms.ModelChoiceField(
        label="Voor de regio van tafel", queryset=Table.objects.all(), empty_label=None
    )
    case_reference = forms.CharField(
        label="Casusnummer (alleen de coördinator, voor een casus van de eigen tafel)",
        required=False,
        max_length=20,
    )
    field_order = ["table", "case_reference", "summary", "question", "organisations"]

    def __init__(self, *args: Any, tables: QuerySet[Table] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tables is not None:
            field = self.fields["table"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = tables


class DecisionForm(forms.Form):
    decision = forms.CharField(
        label="Besluit van de bestuurlijke overlegtafel (wie doet wat)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    deadline = PlausibleDateField(label="Uitgevoerd uiterlijk op", widget=DATE)


class CarriedOutForm(forms.Form):
    note = forms.CharField(
        label="Hoe is het besluit uitgevoerd?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
