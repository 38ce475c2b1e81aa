"""Forms of the scenario pages (Dutch labels and messages; ranges checked again in services)."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.waitlists import counting
from vangnet.waitlists.models import DiagnosisGroup, RegionKind

from .models import Calibration
from .services import MAX_HORIZON, MAX_REPLICATIONS, Knobs


def region_choices() -> list[tuple[str, str]]:
    names = counting.region_names(RegionKind.SAFETY_REGION)
    return [
        (code, name)
        for code, name in sorted(names.items(), key=lambda i: counting.region_sort_key(i[0]))
    ]


class CalibrateForm(forms.Form):
    region = forms.ChoiceField(label="Veiligheidsregio", choices=())
    group = forms.ChoiceField(label="Diagnosegroep", choices=())
    treatment_weeks = forms.FloatField(
        label="Behandelduur (weken, leeg = standaard voor de groep)",
        required=False,
        min_value=1,
        max_value=260,
        error_messages={
            "min_value": "De behandelduur is minstens 1 week.",
            "max_value": "De behandelduur is hoogstens 260 weken.",
            "invalid": "Vul een getal in.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        group = self.fields["group"]
        assert isinstance(region, forms.ChoiceField) and isinstance(group, forms.ChoiceField)
        region.choices = region_choices()
        group.choices = list(DiagnosisGroup.objects.values_list("code", "name"))


def _number(
    label: str, *, lo: float, hi: float, integer: bool = False, initial: float = 0
) -> forms.Field:
    # Django formats these messages with %-parameters: a literal % in a label must be doubled.
    text = label.replace("%", "%%")
    messages = {
        "min_value": f"{text}: ten minste {lo:g}.",
        "max_value": f"{text}: ten hoogste {hi:g}.",
        "invalid": f"{text}: vul een getal in.",
        "required": f"{text}: vul een waarde in.",
    }
    if integer:
        return forms.IntegerField(
            label=label,
            min_value=int(lo),
            max_value=int(hi),
            initial=initial,
            error_messages=messages,
        )
    return forms.FloatField(
        label=label, min_value=lo, max_value=hi, initial=initial, error_messages=messages
    )


class ScenarioForm(forms.Form):
    name = forms.CharField(
        label="Naam", max_length=120, error_messages={"required": "Geef het scenario een naam."}
    )
    target_provider = forms.TypedChoiceField(
        label="Aanbieder voor capaciteit en aanmeldpauze",
        coerce=int,
        required=False,
        empty_value=None,
    )
    intake_delta_per_week = _number("Intakeplekken per week erbij (−/+)", lo=-1000, hi=1000)
    places_delta = _number("Behandelplekken erbij (−/+)", lo=-10000, hi=10000, integer=True)
    treatment_length_pct = _number("Behandelduur (± %)", lo=-90, hi=300)
    inflow_pct = _number("Instroom (± %)", lo=-100, hi=300)
    transfer_share_pct = _number("Via de transferbalie (% van de wachtenden)", lo=0, hi=100)
    pause_from_month = _number(
        "Aanmeldpauze vanaf maand", lo=1, hi=MAX_HORIZON, integer=True, initial=1
    )
    pause_months = _number("Aanmeldpauze (maanden)", lo=0, hi=MAX_HORIZON, integer=True)
    ehealth_share_pct = _number("Naar e-health (% van de nieuwe aanmeldingen)", lo=0, hi=100)
    ehealth_places = _number("E-healthplekken", lo=0, hi=100000, integer=True)
    horizon_months = _number("Horizon (maanden)", lo=1, hi=MAX_HORIZON, integer=True, initial=18)
    replications = _number("Replicaties", lo=2, hi=MAX_REPLICATIONS, integer=True, initial=20)
    seed = forms.CharField(label="Seed (geheel getal)", initial="1", max_length=30)

    def __init__(self, *args: Any, calibration: Calibration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target_provider"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "de aanbieder met de langste wachtlijst")] + [
            (str(p["id"]), p["name"]) for p in calibration.parameters["providers"]
        ]

    def knobs(self) -> Knobs:
        d = self.cleaned_data
        return Knobs(
            target_provider=d.get("target_provider"),
            intake_delta_per_week=d["intake_delta_per_week"],
            places_delta=d["places_delta"],
            treatment_length_pct=d["treatment_length_pct"],
            inflow_pct=d["inflow_pct"],
            transfer_share_pct=d["transfer_share_pct"],
            pause_from_month=d["pause_from_month"],
            pause_months=d["pause_months"],
            ehealth_share_pct=d["ehealth_share_pct"],
            ehealth_places=d["ehealth_places"],
        )
