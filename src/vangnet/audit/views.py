"""The privacy officer's view of who accessed a case. Viewing the log is itself logged, and so is
the CSV export of a case's log that answers a patient's request (AVG art. 15, NEN 7513)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.common.forms import PlausibleDateField
from vangnet.common.pagination import keyset_page, page_or_redirect
from vangnet.common.spreadsheet import escape_formula

from .models import AccessLogEntry, AccountLogEntry, Action, Outcome
from .selectors import access_log_for_case, full_name
from .services import CASE_REFERENCE, access_log_write

PAGE_SIZE = 200


def _reference(value: str) -> str:
    """Only a well-formed case reference goes into the log, never arbitrary typed text."""
    value = value.strip()
    return value if CASE_REFERENCE.match(value) else ""


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name().strip()
        return f"{name} ({obj.username})" if name else obj.username


class LogFilterForm(forms.Form):
    reference = forms.CharField(label="Casusreferentie", max_length=20, required=False)
    user = UserChoice(
        label="Gebruiker",
        queryset=User.objects.order_by("last_name", "first_name", "username"),
        required=False,
        empty_label="Alle gebruikers",
    )
    start = PlausibleDateField(
        label="Vanaf", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = PlausibleDateField(
        label="Tot en met", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    order = forms.ChoiceField(
        label="Volgorde",
        choices=[("nieuwste", "Nieuwste eerst"), ("oudste", "Oudste eerst")],
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("De begindatum ligt na de einddatum.")
        if not (data.get("reference") or "").strip() and not data.get("user"):
            raise forms.ValidationError("Vul een casusreferentie in of kies een gebruiker.")
        return data


@verified_required
def log_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    actor = request_actor(request)
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
        d = form.cleaned_data
        ref = d["reference"].strip()
        if "csv" in request.POST:
            if not ref:
                form.add_error("reference", "Een export gaat over één casus: vul de referentie in.")
                return render(request, "audit/log.html", {"form": form, "entries": None})
            return _csv_export(actor, membership, ref, d["start"], d["end"], d["user"])
        # A refused cursor goes back to the empty form: the filters travel in the POST body
        # only (never in a URL), so the first page is the search asked again.
        page = page_or_redirect(
            request,
            lambda: keyset_page(
                access_log_for_case(
                    case_reference=ref, start=d["start"], end=d["end"], user=d["user"]
                ),
                field="at",
                cursor=request.POST.get("na") or None,
                size=PAGE_SIZE,
                descending=d["order"] != "oudste",
            ),
        )
        if isinstance(page, HttpResponseRedirect):
            return page
        entries = [(e, full_name(e)) for e in page.rows]
        if page.next_cursor:
            more = {
                k: request.POST.get(k, "") for k in ("reference", "user", "start", "end", "order")
            }
            more["na"] = page.next_cursor
        access_log_write(
            actor=actor,
            action=Action.LOG_VIEW,
            case_reference=ref,
            membership=membership,
            detail="toegangslog per casus" if ref else "toegangslog per gebruiker",
        )
    return render(request, "audit/log.html", {"form": form, "entries": entries, "more": more})


CSV_HEADER = [
    "Tijdstip (Europe/Amsterdam)",
    "Gebruiker",
    "Rol",
    "Organisatie",
    "Actie",
    "Uitkomst",
    "Kanaal",
    "Wat",
]
CHANNELS = {"web": "web", "api": "API", "cli": "opdrachtregel"}


class _Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


def csv_rows(entries: Iterator[AccessLogEntry]) -> Iterator[list[str]]:
    """The rows of the export: local time, full names, and every text cell neutralised against
    formula injection (a username or detail starting with = must not run in a spreadsheet)."""
    yield CSV_HEADER
    for e in entries:
        cells = [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            full_name(e),
            e.role_label,
            e.organisation,
            e.get_action_display(),
            e.get_outcome_display(),
            CHANNELS.get(e.channel, e.channel),
            e.detail,
        ]
        yield [escape_formula(str(c)) for c in cells]


def _csv_export(
    actor: Actor,
    membership: Membership,
    ref: str,
    start: date | None,
    end: date | None,
    user: User | None,
) -> StreamingHttpResponse:
    """A case's whole log (no cap) as CSV, streamed; the export itself is logged first, so it is
    part of the log it is an answer about the next time."""
    rows = access_log_for_case(case_reference=ref, start=start, end=end, user=user)
    access_log_write(
        actor=actor,
        action=Action.EXPORT,
        case_reference=ref,
        membership=membership,
        detail="toegangslog als csv (verzoek betrokkene)",
    )
    writer = csv.writer(_Echo(), delimiter=";")
    lines = (writer.writerow(r) for r in csv_rows(rows.iterator(chunk_size=2000)))
    # A BOM first, so that Excel opens the UTF-8 file with its accents intact.
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="toegangslog.csv"'
    return response


@verified_required
def account_log_view(request: HttpRequest) -> HttpResponse:
    """What administrators did to accounts, for the privacy officer (reading it is logged)."""
    actor = request_actor(request)
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
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            AccountLogEntry.objects.all(),
            field="at",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
        ),
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    access_log_write(actor=actor, action=Action.LOG_VIEW, membership=membership, detail="beheerlog")
    # The log keeps usernames (it outlives accounts); the page shows full names beside them.
    names = {e.actor for e in page.rows} | {e.subject for e in page.rows}
    people = {
        u.username: f"{u.get_full_name().strip()} ({u.username})"
        for u in User.objects.filter(username__in=names)
        if u.get_full_name().strip()
    }
    rows = [(e, people.get(e.actor, e.actor), people.get(e.subject, e.subject)) for e in page.rows]
    return render(request, "audit/account_log.html", {"entries": rows, "next": page.next_cursor})
