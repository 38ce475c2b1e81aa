"""The privacy officer's view of who accessed a case. Viewing the log is itself logged."""

from __future__ import annotations

import re

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.common.forms import PlausibleDateField

from .models import Action, Outcome
from .selectors import access_log_for_case
from .services import access_log_write

REFERENCE = re.compile(r"^VN-\d{4}-\d{5}$")


def _reference(value: str) -> str:
    """Only a well-formed case reference goes into the log, never arbitrary typed text."""
    value = value.strip()
    return value if REFERENCE.match(value) else ""


class LogFilterForm(forms.Form):
    reference = forms.CharField(label="Casusreferentie", max_length=20)
    start = PlausibleDateField(
        label="Vanaf", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = PlausibleDateField(
        label="Tot en met", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("De begindatum ligt na de einddatum.")
        return data


@verified_required
def log_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(current_user(request))
    membership = actor.membership_for(role=Role.PRIVACY_OFFICER)
    if membership is None:
        access_log_write(
            actor=actor,
            action=Action.LOG_VIEW,
            outcome=Outcome.DENIED,
            case_reference=_reference(request.GET.get("reference", "")),
        )
        return render(
            request,
            "errors/error.html",
            {
                "title": "Geen toegang",
                "message": "Alleen de privacy officer kan het toegangslog inzien. Deze poging is vastgelegd.",
            },
            status=403,
        )
    form = LogFilterForm(request.GET or None)
    entries = None
    if form.is_bound and form.is_valid():
        ref = form.cleaned_data["reference"].strip()
        entries = list(
            access_log_for_case(
                case_reference=ref, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )[:1000]
        )
        access_log_write(
            actor=actor,
            action=Action.LOG_VIEW,
            case_reference=ref,
            membership=membership,
            detail="toegangslog per casus",
        )
    return render(request, "audit/log.html", {"form": form, "entries": entries})
