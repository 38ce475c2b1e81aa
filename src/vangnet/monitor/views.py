"""Pages of the monitor. Thin: parse, check with a selector, call a service, render.

The report is one template (`monitor/_report_body.html`) for the page and the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases import selectors as case_selectors
from vangnet.cases.access import log_list
from vangnet.common.errors import NotAllowed
from vangnet.reference import questionnaire as codes

from . import csvio, pdfs, selectors, services
from .forms import ImportForm, QuestionnaireForm, ReportFilterForm


def _actor(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not selectors.can_use_monitor(actor):
        raise PermissionDenied
    return actor


@verified_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "monitor/index.html",
        {
            "national": selectors.is_national(actor),
            "own_tables": sorted(selectors.coordinator_tables(actor)),
            "span": selectors.year_span(),
        },
    )


def _report_params(
    request: HttpRequest,
    actor: Actor,
    *,
    year_span: Callable[[], tuple[int, int] | None] = selectors.year_span,
) -> dict[str, Any]:
    data: dict[str, Any] = {"van": request.GET.get("van"), "tot": request.GET.get("tot")}
    if not data["van"] or not data["tot"]:
        # The default period: the records' first and last year.
        this_year = timezone.localdate().year
        span = year_span() or (this_year, this_year)
        data = {"van": data["van"] or span[0], "tot": data["tot"] or span[1]}
    data |= {
        "tafel": request.GET.get("tafel", ""),
        "versie": request.GET.get("versie", ""),
    }
    form = ReportFilterForm(data)
    if not form.is_valid():
        return {"form": form, "valid": False}
    table = form.cleaned_data["tafel"]
    own = selectors.coordinator_tables(actor)
    if table is None and not selectors.is_national(actor) and request.GET.get("tafel") is None:
        # A coordinator lands on their own table's internal report.
        table = min(own) if own else None
    # Per-table reports are internal only (see selectors); national defaults to public.
    internal = table is not None or form.cleaned_data["versie"] == "intern"
    try:
        selectors.require_report_access(actor, table=table, internal=internal)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return {
        "form": form,
        "valid": True,
        "year_from": form.cleaned_data["van"],
        "year_to": form.cleaned_data["tot"],
        "table": table,
        "public": not internal,
    }


def _describe(params: dict[str, Any]) -> str:
    where = f"tafel {params['table']}" if params["table"] else "landelijk"
    version = "openbaar" if params["public"] else "intern"
    return f"monitorrapport {params['year_from']}-{params['year_to']} {where} {version}"


@verified_required
def report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    params = _report_params(request, actor, year_span=pdfs.year_span)
    context: dict[str, Any] = {
        "form": params["form"],
        "national": selectors.is_national(actor),
        "own_tables": sorted(selectors.coordinator_tables(actor)),
    }
    if params["valid"]:
        context["report"] = pdfs.page_body(params)
        context["table"] = params["table"]
        # The figures themselves, counted (or taken from the cache) only if something reads
        # them: the template shows the cached HTML.
        context["view"] = SimpleLazyObject(lambda: pdfs.build(params))
        context["query"] = request.GET.urlencode()
        access_log_write(actor=actor, action=Action.READ, detail=_describe(params))
    return render(request, "monitor/report.html", context, status=200 if params["valid"] else 400)


def _pdf_name(params: dict[str, Any]) -> str:
    where = f"tafel-{params['table']}" if params["table"] else "landelijk"
    version = "openbaar" if params["public"] else "intern"
    return f"monitor-{params['year_from']}-{params['year_to']}-{where}-{version}.pdf"


@verified_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The PDF when it is rendered for the current records; otherwise, at once, a page that
    says it is being made, whose poll renders it (`report_pdf_render`). Rendering takes seconds
    at national size, longer than a request should wait."""
    actor = _actor(request)
    params = _report_params(request, actor)
    if not params["valid"]:
        return render(request, "monitor/report.html", {"form": params["form"]}, status=400)
    pdf = pdfs.stored(params)
    if pdf is None:
        return render(
            request,
            "monitor/report_pdf_progress.html",
            {"params": params, "query": request.GET.urlencode(), "name": _pdf_name(params)},
            status=202,
        )
    access_log_write(actor=actor, action=Action.EXPORT, detail=f"{_describe(params)} (pdf)")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_pdf_name(params)}"'
    return response


