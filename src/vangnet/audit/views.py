"""The privacy officer's view of who accessed a case. Viewing the log is itself logged."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.common.errors import DomainError
from vangnet.common.forms import PlausibleDateField
from vangnet.common.pagination import keyset_page

from .models import AccountLogEntry, Action, Outcome
from .selectors import access_log_for_case
from .services import CASE_REFERENCE, access_log_write

PAGE_SIZE = 200


def _reference(value: str) -> str:
    """Only a well-formed case reference goes into the log, never arbitrary typed text."""
    value = value.strip()
    return value if CASE_REFERENCE.match(value) else ""


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
            case_reference=_reference(request.POST.get("reference", "")),
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
    # The case reference travels in the POST body, never in a URL (issue 10 §8): URLs end up in
    # proxy logs and browser history.
    form = LogFilterForm(request.POST if request.method == "POST" else None)
    entries = None
    more = None
    if form.is_bound and form.is_valid():
        ref = form.cleaned_data["reference"].strip()
        try:
            page = keyset_page(
                access_log_for_case(
                    case_reference=ref,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                ),
                field="at",
                cursor=request.POST.get("na") or None,
                size=PAGE_SIZE,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "audit/log.html", {"form": form, "entries": None})
        entries = page.rows
        if page.next_cursor:
            more = {**{k: request.POST.get(k, "") for k in ("reference", "start", "end")}}
            more["na"] = page.next_cursor
        access_log_write(
            actor=actor,
            action=Action.LOG_VIEW,
            case_reference=ref,
            membership=membership,
            detail="toegangslog per casus",
        )
    return render(request, "audit/log.html", {"form": form, "entries": entries, "more": more})


@verified_required
def account_log_view(request: HttpRequest) -> HttpResponse:
    """What administrators did to accounts, for the privacy officer (reading it is logged)."""
    actor = actor_for(current_user(request))
    membership = actor.membership_for(role=Role.PRIVACY_OFFICER)
    if membership is None:
        access_log_write(
            actor=actor, action=Action.LOG_VIEW, outcome=Outcome.DENIED, detail="beheerlog"
        )
        return render(
            request,
            "errors/error.html",
            {
                "title": "Geen toegang",
                "message": "Alleen de privacy officer kan het beheerlog inzien. Deze poging is vastgelegd.",
            },
            status=403,
        )
    # Page by page (keyset), newest first, with a "more" link instead of stopping at 500.
    try:
        page = keyset_page(
            AccountLogEntry.objects.all(),
            field="at",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
        )
    except DomainError:
        return redirect("audit:account_log")
    access_log_write(actor=actor, action=Action.LOG_VIEW, membership=membership, detail="beheerlog")
    more = urlencode({"na": page.next_cursor}) if page.next_cursor else None
    return render(request, "audit/account_log.html", {"entries": page.rows, "more": more})
