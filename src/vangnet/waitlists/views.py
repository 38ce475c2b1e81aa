"""Waiting-list pages: region dashboards with exports, registration pauses, uploads and the
published waiting times. Thin: parse, call a selector or service, render. No page shows a
pseudonym; only aggregates are computed for display."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.common.pagination import keyset_page_by, page_links, page_or_redirect
from vangnet.common.spreadsheet import escape_formula

from . import access, counting, exports, published, selectors, services
from .forms import EndPauseForm, PauseForm, UploadForm
from .models import Channel, DiagnosisGroup, RegionKind, RegistrationPause, Submission

DEFAULT_MONTHS = 12


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map NotAllowed to 403 and NotFound to 404 (the project's error pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def _month_range(request: HttpRequest) -> tuple[list[counting.Month], str | None]:
    """Months from ?van=JJJJ-MM&tot=JJJJ-MM; default the 12 months up to the latest data."""
    latest = selectors.latest_month() or (timezone.localdate().year, timezone.localdate().month)
    default_end = latest
    k = latest[0] * 12 + latest[1] - DEFAULT_MONTHS
    default_start = (k // 12, k % 12 + 1)
    error = None
    try:
        start = counting.parse_month(request.GET.get("van") or counting.month_label(default_start))
        end = counting.parse_month(request.GET.get("tot") or counting.month_label(default_end))
        return counting.months_between(start, end), None
    except ValueError as exc:
        error = str(exc)
    return counting.months_between(default_start, default_end), error


def _region_options() -> list[tuple[str, str, list[tuple[str, str]]]]:
    out = []
    for kind, label in RegionKind.choices:
        names = counting.region_names(kind)
        out.append(
            (
                kind,
                str(label),
                sorted(names.items(), key=lambda item: counting.region_sort_key(item[0])),
            )
        )
    return out


@verified_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    latest = selectors.latest_month()
    return render(
        request,
        "waitlists/index.html",
        {
            "can_dashboards": access.can_view_dashboards(actor),
            "own_regions": [
                (RegionKind(kind).label, kind, code, counting.region_names(kind).get(code, code))
                for kind, code, _ in access.own_regions(actor)
            ],
            "can_upload": access.can_upload(actor),
            "can_pause": access.can_pause(actor),
            "regions": _region_options(),
            "latest": counting.month_label(latest) if latest else None,
            "published": selectors.latest_published(),
        },
    )


@verified_required
def choose(request: HttpRequest) -> HttpResponse:
    """The region picker (a plain GET form, no JavaScript) redirects to the chosen page."""
    kind, _, code = request.GET.get("regio", "").partition("/")
    target = "waitlists:pauses" if request.GET.get("doel") == "pauzes" else "waitlists:dashboard"
    if kind not in RegionKind.values or code not in counting.region_names(kind):
        messages.error(request, "Kies een regio.")
        return redirect("waitlists:index")
    return redirect(target, kind=kind, code=code)


@verified_required
@domain_errors
def dashboard(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    actor = _actor(request)
    months, error = _month_range(request)
    board = selectors.region_dashboard(actor, kind=kind, code=code, months=months)
    if error:
        messages.error(request, error)
    return render(
        request,
        "waitlists/dashboard.html",
        {
            "board": board,
            "heat_persons": _heat_rows(board.heat_persons),
            "heat_share": _heat_rows(board.heat_share),
            "kind_label": RegionKind(kind).label,
            "van": counting.month_label(months[0]),
            "tot": counting.month_label(months[-1]),
            "can_pause": access.can_pause(actor),
        },
    )


def _heat_rows(
    matrix: list[tuple[DiagnosisGroup, list[selectors.HeatCell]]],
) -> list[tuple[DiagnosisGroup, str]]:
    """The heat map's rows with their cells as HTML: two maps of groups × months are most of
    the dashboard's cells, and a template loop costs several times more per cell. Escaped as
    the template would (`html.escape`, which Django's `escape` is)."""
    return [
        (
            group,
            mark_safe(  # noqa: S308 - every class and label is escaped
                "".join(
                    f'<td class="{html.escape(c.css)}">{html.escape(c.label)}</td>' for c in cells
                )
            ),
        )
        for group, cells in matrix
    ]


@verified_required
@domain_errors
def export(request: HttpRequest, kind: str, code: str, fmt: str) -> HttpResponse:
    actor = _actor(request)
    name = selectors.check_region(kind, code)
    membership = access.require_region_dashboard(actor, kind=kind, code=code)
    months, _ = _month_range(request)
    rows = selectors.counts(actor, kind=kind, months=months, region=code)
    first, last = counting.month_label(months[0]), counting.month_label(months[-1])
    filename = f"wachtlijsten-{kind}-{code}-{first}-{last}"
    if fmt == "csv":
        response = HttpResponse(exports.counts_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        flows = selectors.flows(actor, kind=kind, months=months, region=code)
        data = exports.counts_xlsx(
            rows,
            flows,
            title=f"Wachtlijsten {name} ({RegionKind(kind).label}), {first} t/m {last}",
            source=f"Vangnet, aangemaakt op {dutch_date(timezone.localdate())}",
        )
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    access_log_write(
        actor=actor,
        action=Action.EXPORT,
        membership=membership,
        detail=f"wachtlijsttellingen {kind} {code} {first}..{last} ({fmt})",
    )
    return response


@verified_required
@domain_errors
def pauses(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    actor = _actor(request)
    page = selectors.pause_page(actor, kind=kind, code=code, on=timezone.localdate())
    endable = {
        p.pk
        for g in page.groups
        for p in g.pauses
        if access.pause_membership(actor, p.provider) is not None
    }
    return render(
        request,
        "waitlists/pauses.html",
        {
            "page": page,
            "kind_label": RegionKind(kind).label,
            "endable": endable,
            "can_pause": access.can_pause(actor),
            "end_form": EndPauseForm(initial={"ended_on": timezone.localdate()}),
        },
    )


@verified_required
@domain_errors
def pause_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    providers = access.pausable_providers(actor)
    if not providers.exists():
        raise NotAllowed(
            "Alleen datafunctionarissen van aanbieders en proceseigenaren kunnen een "
            "aanmeldpauze vastleggen."
        )
    today = timezone.localdate()
    initial: dict[str, Any] = {"starts_on": today, "planned_end_on": today + timedelta(days=90)}
    if request.GET.get("aanbieder", "").isdigit():
        initial["provider"] = int(request.GET["aanbieder"])
    group = DiagnosisGroup.objects.filter(code=request.GET.get("groep", "")).first()
    if group:
        initial["diagnosis_group"] = group.pk
        initial["reason"] = (
            f"De wachttijd voor {group.name.lower()} ligt drie maanden of langer boven de "
            "Treeknorm (hotspot)."
        )
    form = PauseForm(request.POST or None, providers=providers, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pause = services.pause_record(
                actor=actor,
                provider=d["provider"],
                diagnosis_group=d["diagnosis_group"],
                starts_on=d["starts_on"],
                planned_end_on=d["planned_end_on"],
                reason=d["reason"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Aanmeldpauze vastgelegd: {pause.provider} – {pause.diagnosis_group}, "
                f"van {dutch_date(pause.starts_on)} tot en met {dutch_date(pause.planned_end_on)}.",
            )
            return redirect(_pause_page_url(pause))
    return render(request, "waitlists/pause_form.html", {"form": form})


def _pause_page_url(pause: RegistrationPause) -> str:
    municipality = pause.provider.municipality
    if municipality is None:
        return reverse("waitlists:index")
    return reverse(
        "waitlists:pauses",
        kwargs={"kind": RegionKind.SAFETY_REGION, "code": municipality.safety_region.code},
    )


@require_POST
@verified_required
@domain_errors
def pause_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    pause = get_object_or_404(
        RegistrationPause.objects.select_related("provider__municipality__safety_region"), pk=pk
    )
    form = EndPauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Geef een geldige datum op.")
    else:
        try:
            services.pause_end(actor=actor, pause=pause, on=form.cleaned_data["ended_on"])
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Aanmeldpauze beëindigd: {pause.provider} – {pause.diagnosis_group}."
            )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/wachtlijsten/"):
        return redirect(next_url)
    return redirect(_pause_page_url(pause))


@verified_required
@domain_errors
def upload(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    memberships = access.upload_memberships(actor)
    if not memberships:
        raise NotAllowed(
            "Alleen datafunctionarissen van een aanbieder kunnen wachtlijsten aanleveren."
        )
    queryset = Membership.objects.filter(pk__in=[m.pk for m in memberships]).select_related(
        "organisation"
    )
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        memberships=queryset,
        initial={"period": last_month, "membership": memberships[0].pk},
    )
    report = None
    problems: list[str] = []
    problem_count = 0
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        membership = form.cleaned_data["membership"]
        try:
            report = services.submission_import(
                data=upload_file.read(),
                name=upload_file.name,
                actor=actor,
                channel=Channel.WEB,
                period=form.cleaned_data["period"],
                membership=membership,
            )
        except services.ImportRejected as exc:
            lines = exc.lines()
            if form.cleaned_data.get("problems_csv"):
                return _problems_csv(exc.message, lines)
            form.add_error(None, exc.message)
            problem_count = len(lines)
            problems = lines[:PROBLEMS_SHOWN]
    sort = request.GET.get("sorteer", "-periode")
    if sort not in UPLOAD_SORTS:
        sort = "-periode"
    past = Submission.objects.filter(
        provider_id__in={m.organisation_id for m in memberships}
    ).select_related("provider", "submitted_by")
    # Page by page with "Meer aanleveringen" (keyset, no OFFSET). The sorts on the provider's
    # name keep the name out of the URL: the cursor names only the last upload's id.
    order = UPLOAD_SORTS[sort]
    page = page_or_redirect(
        request,
        lambda: keyset_page_by(
            past,
            order=order,
            cursor=request.GET.get("na") or None,
            size=UPLOADS_PER_PAGE,
            name=f"aanleveringen {sort}",
            anchor="provider__name" in order,
        ),
        sort=sort,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    return render(
        request,
        "waitlists/upload.html",
        {
            "form": form,
            "report": report,
            "problems": problems,
            "problem_count": problem_count,
            "uploads": page.rows,
            **page_links(request, page),
            "sort": sort,
        },
    )


PROBLEMS_SHOWN = 500  # on the page; the CSV download has every one


def _problems_csv(message: str, lines: list[str]) -> HttpResponse:
    """Every problem of a rejected file, one per row, safe to open in a spreadsheet (a value
    quoted from the file may start with = or +)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Fout"])
    writer.writerow([escape_formula(message)])
    writer.writerows([escape_formula(line)] for line in lines)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="foutenlijst.csv"'
    return response


UPLOADS_PER_PAGE = 50
UPLOAD_SORTS = {
    "-periode": ("-period", "provider__name", "-pk"),
    "periode": ("period", "provider__name", "-pk"),
    "aanbieder": ("provider__name", "-period", "-pk"),
    "-aangeleverd": ("-updated_at", "-pk"),
}


@verified_required
@domain_errors
def published_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kind = request.GET.get("indeling", "")
    if kind not in RegionKind.values:
        kind = ""
    kinds = RegionKind.choices
    only: list[str] | None = None
    if not access.can_view_dashboards(actor):
        # A region's own parties see the published times of their own regions (issue 16 §4).
        own = access.own_regions(actor)
        if not own:
            access.require_dashboards(actor)
        own_kinds = [k for k, _, _ in own]
        if kind not in own_kinds:
            kind = (
                RegionKind.SAFETY_REGION if RegionKind.SAFETY_REGION in own_kinds else own_kinds[0]
            )
        kinds = [(k, label) for k, label in RegionKind.choices if k in own_kinds]
        only = [c for k, c, _ in own if k == kind]
    dims = ("circuit", "care_type", "diagnosis_group", "region" if kind else "")
    source = selectors.latest_published()
    rows = selectors.published_summary(
        actor, kind=kind or None, by=dims, source=source, only_regions=only
    )
    # The diagnosis group column only where the source has one (the 2016 file has none).
    has_groups = any(r.diagnosis_group != published.UNKNOWN for r in rows)
    names = counting.region_names(kind) if kind else {}
    return render(
        request,
        "waitlists/published.html",
        {
            "source": source,
            "rows": [(r, names.get(r.region, r.region)) for r in rows],
            "kind": kind,
            "kinds": kinds,
            "national": only is None,
            "report": source.report if source else None,
            "has_groups": has_groups,
            "today": date.today(),
        },
    )
