"""Forms for the integral plan, its goals and the financing request (parse only)."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.cases.forms import DATE
from vangnet.cases.organisation_field import OrganisationField, QuickOrganisationsMixin
from vangnet.common.forms import PlausibleDateField
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.plans.models import ConfirmedVia, Financing, LifeDomain, PlanGoal


class PlanForm(QuickOrganisationsMixin, forms.Form):
    regiebehandelaar = forms.CharField(
        label="Regiebehandelaar / casusregisseur", max_length=200, required=False
    )
    regiebehandelaar_organisation = OrganisationField(
        label="Organisatie regiebehandelaar", required=False
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


class GoalForm(QuickOrganisationsMixin, forms.Form):
    domain = forms.ChoiceField(label="Levensdomein", choices=LifeDomain.choices)
    description = forms.CharField(
        label="Doel", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    organisation = OrganisationField(label="Verantwoordelijke organisatie", required=False)
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


class GoalEditForm(GoalForm):
    goal = forms.IntegerField(widget=forms.HiddenInput)


class GoalStatusForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Nieuwe status",
        choices=[
            (PlanGoal.Status.IN_PROGRESS, "Loopt"),
            (PlanGoal.Status.ACHIEVED, "Bereikt"),
            (PlanGoal.Status.STOPPED, "Gestopt"),
        ],
    )


class GoalRemoveForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reden van verwijderen", max_length=5000)


class GoalConfirmForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    confirmed_by = forms.CharField(label="Wie bevestigde het (naam en functie)", max_length=200)
    confirmed_via = forms.ChoiceField(label="Hoe", choices=ConfirmedVia.choices)
    confirmed_on = forms.DateField(label="Wanneer", widget=DATE)
    note = forms.CharField(label="Toelichting (optioneel)", required=False, max_length=5000)


class GoalChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PlanGoal) -> str:
        return f"{obj.get_domain_display()}: {obj.description} ({obj.organisation})"


class FinancingDecisionForm(forms.Form):
    """The medical adviser's decision; the seven criteria are read from the POST by the view."""

    decision = forms.ChoiceField(
        label="Besluit",
        choices=[("approved", "Goedkeuren"), ("declined", "Afwijzen")],
        widget=forms.RadioSelect,
        error_messages={"required": "Kies goedkeuren of afwijzen."},
    )
    amount = forms.DecimalField(
        label="Bedrag (euro)",
        max_digits=9,
        decimal_places=2,
        required=False,
        localize=True,
        help_text="Alleen bij goedkeuren: het totale bedrag dat u toekent, bijvoorbeeld 12500,00.",
    )
    duration_months = forms.IntegerField(
        label="Duur (maanden)",
        required=False,
        min_value=1,
        max_value=60,
        help_text="Alleen bij goedkeuren: hoeveel maanden het arrangement loopt.",
    )
    goals = GoalChoice(
        label="Doelen die het arrangement dekt",
        queryset=PlanGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label="Motivering", widget=forms.Textarea, max_length=5000)

    def __init__(self, *args: Any, goals: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["goals"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = goals if goals is not None else PlanGoal.objects.none()
