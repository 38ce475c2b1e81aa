"""Consultation register of a table: record a question and the advice, and see the counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError
from vangnet.common.forms import PlausibleDateField
from vangnet.common.pagination import keyset_page, page_or_redirect

from . import services
from .models import Consultation
from .selectors import consultation_counts, consultations_for

PAGE_SIZE = 100


class AnswerForm(forms.Form):
    advice = forms.CharField(label="Advies", widget=forms.Textarea, max_length=5000)
    minutes_spent = forms.IntegerField(label="Bestede tijd (minuten)", min_value=0, max_value=1440)


class ConsultationForm(forms.Form):
    requested_on = PlausibleDateField(
        label="Datum van de vraag", widget=forms.DateInput(attrs={"type": "date"})
    )
    requester_type = forms.ChoiceField(
        label="Vraagsteller", choices=Consultation.RequesterType.choices
    )
    requester_organisation = forms.CharField(
        label="Organisatie vraagsteller", required=False, max_length=200
    )
    anonymous = forms.BooleanField(
        label="Anoniem (geen naam van de patiënt)", required=False, initial=True
    )
    patient_name = forms.CharField(
        label="Naam patiënt (alleen met toestemming)", required=False, max_length=200
    )
    consent_recorded = forms.BooleanField(label="De patiënt gaf toestemming", required=False)
    question = forms.CharField(label="De vraag", widget=forms.Textarea, max_length=5000)
    advice = forms.CharField(
        label="Het gegeven advies", widget=forms.Textarea, required=False, max_length=5000
    )
    minutes_spent = forms.IntegerField(
        label="Bestede tijd (minuten)", min_value=0, max_value=1440, initial=0
    )


@verified_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    membership = actor.membership_for(role=Role.COORDINATOR) or actor.membership_for(
        role=Role.TABLE_MEMBER
    )
    if membership is None:
        return render(
            request,
            "errors/error.html",
            {
                "title": "Geen toegang",
                "message": "Alleen de coördinator of tafelleden zien consultaties.",
            },
            status=403,
        )
    # Bound only to a posted consultation: a GET binds nothing, so no "verplicht" before typing
    # and the initial values (anonymous) show.
    posted = request.method == "POST" and request.POST.get("op") != "answer"
    form = ConsultationForm(request.POST if posted else None)
    if request.method == "POST" and request.POST.get("op") == "answer":
        # Advice given later for a consultation recorded without it.
        answer = AnswerForm(request.POST)
        consultation = (
            consultations_for(actor).filter(pk=request.POST.get("consultation") or 0).first()
            if (request.POST.get("consultation") or "").isdigit()
            else None
        )
        if consultation is None or not answer.is_valid():
            messages.error(
                request,
                "Niet opgeslagen: kies een consultatie en vul het advies en de bestede tijd in.",
            )
        else:
            try:
                services.consultation_answer(
                    consultation=consultation,
                    actor=current_user(request),
                    membership=membership,
                    **answer.cleaned_data,
                )
            except DomainError as exc:
                messages.error(request, f"Niet opgeslagen. {exc.message}")
            else:
                messages.success(request, "Het advies is vastgelegd.")
        return redirect("consultations:list")
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record(
                actor=current_user(request), membership=membership, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "De consultatie is vastgelegd.")
            return redirect("consultations:list")
    # Newest first by default; "oudste" turns the list around. The order travels with "more".
    oldest_first = request.GET.get("volgorde") == "oudste"
    order = {"volgorde": "oudste"} if oldest_first else {}
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            consultations_for(actor),
            field="requested_on",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
            descending=not oldest_first,
        ),
        keep=order,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    items = page.rows
    more = "?" + urlencode({**order, "na": page.next_cursor}) if page.next_cursor else None
    access_log_write(actor=actor, action=Action.LIST, membership=membership, detail="consultaties")
    counts = consultation_counts(table_number=membership.table.number if membership.table else None)
    return render(
        request,
        "consultations/list.html",
        {
            "form": form,
            "items": items,
            "counts": counts,
            "more": more,
            "oldest_first": oldest_first,
        },
    )
