"""Pages of the registration desk and triage. Thin: parse, call a selector or service, render.

Every request that touches identifiable case data goes through `case_access` (or `log_list`) once,
so it writes exactly one access-log row. No patient data appears in URLs: only case references.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor, actor_for, current_user, request_actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases import forms as case_forms
from vangnet.cases import selectors, services
from vangnet.cases.access import Permission, case_access, granting_membership, log_list
from vangnet.cases.actions import form_errors
from vangnet.cases.downloads import document_response
from vangnet.cases.forms import (
    CaseSearchForm,
    MoveForm,
    RegistrationForm,
    ScreenForm,
    TriageForm,
)
from vangnet.cases.links import case_url_prefix
from vangnet.cases.models import Case, Document
from vangnet.cases.workflow import Decision, State
from vangnet.common.errors import DomainError, DomainErrors, NotAllowed
from vangnet.common.pagination import keyset_page, page_or_redirect
from vangnet.directory.models import Organisation

PUBLIC_EVENTS = [
    "register",
    "triage_confirm",
    "table_move",
    "plan_start",
    "follow_up_start",
    "close",
    "reopen",
    "escalate",
    "de_escalate",
    "term_suspend",
    "term_resume",
]


def case_or_404(reference: str) -> Case:
    try:
        return selectors.case_by_reference(reference)
    except selectors.CaseNotFound as exc:
        raise Http404 from exc


def _access(
    request: HttpRequest, case: Case, permission: Permission, action: str
) -> tuple[Actor, Any]:
    actor = request_actor(request)
    try:
        membership = case_access(actor, case, permission=permission, action=action)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return actor, membership


def _form_error(form: Any, exc: DomainError) -> None:
    for error in exc.errors if isinstance(exc, DomainErrors) else [exc]:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)


@verified_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, sortable, page by page with a "meer" link (keyset: each row
    exactly once, whatever is added meanwhile, and page 100 costs what page 1 costs); a posted
    search narrows them (its terms never go into the URL, and every search is logged as one,
    NEN 7513). The cursor (`na`) names only the sort value and id of the last row shown."""
    actor = request_actor(request)
    state = request.GET.get("status", "")
    if state and state not in State.values:
        state = ""
    sort = request.GET.get("sorteer", "-aangemeld")
    if sort not in selectors.SORTS:
        sort = "-aangemeld"
    search = CaseSearchForm(request.POST or None)
    searched = request.method == "POST" and search.is_valid()
    cursor = (request.POST if searched else request.GET).get("na") or None
    if searched:
        cases = selectors.case_search(actor, **search.cleaned_data)
        used = ", ".join(
            str(search.fields[k].label).lower() for k, v in search.cleaned_data.items() if v
        )
        log_list(actor, action=Action.SEARCH, detail=f"casussen zoeken op {used}")
    else:
        cases = selectors.case_list(actor, state=state)
        log_list(actor, detail=f"casuslijst {state}".strip())
    order = selectors.SORTS[sort]
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            # Only the columns the list shows: a case row also holds the registration's long
            # texts and JSON fields, decoded for every row of every page (bench/web.py).
            cases.order_by().only(*LIST_FIELDS),
            field=order.removeprefix("-"),
            cursor=cursor,
            size=PAGE_SIZE,
            descending=order.startswith("-"),
        ),
        sort=sort,
        keep={"status": state},
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    more = None
    if page.next_cursor and searched:
        # A search pages on by posting its terms again, never through the URL.
        more = {k: request.POST.get(k, "") for k in search.fields}
        more["na"] = page.next_cursor
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": page.rows,
            # The rows' links, without a URL lookup per row.
            "case_url": case_url_prefix(),
            "page": page,
            "later": bool(cursor),
            "found": cases.count() if searched else None,
            "more": more,
            "states": State.choices,
            "state": state,
            "sort": sort,
            "search": search,
            "searched": searched,
        },
    )


