"""Forms for registration, triage, preparation and closure. They only parse input; the services
hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from vangnet.cases.models import ConsentBy, CriterionAssessment, ReferrerType, Urgency
from vangnet.cases.organisation_field import OrganisationField, QuickOrganisationsMixin
from vangnet.common.errors import DomainError
from vangnet.common.forms import BoundedFileField, PlausibleDateField
from vangnet.common.validators import clean_bsn
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.reference import questionnaire as codes
from vangnet.regions.models import Criterion, Municipality, Table

from .workflow import Decision

PARTY_ROWS = 4


class InsurerChoiceField(forms.ModelChoiceField):
    """An insurer from the list: the browser sends its number; a script may send its exact name
    (case-insensitive), which must name exactly one insurer — never a new organisation."""

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if text and not text.isdigit():
            queryset = self.queryset
            assert queryset is not None
            found = list(queryset.filter(name__iexact=" ".join(text.split()))[:2])
            if len(found) != 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return found[0]
        return super().to_python(value)


def _municipality_choices() -> list[tuple[str, str]]:
    return [
        ("", "— kies gemeente —"),
        *Municipality.objects.order_by("name").values_list("code", "name"),
    ]


class MunicipalityChoiceField(forms.ChoiceField):
    """A municipality by its code. The list of all ~340 is read only when the form is shown; a
    posted code is checked with one query for that code."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_municipality_choices, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return Municipality.objects.filter(code=str(value)).exists()


class RegistrationForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Namens organisatie", empty_label=None
    )
    referrer_type = forms.ChoiceField(label="Type verwijzer", choices=ReferrerType.choices)
    patient_name = forms.CharField(label="Naam patiënt", max_length=200)
    patient_birth_date = PlausibleDateField(
        label="Geboortedatum", widget=forms.DateInput(attrs={"type": "date"})
    )
    patient_municipality = MunicipalityChoiceField(label="Woongemeente")
    insurer: forms.ModelChoiceField[Organisation] = InsurerChoiceField(
        queryset=Organisation.objects.filter(organisation_type=OrganisationType.INSURER),
        label="Zorgverzekeraar",
        empty_label="— kies —",
        error_messages={
            "required": "Kies de zorgverzekeraar van de patiënt uit de lijst.",
            "invalid_choice": "Kies de zorgverzekeraar van de patiënt uit de lijst.",
        },
    )
    patient_bsn = forms.CharField(
        label="BSN (optioneel)",
        max_length=11,
        required=False,
        help_text="Wordt gecontroleerd met de 11-proef.",
    )
    consent_by = forms.ChoiceField(
        label="Toestemming voor aanmelding gegeven door",
        choices=[("", "— kies —"), *ConsentBy.choices],
        # Required in the form too, so it is marked * and reported with the other missing fields
        # at once (the service checks it again for the API).
        required=True,
        widget=forms.Select(attrs={"aria-required": "true"}),
        help_text="Verplicht: zonder toestemming van de patiënt of een vertegenwoordiger neemt de "
        "tafel de aanmelding niet in behandeling.",
        error_messages={
            "required": "Zonder toestemming van de patiënt of een vertegenwoordiger kan de casus "
            "niet worden aangemeld."
        },
    )
    stuck_description = forms.CharField(
        label="Wat loopt er vast, en waarom?", widget=forms.Textarea, max_length=5000
    )
    best_solution = forms.CharField(
        label="Wat is volgens u de beste oplossing?", widget=forms.Textarea, max_length=5000
    )
    timeline = forms.CharField(
        label="Tijdlijn van de zorg tot nu toe", widget=forms.Textarea, max_length=5000
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=Criterion.objects.all(),
        label="Welke criteria zijn volgens u van toepassing?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        to_field_name="number",
    )
    in_ggz_treatment = forms.TypedChoiceField(
        label="Is de patiënt momenteel in behandeling in de ggz?",
        choices=[("", "Onbekend"), ("yes", "Ja"), ("no", "Nee")],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    urgency = forms.ChoiceField(label="Urgentie", choices=Urgency.choices, initial=Urgency.REGULAR)
    table = forms.ModelChoiceField(
        queryset=Table.objects.all(),
        required=False,
        to_field_name="number",
        label="Andere tafel dan voorgesteld (optioneel)",
        empty_label="— de voorgestelde tafel —",
    )
    table_choice_reason = forms.CharField(
        label="Reden voor een andere tafel",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        for i in range(PARTY_ROWS):
            self.fields[f"party_{i}_organisation"] = forms.CharField(
                label="Organisatie", max_length=200, required=False
            )
            self.fields[f"party_{i}_action"] = forms.CharField(
                label="Wat deed deze partij al?",
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def party_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"party_{i}_organisation"], self[f"party_{i}_action"]) for i in range(PARTY_ROWS)
        ]


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label="Besluit", choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Toelichting / reden",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Verplicht bij 'niet passend' en bij verwijzen.",
    )
    advice = forms.CharField(
        label="Gegeven advies (bij alleen consultatie)",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    refer_to = forms.CharField(label="Naar welk ander overleg", required=False, max_length=200)
    menselijke_maat_reason = forms.CharField(
        label="Menselijke maat: waarom toch toelaten?",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Verplicht als u toelaat terwijl niet alle criteria voldaan zijn.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(Criterion.objects.all())
        for c in self.criteria:
            self.fields[f"criterion_{c.number}"] = forms.ChoiceField(
                label=f"{c.number}. {c.text}",
                choices=CriterionAssessment.Verdict.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"criterion_{c.number}_note"] = forms.CharField(
                label="Notitie", required=False, max_length=5000
            )

    def criterion_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"criterion_{c.number}"], self[f"criterion_{c.number}_note"])
            for c in self.criteria
        ]


class ScreenForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Uw oordeel",
        widget=forms.RadioSelect,
        choices=[
            ("confirm", "Ik bevestig dit besluit"),
            ("disagree", "Ik ben het niet eens (terug naar coördinator)"),
        ],
    )
    note = forms.CharField(
        label="Toelichting", widget=forms.Textarea, required=False, max_length=5000
    )


class MoveForm(forms.Form):
    table = forms.ModelChoiceField(
        queryset=Table.objects.all(), to_field_name="number", label="Naar tafel"
    )
    reason = forms.CharField(
        label="Reden", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


DATE = forms.DateInput(attrs={"type": "date"})


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


CLOSE_OUTCOMES = [(c, label) for c, label in codes.OUTCOMES if c not in {"ongoing", "not_suitable"}]


def organisations() -> OrganisationField:
    # A search field, not a list of every organisation of the country (issue 12 §3).
    return OrganisationField(label="Organisatie")


class TimelineForm(forms.Form):
    date = PlausibleDateField(label="Datum", widget=DATE)
    organisation_name = forms.CharField(label="Organisatie", max_length=200)
    description = forms.CharField(
        label="Wat gebeurde er", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class PartyForm(QuickOrganisationsMixin, forms.Form):
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


class ConsentForm(QuickOrganisationsMixin, forms.Form):
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


class CaseSearchForm(forms.Form):
    """Search over the cases the user may see. Posted, never in the URL: it carries a name, a
    birth date or a BSN."""

    reference = forms.CharField(label="Referentie", required=False, max_length=20)
    name = forms.CharField(label="Naam patiënt", required=False, max_length=200)
    birth_date = forms.DateField(label="Geboortedatum", required=False, widget=DATE)
    bsn = forms.CharField(label="BSN (exact)", required=False, max_length=11)
    referrer = forms.CharField(
        label="Verwijzer (organisatie of naam)", required=False, max_length=200
    )
    registered_from = forms.DateField(label="Aangemeld vanaf", required=False, widget=DATE)
    registered_to = forms.DateField(label="Aangemeld tot en met", required=False, widget=DATE)

    def clean_bsn(self) -> str:
        try:
            return clean_bsn(self.cleaned_data["bsn"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in self.fields):
            raise forms.ValidationError("Vul minstens één zoekveld in.")
        return data
