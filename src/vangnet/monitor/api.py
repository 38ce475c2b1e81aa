"""The monitor over the API: the JSON report, the historic import and the export.

Same rules as the pages and the command: the JSON report has exact counts (the internal
report), so it is for monitor analysts (national and any table) and for coordinators (national
and their own table); import and export are for monitor analysts.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError

from . import csvio, reporting, selectors, services

router = Router(tags=["monitor"])


class MonitorReportOut(Schema):
    from_: int = Field(..., alias="from", description="Eerste jaar (registratiedatum)")
    to: int = Field(..., description="Laatste jaar (registratiedatum)")
    registered: int = Field(..., description="Aantal aangemelde casussen")
    by_year: dict[str, int] = Field(..., description="Jaar → aantal aanmeldingen")
    outcomes: dict[str, int] = Field(..., description="Elke uitkomstcode → aantal (ook 0)")
    offer_not_accepted: int = Field(
        ..., description="Nieuw aanbod waarmee de patiënt niet instemde (patient_agreed = no)"
    )
    referrer_share: dict[str, dict[str, float]] = Field(
        ..., description="Jaar → type verwijzer → aandeel van de aanmeldingen (3 decimalen)"
    )
    per_table: dict[str, int] = Field(..., description='Tafel "1".."8" → aantal aanmeldingen')
    answers: dict[str, dict[str, int]] = Field(
        ..., description="Vraag → code → aantal casussen met dat antwoord (0 weggelaten)"
    )


class MonitorReportQuery(Schema):
    year_from: int = Field(..., alias="from", ge=2000, le=2100)
    year_to: int = Field(..., alias="to", ge=2000, le=2100)
    table: int | None = Field(None, ge=1, le=8)


class MonitorImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class MonitorLineErrorOut(Schema):
    line: int
    column: str
    detail: str


@router.get(
    "/report",
    response=MonitorReportOut,
    by_alias=True,
    summary="Monitorrapport over een reeks jaren (exacte aantallen)",
)
def report(request: HttpRequest, query: Query[MonitorReportQuery]):
    actor = request_actor(request)
    selectors.require_report_access(actor, table=query.table, internal=True)
    if query.year_from > query.year_to:
        raise DomainError("'from' ligt na 'to'.", field="from")
    rows = selectors.report_rows(
        year_from=query.year_from, year_to=query.year_to, table=query.table
    )
    where = f"tafel {query.table}" if query.table else "landelijk"
    access_log_write(
        actor=actor,
        action=Action.READ,
        channel="api",
        detail=f"monitorrapport {query.year_from}-{query.year_to} {where} intern",
    )
    return reporting.json_report(
        rows, year_from=query.year_from, year_to=query.year_to, table=query.table
    )


@router.post(
    "/import",
    response={200: MonitorImportOut},
    summary="Historische monitorregistraties importeren (CSV; alles of niets)",
    description=(
        "Bij een fout wordt niets geïmporteerd; het antwoord (422, problem+json) bevat in "
        "`errors` elke foute regel met regelnummer, kolom en probleem."
    ),
)
def import_records(request: HttpRequest, file: File[UploadedFile]):
    actor = request_actor(request)
    selectors.require_national(actor)
    if file.size and file.size > csvio.MAX_BYTES:
        raise DomainError("Het bestand is te groot (maximaal 5 MB).", field="file")
    try:
        result = services.monitor_import(content=file.read(), actor=actor, channel="api")
    except services.ImportRejected as exc:
        from vangnet.api.errors import problem

        return problem(
            request,
            422,
            exc.message,
            code=exc.code,
            errors=[
                MonitorLineErrorOut(line=e.line, column=e.column, detail=e.message).dict()
                for e in exc.errors
            ],
        )
    return MonitorImportOut(
        created=result.created, updated=result.updated, unchanged=result.unchanged
    )


@router.get(
    "/export",
    summary="De geanonimiseerde monitorregistraties als CSV of XLSX",
    description="Dezelfde kolommen als de import. Nooit de koppeling met een casus.",
    openapi_extra={
        "responses": {
            200: {
                "description": "Het bestand (CSV of XLSX, naar `format`)",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def export_records(
    request: HttpRequest,
    file_format: Literal["csv", "xlsx"] = Query("csv", alias="format"),
):
    actor = request_actor(request)
    rows = services.export_rows(actor=actor, channel="api", file_format=file_format)
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