PAGE_SIZE = 50
LIST_FIELDS = (
    "id",
    "reference",
    "state",
    "registered_at",
    "table__id",
    "table__number",
    "table__name",
    "referrer_organisation__id",
    "referrer_organisation__name",
)


@verified_required
def register(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    org_ids = actor.organisation_ids(Role.REFERRER)
    if not org_ids:
        if request.method == "POST":  # an attempt to register; the blank form shows no data
            access_log_write(
                actor=actor, action=Action.CREATE, outcome=Outcome.DENIED, detail="aanmelding"
            )
        return render(
            request,
            "errors/error.html",
            {"title": "Geen verwijzer", "message": "Alleen verwijzers kunnen een casus aanmelden."},
            status=403,
        )
    form = RegistrationForm(
        request.POST or None, organisations=Organisation.objects.filter(pk__in=org_ids)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.RegistrationInput(
            referrer_type=d["referrer_type"],
            patient_name=d["patient_name"],
            patient_birth_date=d["patient_birth_date"],
            patient_municipality_code=d["patient_municipality"],
            insurer_id=d["insurer"].pk,
            patient_bsn=d["patient_bsn"],
            consent_by=d["consent_by"],
            stuck_description=d["stuck_description"],
            best_solution=d["best_solution"],
            timeline=d["timeline"],
            urgency=d["urgency"],
            in_ggz_treatment=d["in_ggz_treatment"],
            criteria=[c.number for c in d["criteria"]],
            party_actions=[
                services.PartyActionInput(organisation_name=o.value() or "", action=a.value() or "")
                for o, a in form.party_rows()
                if (o.value() or "").strip() or (a.value() or "").strip()
            ],
            table_number=d["table"].number if d["table"] else None,
            table_choice_reason=d["table_choice_reason"],
        )
        try:
            result = services.case_register(
                referrer=current_user(request),
                organisation=d["organisation"],
                data=data,
                # The actor's active referrer membership for it, read above: not again.
                membership=next(
                    (
                        m
                        for m in actor.memberships
                        if m.role == Role.REFERRER and m.organisation_id == d["organisation"].pk
                    ),
                    None,
                ),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            case = result.case
            membership = granting_membership(actor, case, Permission.READ)
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                case_id=case.pk,
                case_reference=case.reference,
                membership=membership,
                detail="aanmelding",
            )
            messages.success(
                request,
                f"Uw aanmelding is ontvangen onder referentie {case.reference} bij {case.table}. U ontvangt ook een bevestiging per e-mail.",
            )
            return redirect("cases:detail", reference=case.reference)
    return render(request, "cases/register.html", {"form": form})


@verified_required
def triage(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    action = Action.UPDATE if request.method == "POST" else Action.READ
    _, membership = _access(request, case, Permission.TRIAGE, action)
    last = selectors.latest_round(case)
    returned = last if last and last.verdict == last.Verdict.DISAGREED else None
    # A returned proposal starts from the coordinator's own earlier verdicts and reasons.
    form = TriageForm(request.POST or None, initial=_triage_initial(returned) if returned else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.triage_propose(
                case=case,
                coordinator=current_user(request),
                membership=membership,
                assessments=[
                    services.CriterionInput(
                        number=c.number,
                        verdict=d[f"criterion_{c.number}"],
                        note=d[f"criterion_{c.number}_note"],
                    )
                    for c in form.criteria
                ],
                decision=d["decision"],
                reason=d["reason"],
                advice=d["advice"],
                refer_to=d["refer_to"],
                menselijke_maat_reason=d["menselijke_maat_reason"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "Het triagebesluit is voorgesteld en wacht op een tweede beoordelaar."
            )
            return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "cases/triage.html",
        {"case": case, "form": form, "returned": returned, "decisions": Decision},
    )


def _triage_initial(round_: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "decision": round_.decision,
        "reason": round_.reason,
        "advice": round_.advice,
        "refer_to": round_.refer_to,
        "menselijke_maat_reason": round_.menselijke_maat_reason,
    }
    for a in round_.assessments.select_related("criterion"):
        initial[f"criterion_{a.criterion.number}"] = a.verdict
        initial[f"criterion_{a.criterion.number}_note"] = a.note
    return initial


@require_POST
@verified_required
def screen(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    _, membership = _access(request, case, Permission.SCREEN, Action.UPDATE)
    form = ScreenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kies of u het besluit bevestigt of niet.")
        return redirect("cases:detail", reference=case.reference)
    try:
        if form.cleaned_data["verdict"] == "confirm":
            services.triage_confirm(
                case=case,
                screener=current_user(request),
                membership=membership,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                "Het besluit is bevestigd en definitief. De verwijzer is op de hoogte gebracht.",
            )
        else:
            services.triage_disagree(
                case=case,
                screener=current_user(request),
                membership=membership,
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Het besluit is teruggelegd bij de coördinator.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", reference=case.reference)


@require_POST
@verified_required
def move(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    _, membership = _access(request, case, Permission.TRIAGE, Action.UPDATE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kies een tafel en geef een reden.")
        return redirect("cases:detail", reference=case.reference)
    try:
        services.case_move_table(
            case=case,
            actor=current_user(request),
            membership=membership,
            table=form.cleaned_data["table"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", reference=case.reference)
    messages.success(request, f"De casus is verplaatst naar {form.cleaned_data['table']}.")
    return redirect("cases:dashboard")


@require_POST
@verified_required
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference)
    user = current_user(request)
    try:
        membership = case_access(
            actor_for(user),
            case,
            permission=Permission.MANAGE,
            action=Action.UPDATE,
            detail="document",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    form = case_forms.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Niet opgeslagen. {form_errors(form)}")
        return redirect("cases:detail", reference=case.reference)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_DOCUMENT_BYTES:
        messages.error(request, "Niet opgeslagen. Het bestand is te groot: maximaal 10 MB.")
        return redirect("cases:detail", reference=case.reference)
    try:
        services.document_upload(
            case=case, actor=user, membership=membership, name=upload.name, content=upload.read()
        )
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
    else:
        messages.success(request, "Document toegevoegd.")
    return redirect("cases:detail", reference=case.reference)


@verified_required
def document_download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    case = case_or_404(reference)
    document = get_object_or_404(Document, pk=pk, case=case)
    try:
        case_access(
            request_actor(request),
            case,
            permission=Permission.DOCUMENT,
            action=Action.DOWNLOAD,
            detail=f"document {document.pk}",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    response = document_response(document)
    if response is None:
        raise Http404
    return response


# Roles that choose organisations on case and meeting pages.
ORGANISATION_CHOOSERS = {Role.COORDINATOR, Role.SECOND_SCREENER, Role.TABLE_MEMBER, Role.REFERRER}


@verified_required
def organisation_search(request: HttpRequest) -> HttpResponse:
    """Suggestions for an organisation field (HTMX): `<option>`s for its datalist, and a status
    line that says how many matched, so a long result is never cut off silently. Directory data
    only (no case data): nothing to write in the access log."""
    from vangnet.cases.organisation_field import MAX_SUGGESTIONS, suggestions_html
    from vangnet.cases.organisation_field import organisation_search as search

    actor = request_actor(request)
    if not any(m.role in ORGANISATION_CHOOSERS for m in actor.memberships):
        raise PermissionDenied
    # htmx sends the input under its own form name; `q` for other callers.
    text = str(request.GET.get("q") or next((v for v in request.GET.values() if v), ""))
    found = search(text)
    rows = list(found[: MAX_SUGGESTIONS + 1])
    more = len(rows) > MAX_SUGGESTIONS
    total = found.count() if more else len(rows)
    field_id = request.headers.get("HX-Trigger", "")
    return render(
        request,
        "cases/_organisation_options.html",
        {
            "options": suggestions_html(rows[:MAX_SUGGESTIONS]),
            "shown": min(len(rows), MAX_SUGGESTIONS),
            "total": total,
            "more": more,
            "text": text.strip(),
            "status_id": f"{field_id}_status" if field_id.isidentifier() else "",
        },
    )
