"""Waiting-list figures over the API: the same counts as the command and the pages, plus pauses
and submissions. Only aggregates; every export is recorded in the access log (no case)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vangnet.accounts.models import Membership
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed, NotFound, TooLarge
from vangnet.common.schema import AgbCode, Month, PlausibleDate
from vangnet.directory.models import Organisation

from . import access, aggregates, counting, selectors, services
from .forms import MAX_UPLOAD_BYTES
from .importers import FileProblem, parse_period
from .models import Channel, DiagnosisGroup, RegistrationPause

router = Router(tags=["wachtlijsten"])

Kind = Literal["province", "veiligheidsregio", "table"]


class RangeQuery(Schema):
    regions: Kind = Field(..., description="Regio-indeling")
    from_: Month = Field(..., alias="from", description="Eerste maand, JJJJ-MM")
    to: Month = Field(..., description="Laatste maand, JJJJ-MM")
    region: str | None = Field(
        None, max_length=20, description="Alleen deze regiocode, bijvoorbeeld VR13"
    )


class ProviderRangeQuery(Schema):
    from_: Month = Field(..., alias="from", description="Eerste maand, JJJJ-MM")
    to: Month = Field(..., description="Laatste maand, JJJJ-MM")


class CountOut(Schema):
    month: str
    region: str
    diagnosis_group: str
    registrations_waiting: int
    persons_waiting: int
    persons_multi_provider: int
    persons_by_preference: int
    over_norm_intake: int
    over_norm_treatment: int
    registrations_waiting_intake: int
    registrations_waiting_treatment: int


class FlowOut(Schema):
    month: str
    region: str
    diagnosis_group: str
    intakes: int
    intake_wait_median: float | None
    intake_wait_p80: float | None
    intake_within_norm_share: float | None
    treatment_starts: int
    treatment_wait_median: float | None
    treatment_wait_p80: float | None
    treatment_within_norm_share: float | None


class BreachOut(Schema):
    month: str
    provider_agb: str
    provider_name: str
    diagnosis_group: str
    waiting_intake: int
    waiting_treatment: int
    median_wait_intake: float | None
    median_wait_treatment: float | None
    breach_intake: bool
    breach_treatment: bool


class HotspotOut(Schema):
    provider_agb: str
    provider_name: str
    diagnosis_group: str
    norm: Literal["intake", "treatment"]
    start: str
    end: str
    months: int


class LargestBreachOut(Schema):
    month: str
    region: str
    provider_agb: str
    provider_name: str
    over_norm: int
    over_norm_intake: int
    over_norm_treatment: int
    registrations_waiting: int


class PauseIn(Schema):
    provider_agb: AgbCode
    diagnosis_group: str = Field(..., min_length=1, max_length=40)
    starts_on: PlausibleDate
    planned_end_on: PlausibleDate
    reason: str = Field(..., min_length=1, max_length=1000)


class PauseOut(Schema):
    id: int
    provider_agb: str
    provider_name: str
    diagnosis_group: str
    starts_on: date
    planned_end_on: date
    ended_on: date | None
    reason: str


class SubmissionOut(Schema):
    provider_agb: str
    provider: str
    period: str
    status: str
    rows: int
    skipped_outside_period: int


class ImportOut(Schema):
    period: str
    rows: int
    submissions: list[SubmissionOut]


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def _months(start: str, end: str) -> list[counting.Month]:
    try:
        return counting.months_between(counting.parse_month(start), counting.parse_month(end))
    except ValueError as exc:
        raise DomainError(str(exc), field="from") from None


def _export(actor: Actor, detail: str, *, kind: str = "", region: str | None = None) -> None:
    # A region's own parties (issue 16 §4) export the aggregates of their own region only.
    membership = (
        access.require_region_dashboard(actor, kind=kind, code=region)
        if region is not None
        else access.require_dashboards(actor)
    )
    access_log_write(
        actor=actor, action=Action.EXPORT, membership=membership, channel="api", detail=detail
    )


def _check_region(kind: str, region: str | None) -> None:
    if region is not None:
        selectors.check_region(kind, region)


@router.get("/counts", response=list[CountOut])
def counts(request: HttpRequest, q: Query[RangeQuery]):
    """Unique waiting counts per month × region × diagnosis group (non-empty cells, sorted)."""
    actor = _actor(request)
    months = _months(q.from_, q.to)
    _check_region(q.regions, q.region)
    rows = selectors.counts(actor, kind=q.regions, months=months, region=q.region)
    _export(
        actor,
        f"wachtlijsttellingen {q.regions} {q.region or 'alle'} {q.from_}..{q.to}",
        kind=q.regions,
        region=q.region,
    )
    return rows


@router.get("/flows", response=list[FlowOut])
def flows(request: HttpRequest, q: Query[RangeQuery]):
    """Intakes and treatment starts per month × region × group with realised waits (days)."""
    actor = _actor(request)
    months = _months(q.from_, q.to)
    _check_region(q.regions, q.region)
    rows = selectors.flows(actor, kind=q.regions, months=months, region=q.region)
    _export(
        actor,
        f"wachtlijstinstroom {q.regions} {q.region or 'alle'} {q.from_}..{q.to}",
        kind=q.regions,
        region=q.region,
    )
    return rows


@router.get("/largest-breaches", response=list[LargestBreachOut])
def largest_breaches(request: HttpRequest, q: Query[RangeQuery]):
    """Per month × region the provider with the most waiting registrations over the norm."""
    actor = _actor(request)
    months = _months(q.from_, q.to)
    _check_region(q.regions, q.region)
    rows = selectors.largest_breaches(actor, kind=q.regions, months=months, region=q.region)
    _export(actor, f"grootste overschrijding {q.regions} {q.from_}..{q.to}")
    return rows


@router.get("/breaches", response=list[BreachOut])
def breaches(request: HttpRequest, q: Query[ProviderRangeQuery]):
    """Provider × diagnosis group months in which the median wait broke the Treeknorm."""
    actor = _actor(request)
    months = _months(q.from_, q.to)
    access.require_dashboards(actor)
    rows = aggregates.provider_wait_rows(months, breaches_only=True)
    _export(actor, f"overschrijdingen {q.from_}..{q.to}")
    return selectors.with_providers(rows)


@router.get("/hotspots", response=list[HotspotOut])
def hotspots(
    request: HttpRequest,
    q: Query[ProviderRangeQuery],
    min_months: int = Query(3, ge=1, le=120),
):
    """Breaches that lasted `min_months` consecutive months or more (proposals to pause)."""
    actor = _actor(request)
    months = _months(q.from_, q.to)
    rows = selectors.hotspots(actor, months=months, min_months=min_months)
    _export(actor, f"hotspots {q.from_}..{q.to}")
    return rows


def _pause_out(p: RegistrationPause) -> PauseOut:
    return PauseOut(
        id=p.pk,
        provider_agb=p.provider.agb_code,
        provider_name=p.provider.name,
        diagnosis_group=p.diagnosis_group.code,
        starts_on=p.starts_on,
        planned_end_on=p.planned_end_on,
        ended_on=p.ended_on,
        reason=p.reason,
    )


@router.get("/pauses", response=list[PauseOut])
def pauses(
    request: HttpRequest,
    regions: Kind,
    region: str = Query(..., max_length=20),
    on: PlausibleDate | None = None,
):
    """Active registration pauses of the providers in a region (readable by every user)."""
    actor = _actor(request)
    page = selectors.pause_page(actor, kind=regions, code=region, on=on or timezone.localdate())
    return [_pause_out(p) for g in page.groups for p in g.pauses]


@router.post("/pauses", response={201: PauseOut})
def pause_create(request: HttpRequest, payload: PauseIn):
    """Record an aanmeldpauze (the provider's data officer or the region's process owner)."""
    actor = _actor(request)
    provider = Organisation.objects.filter(agb_code=payload.provider_agb).first()
    group = DiagnosisGroup.objects.filter(code=payload.diagnosis_group).first()
    if provider is None:
        raise NotFound("Deze aanbieder is onbekend.")
    if group is None:
        raise DomainError("Onbekende diagnosegroep.", field="diagnosis_group")
    pause = services.pause_record(
        actor=actor,
        provider=provider,
        diagnosis_group=group,
        starts_on=payload.starts_on,
        planned_end_on=payload.planned_end_on,
        reason=payload.reason,
        channel="api",
    )
    return Status(201, _pause_out(pause))


def _rejected(request: HttpRequest, exc: services.ImportRejected) -> HttpResponse:
    """problem+json listing every bad line (nothing was imported)."""
    from vangnet.api.errors import problem

    errors = [{"line": e.line, "field": e.column, "detail": e.message} for e in exc.errors]
    return problem(request, 400, exc.message, code=exc.code, errors=errors)


@router.post("/submissions", response={201: ImportOut})
def submission_create(
    request: HttpRequest,
    file: File[UploadedFile],
    period: Form[Month],
    organisation_agb: Form[str | None] = None,
):
    """Upload a month's waiting list (CSV or Parquet) for the data officer's organisation.
    A file with any bad line imports nothing: the problem lists every line."""
    actor = _actor(request)
    memberships = access.upload_memberships(actor)
    if organisation_agb:
        memberships = [m for m in memberships if m.organisation.agb_code == organisation_agb]
    if not memberships:
        raise NotAllowed(
            "Alleen datafunctionarissen van een aanbieder kunnen wachtlijsten aanleveren."
        )
    membership: Membership = memberships[0]
    # Read nothing into memory before the size is known to be within the limit.
    if file.size is None or file.size > MAX_UPLOAD_BYTES:
        raise TooLarge(
            f"Het bestand is te groot (maximaal {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
            field="file",
        )
    try:
        month = parse_period(period)
    except FileProblem as exc:
        raise DomainError(str(exc), field="period") from None
    try:
        report = services.submission_import(
            data=file.read(),
            name=file.name or "upload",
            actor=actor,
            channel=Channel.API,
            period=month,
            membership=membership,
        )
    except services.ImportRejected as exc:
        return _rejected(request, exc)
    return Status(
        201,
        ImportOut(
            period=f"{report.period:%Y-%m}",
            rows=report.rows,
            submissions=[
                SubmissionOut(
                    provider_agb=s.provider_agb,
                    provider=s.provider,
                    period=f"{s.period:%Y-%m}",
                    status=s.status,
                    rows=s.rows,
                    skipped_outside_period=s.skipped_outside_period,
                )
                for s in report.submissions
            ],
        ),
    )
