"""Pages of the client journey (issue 14 §5).

Public, without an account:
* `/mijn-transfer/`: the client (or their supporter) types the personal code and the birth date
  (POST); on success the page is shown in a short session (`CLIENT_SESSION_SECONDS`, also after
  inactivity), never through a bearer URL. Leaving ends it.
* `/transferpunt/`: how to reach each region's transfer desk (criterion g).

For staff (the desk and whoever put the client forward), with a verified login: the client page
as the client sees it, the personal code (shown once, on screen or on the printed letter) and
its revocation.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.clientip import client_ip
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.common.pagination import keyset_page, page_links, page_or_redirect

from . import client_access, client_codes, public
from .client import candidate_for_page, client_page
from .models import Candidate, ClientAccessCode

SESSION_KEY = "vangnet_client_code"
CLIENT_SESSION_SECONDS = 15 * 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Uw persoonlijke code",
        max_length=40,
        help_text="Deze code staat in uw brief, bijvoorbeeld ABCD-EFGH-JKLM.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Typ uw persoonlijke code."},
    )
    birth_date = forms.DateField(
        label="Uw geboortedatum",
        help_text="Bijvoorbeeld 31-12-1980.",
        input_formats=["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.TextInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}),
        error_messages={
            "required": "Typ uw geboortedatum.",
            "invalid": "Typ uw geboortedatum als dag-maand-jaar, bijvoorbeeld 31-12-1980.",
        },
    )


def _session_code(request: HttpRequest) -> ClientAccessCode | None:
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or time.time() > float(held.get("until", 0)):
        request.session.pop(SESSION_KEY, None)
        return None
    code_id = held.get("id")
    if not isinstance(code_id, int):
        request.session.pop(SESSION_KEY, None)
        return None
    access = ClientAccessCode.objects.filter(pk=code_id).first()
    # A code revoked or expired while the page is open ends the session too.
    if access is None or not access.is_usable():
        request.session.pop(SESSION_KEY, None)
        return None
    return access


def client_start(request: HttpRequest) -> HttpResponse:
    """The public form: code and birth date, by POST only."""
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                access = client_codes.code_open(
                    code=form.cleaned_data["code"],
                    birth_date=form.cleaned_data["birth_date"],
                    address=client_ip(request),
                )
            except client_codes.ClientCodeRefused as exc:
                form.add_error(None, exc.message)
            else:
                # A new session key: nothing from before the code was typed carries over.
                request.session.cycle_key()
                request.session[SESSION_KEY] = {
                    "id": access.pk,
                    "until": time.time() + CLIENT_SESSION_SECONDS,
                }
                request.session.set_expiry(CLIENT_SESSION_SECONDS)
                return redirect("transfers_client:page")
        return render(request, "transfers/client/start.html", {"form": form}, status=400)
    if _session_code(request) is not None:
        return redirect("transfers_client:page")
    return render(request, "transfers/client/start.html", {"form": CodeForm()})


def client_view(request: HttpRequest) -> HttpResponse:
    access = _session_code(request)
    if access is None:
        messages.info(request, "Typ uw code en geboortedatum om uw pagina te zien.")
        return redirect("transfers_client:start")
    candidate = candidate_for_page(access.candidate_id)
    page = client_page(candidate)
    return render(
        request,
        "transfers/client/page.html",
        {"page": page, "public": True, "session_minutes": CLIENT_SESSION_SECONDS // 60},
    )


@require_POST
def client_leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.flush()
    messages.info(request, "U bent van uw pagina af. Sluit nu ook uw browser.")
    return redirect("transfers_client:start")


def desk_index(request: HttpRequest) -> HttpResponse:
    return render(request, "transfers/client/desk_index.html", {"regions": public.desk_regions()})


def desk_region(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    try:
        page = public.desk_page(kind, code[:10])
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "transfers/client/desk_region.html", {"desk": page})


# --- staff -----------------------------------------------------------------------------------


def _candidate(reference: str) -> Candidate:
    found = Candidate.objects.filter(reference=reference[:20]).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("Deze kandidaat bestaat niet.")
    return candidate_for_page(found)


CODES_SHOWN = 10


@verified_required
def staff_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The client page as the client sees it, with the personal codes around it."""
    candidate = _candidate(reference)
    actor = request_actor(request)
    try:
        client_access.require_staff(actor, candidate, detail="cliëntpagina")
    except NotAllowed as exc:
        raise PermissionDenied from exc
    # Newest first, page by page with "Meer codes" (keyset), instead of the newest 10 only.
    codes = page_or_redirect(
        request,
        lambda: keyset_page(
            candidate.access_codes.select_related("issued_by"),
            field="created_at",
            cursor=request.GET.get("na") or None,
            size=CODES_SHOWN,
        ),
    )
    if isinstance(codes, HttpResponseRedirect):
        return codes
    return render(
        request,
        "transfers/client/staff.html",
        {
            "candidate": candidate,
            "page": client_page(candidate),
            "codes": codes.rows,
            **page_links(request, codes),
            "now": timezone.now(),
            "public": False,
        },
    )


def letter_pdf(page: Any, *, code: str, expires: str, request: HttpRequest) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "transfers/client/letter_pdf.html",
        {
            "page": page,
            "code": code,
            "expires": expires,
            "start_url": request.build_absolute_uri("/mijn-transfer/"),
            "printed_on": dutch_date(timezone.localdate()),
        },
    )
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())


@verified_required
@require_POST
def staff_issue(request: HttpRequest, reference: str) -> HttpResponse:
    """A new code; `as=pdf` answers with the printable letter that carries it, else the code is
    shown once on screen. Either way it is never stored or shown again."""
    candidate = _candidate(reference)
    actor = request_actor(request)
    try:
        issued = client_codes.code_issue(actor=actor, candidate=candidate)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    expires = dutch_date(timezone.localtime(issued.access.expires_at).date())
    if request.POST.get("as") == "pdf":
        access_log_write(
            actor=actor,
            action=Action.EXPORT,
            case_reference=candidate.reference,
            detail="brief met persoonlijke cliëntcode (pdf)",
        )
        pdf = letter_pdf(client_page(candidate), code=issued.code, expires=expires, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="brief-{candidate.reference}.pdf"'
        return response
    return render(
        request,
        "transfers/client/issued.html",
        {"candidate": candidate, "code": issued.code, "expires": expires},
    )


@verified_required
def staff_letter(request: HttpRequest, reference: str) -> HttpResponse:
    """The letter without a code (a reprint: the code is never shown twice)."""
    candidate = _candidate(reference)
    actor = request_actor(request)
    try:
        client_access.require_staff(
            actor, candidate, action=Action.EXPORT, detail="brief zonder code (pdf)"
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    pdf = letter_pdf(client_page(candidate), code="", expires="", request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brief-{candidate.reference}.pdf"'
    return response


@verified_required
@require_POST
def staff_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access = ClientAccessCode.objects.select_related("candidate").filter(pk=pk).first()
    if access is None:
        raise Http404("Deze code bestaat niet.")
    actor = request_actor(request)
    try:
        client_codes.code_revoke(actor=actor, access=access)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "De code is ingetrokken. Hij werkt niet meer.")
    return redirect("transfers_client:staff", reference=access.candidate.reference)
