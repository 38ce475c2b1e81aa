"""Forms of the sociale kaart. They only collect input; the services validate it (one set of
rules for pages, API and imports) and their problems are shown at the fields they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache

from vangnet.common.widgets import FastSelect, FixedChoices
from vangnet.regions.models import Municipality, Province, Table

from .models import Access, Location, Offer, OfferFinancing, OfferKind, ServedArea
from .validation import EntryInvalid, LocationInput, OfferInput


def _groups() -> list[tuple[str, str]]:
    from vangnet.waitlists.models import DiagnosisGroup

    return list(DiagnosisGroup.objects.values_list("code", "name"))


def _tables() -> list[tuple[int, str]]:
    return [(n, f"Tafel {n} – {name}") for n, name in Table.objects.values_list("number", "name")]


def _municipalities() -> list[tuple[str, str]]:
    return [("", "—"), *Municipality.objects.order_by("name").values_list("code", "name")]


SEARCH_CHOICES_KEY = "directory-search-choices"
SEARCH_CHOICES_SECONDS = 60


def search_choices() -> dict[str, list[tuple[Any, str]]]:
    """The search form's lists of diagnosis groups, tables and municipalities. Every search
    page shows them, they change a few times a year, and reading them costs three queries, so
    they are cached for a minute; a save or deletion drops them at once in its own process
    (`search_choices_changed`), other app servers follow within the minute."""
    choices: dict[str, list[tuple[Any, str]]] | None = cache.get(SEARCH_CHOICES_KEY)
    if choices is None:
        choices = {
            "group": [("", "Alle"), *_groups()],
            "table": [("", "Alle"), *_tables()],
            "origin": _municipalities(),
        }
        cache.set(SEARCH_CHOICES_KEY, choices, SEARCH_CHOICES_SECONDS)
    return choices


def search_choices_changed(sender: Any, **kwargs: Any) -> None:
    """Receiver (`apps.py`): a diagnosis group, table or municipality was saved or deleted."""
    cache.delete(SEARCH_CHOICES_KEY)


class ServiceErrorsMixin(forms.Form):
    def add_problems(self, exc: EntryInvalid) -> None:
        for p in exc.problems:
            self.add_error(p.field if p.field in self.fields else None, p.message)


class LocationForm(ServiceErrorsMixin):
    name = forms.CharField(label="Naam van de locatie", max_length=200)
    remote = forms.BooleanField(label="Zonder vestiging (e-health of telefonisch)", required=False)
    address = forms.CharField(label="Adres", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=7, required=False)
    municipality = forms.ChoiceField(label="Gemeente", required=False, widget=FastSelect)
    served_area = forms.ChoiceField(
        label="Werkgebied (alleen zonder vestiging)",
        choices=[("", "—"), *ServedArea.choices],
        required=False,
    )
    served_province = forms.ChoiceField(label="Provincie van het werkgebied", required=False)
    served_table = forms.TypedChoiceField(
        label="Tafelregio van het werkgebied", coerce=int, empty_value=None, required=False
    )
    phone = forms.CharField(label="Telefoon", max_length=30, required=False)
    email = forms.CharField(label="E-mail", max_length=254, required=False)
    website = forms.CharField(label="Website", max_length=200, required=False)
    opening_hours = forms.CharField(label="Openingstijden", max_length=300, required=False)
    accessibility = forms.CharField(
        label="Toegankelijkheid", max_length=500, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = _municipalities()  # type: ignore[attr-defined]
        self.fields["served_province"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.code, p.name) for p in Province.objects.all()
        ]
        self.fields["served_table"].choices = [("", "—"), *_tables()]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(loc: Location) -> dict[str, Any]:
        return {
            "name": loc.name,
            "remote": loc.remote,
            "address": loc.address,
            "postcode": loc.postcode,
            "municipality": loc.municipality.code if loc.municipality else "",
            "served_area": loc.served_area,
            "served_province": loc.served_province.code if loc.served_province else "",
            "served_table": loc.served_table.number if loc.served_table else None,
            "phone": loc.phone,
            "email": loc.email,
            "website": loc.website,
            "opening_hours": loc.opening_hours,
            "accessibility": loc.accessibility,
        }

    def to_input(self) -> LocationInput:
        d = self.cleaned_data
        return LocationInput(
            name=d["name"],
            remote=d["remote"],
            address=d["address"],
            postcode=d["postcode"],
            municipality=d["municipality"],
            served_area=d["served_area"],
            served_province=d["served_province"],
            served_table=d["served_table"],
            phone=d["phone"],
            email=d["email"],
            website=d["website"],
            opening_hours=d["opening_hours"],
            accessibility=d["accessibility"],
        )


class OfferForm(ServiceErrorsMixin):
    name = forms.CharField(label="Naam van het aanbod", max_length=200)
    kind = forms.ChoiceField(label="Soort", choices=OfferKind.choices)
    description = forms.CharField(
        label="Omschrijving", max_length=2000, required=False, widget=forms.Textarea
    )
    diagnosis_groups = forms.MultipleChoiceField(
        label="Hoofddiagnosegroepen (waar van toepassing)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label="Leeftijd vanaf", required=False)
    age_max = forms.IntegerField(label="Leeftijd tot en met", required=False)
    lvb = forms.BooleanField(label="Ook voor mensen met een LVB", required=False)
    forensic = forms.BooleanField(label="Forensisch", required=False)
    financing = forms.ChoiceField(label="Financiering", choices=OfferFinancing.choices)
    access = forms.ChoiceField(label="Toegang", choices=Access.choices)
    stated_wait_weeks = forms.IntegerField(
        label="Verwachte wachttijd in weken",
        required=False,
        help_text="Leeg laten als u die niet kunt noemen; Vangnet toont dan de wachttijd uit de wachtlijstgegevens, als die er zijn.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["diagnosis_groups"].choices = _groups()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(offer: Offer) -> dict[str, Any]:
        return {
            "name": offer.name,
            "kind": offer.kind,
            "description": offer.description,
            "diagnosis_groups": [g.code for g in offer.diagnosis_groups.all()],
            "age_min": offer.age_min,
            "age_max": offer.age_max,
            "lvb": offer.lvb,
            "forensic": offer.forensic,
            "financing": offer.financing,
            "access": offer.access,
            "stated_wait_weeks": offer.stated_wait_weeks,
        }

    def to_input(self) -> OfferInput:
        d = self.cleaned_data
        return OfferInput(
            kind=d["kind"],
            name=d["name"],
            financing=d["financing"],
            access=d["access"],
            description=d["description"],
            diagnosis_groups=list(d["diagnosis_groups"]),
            age_min=d["age_min"],
            age_max=d["age_max"],
            lvb=d["lvb"],
            forensic=d["forensic"],
            stated_wait_weeks=d["stated_wait_weeks"],
        )


class SearchForm(forms.Form):
    # FastSelect: the same HTML as Django's Select, without a template include per option (the
    # 342 municipalities cost most of the search page's time).
    q = forms.CharField(label="Zoeken (naam, aanbod, plaats)", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="Soort",
        choices=[("", "Alle"), *OfferKind.choices],
        required=False,
        widget=FastSelect,
    )
    group = forms.ChoiceField(label="Hoofddiagnosegroep", required=False, widget=FastSelect)
    financing = forms.ChoiceField(
        label="Financiering",
        choices=[("", "Alle"), *OfferFinancing.choices],
        required=False,
        widget=FastSelect,
    )
    age = forms.IntegerField(label="Leeftijd cliënt", min_value=0, max_value=120, required=False)
    lvb = forms.BooleanField(label="LVB", required=False)
    forensic = forms.BooleanField(label="Forensisch", required=False)
    table = forms.TypedChoiceField(
        label="Tafelregio", coerce=int, empty_value=None, required=False, widget=FastSelect
    )
    origin = forms.ChoiceField(label="Afstand vanaf gemeente", required=False, widget=FastSelect)
    max_km = forms.IntegerField(label="Binnen (km)", min_value=1, max_value=400, required=False)
    sort = forms.ChoiceField(
        label="Sorteren op",
        choices=[("name", "Naam"), ("distance", "Afstand"), ("wait", "Wachttijd")],
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in search_choices().items():
            self.fields[name].choices = FixedChoices(choices)  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label="Bestand (CSV of XLSX)")
