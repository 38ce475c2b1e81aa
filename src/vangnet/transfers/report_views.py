"""Pages and downloads of the monthly transfer reports (aggregates only, issue 14 §4)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed

from . import client_access, reports
from .models import Candidate


def _months(request: HttpRequest) -> list[date]:
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if not first and not last:
        return reports.default_months()
    return reports.month_range(
        reports.parse_month(first, field_name="from"), reports.parse_month(last, field_name="to")
    )


def _require(actor: Actor, kind: str, code: str, action: str) -> None:
    try:
        membership = client_access.require_report(actor, kind=kind, code=code)
    except NotAllowed as exc:
        access_log_write(
            actor=actor, action=action, outcome=Outcome.DENIED, detail=f"transfercijfers {code}"
        )
        raise PermissionDenied from exc
    access_log_write(
        actor=actor, membership=membership, action=action, detail=f"transfercijfers {code}"
    )


@verified_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    allowed = client_access.report_regions(actor)
    if allowed is None:
        pairs = sorted(set(Candidate.objects.values_list("region_kind", "region_code")))
    else:
        pairs = allowed
    if allowed == []:
        access_log_write(
            actor=actor, action=Action.LIST, outcome=Outcome.DENIED, detail="transfercijfers"
        )
        raise PermissionDenied
    regions = [(k, c, reports.region_name(k, c)) for k, c in pairs]
    return render(request, "transfers/reports/index.html", {"regions": regions})


@verified_required
def region(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    actor = request_actor(request)
    code = code[:10]
    _require(actor, kind, code, Action.LIST)
    try:
        months = _months(request)
        report = reports.build_report(kind, code, months)
    except DomainError as exc:
        return render(
            request,
            "transfers/reports/region.html",
            {"error": exc.message, "kind": kind, "code": code},
            status=400,
        )
    header, rows = reports.table_rows(report)
    eheader, erows = reports.effect_rows(report)
    query = f"from={months[0]:%Y-%m}&to={months[-1]:%Y-%m}"
    return render(
        request,
        "transfers/reports/region.html",
        {
            "report": report,
            "header": header,
            "rows": rows,
            "eheader": eheader,
            "erows": erows,
            "chart": reports.chart(report),
            "query": query,
            "first": f"{months[0]:%Y-%m}",
            "last": f"{months[-1]:%Y-%m}",
            "kind": kind,
            "code": code,
        },
    )


@verified_required
def export(request: HttpRequest, kind: str, code: str, fmt: str) -> HttpResponse:
    actor = request_actor(request)
    code = code[:10]
    _require(actor, kind, code, Action.EXPORT)
    try:
        report = reports.build_report(kind, code, _months(request))
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    name = f"transfers-{code}"
    if fmt == "csv":
        response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        reports.report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