@verified_required
@require_POST
def report_pdf_render(request: HttpRequest) -> HttpResponse:
    """One bounded step: render the chosen PDF and store it (a stored one is kept), then the
    download link. Posted by the progress page's HTMX poll; without JavaScript the page's
    button posts here and is sent on to the PDF itself."""
    actor = _actor(request)
    params = _report_params(request, actor)
    if not params["valid"]:
        return render(request, "monitor/report.html", {"form": params["form"]}, status=400)
    pdfs.render(params)
    query = request.GET.urlencode()
    if request.headers.get("HX-Request") != "true":
        return redirect(f"{reverse('monitor:report_pdf')}?{query}")
    return render(
        request,
        "monitor/_report_pdf_ready.html",
        {"query": query, "name": _pdf_name(params)},
    )


@verified_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.is_national(actor):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[csvio.LineError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csvio.MAX_BYTES:
            form.add_error("file", "Het bestand is te groot (maximaal 5 MB).")
        else:
            try:
                result = services.monitor_import(content=upload.read(), actor=actor, channel="web")
            except services.ImportRejected as exc:
                errors = exc.errors
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    f"Geïmporteerd: {result.created} nieuw, {result.updated} gewijzigd, "
                    f"{result.unchanged} ongewijzigd.",
                )
                return redirect("monitor:import")
    return render(
        request,
        "monitor/import.html",
        {"form": form, "errors": errors, "columns": codes.CSV_COLUMNS},
        status=422 if errors else 200,
    )


@verified_required
def export_file(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    file_format = request.GET.get("formaat", "csv")
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    try:
        rows = services.export_rows(actor=actor, channel="web", file_format=file_format)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        response = HttpResponse(csvio.write_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            csvio.write_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="monitor-{stamp}.{file_format}"'
    return response


@verified_required
def questionnaires(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.coordinator_tables(actor):
        raise PermissionDenied
    items = selectors.questionnaire_cases(actor)
    log_list(actor, detail="monitorvragenlijsten")
    return render(request, "monitor/questionnaires.html", {"items": items})


@verified_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, reference: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        case = case_selectors.case_by_reference(reference)
    except case_selectors.CaseNotFound as exc:
        raise Http404 from exc
    findings: dict[str, Any] = {}
    if request.method == "POST":
        try:
            services.check_questionnaire_access(actor, case, action=Action.UPDATE)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            try:
                services.monitor_record_save(
                    actor=actor,
                    case=case,
                    answers=form.answers(),
                    confirm_identifying=form.cleaned_data["confirm_identifying"],
                )
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except services.IdentifyingText as exc:
                findings = exc.findings
            except services.RecordInvalid as exc:
                for field, message in exc.errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "De monitorvragenlijst is opgeslagen.")
                return redirect("monitor:questionnaire", reference=case.reference)
        # Not saved (invalid input): the page still shows the case, so the access is logged.
        access_log_write(
            actor=actor,
            action=Action.UPDATE,
            case_id=case.pk,
            case_reference=case.reference,
            membership=actor.membership_for(role=Role.COORDINATOR, table_id=case.table_id),
            detail="monitorvragenlijst niet opgeslagen (ongeldige invoer)",
        )
    else:
        try:
            initial = services.questionnaire_open(actor, case)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        form = QuestionnaireForm(initial=initial)
    record = selectors.record_for_case(case)
    return render(
        request,
        "monitor/questionnaire.html",
        {
            "case": case,
            "form": form,
            "record": record,
            "findings": [(form.fields[k].label, f) for k, fs in findings.items() for f in fs],
        },
        status=422 if findings else 200,
    )
