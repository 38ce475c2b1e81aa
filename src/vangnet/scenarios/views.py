"""Scenario pages: calibrate a region × group, turn the knobs, run (in steps driven by the page's
progress poll, so the page never waits for a whole run), compare up to four scenarios, export
PDF and XLSX. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.common.pagination import keyset_page, page_or_redirect
from vangnet.waitlists.models import RegionKind

from . import access, exports, selectors, services
from .forms import CalibrateForm, ScenarioForm
from .workflow import Status


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


PAGE_SIZE = 50


def _index(
    request: HttpRequest, actor: Actor, form: CalibrateForm, status: int = 200
) -> HttpResponse:
    # Page by page (keyset), newest first, with a "more" link instead of a silent cut-off. The
    # link leads to the index; a calibration form posted back with errors shows the first page
    # (a cursor there could only be refused with a redirect to the POST-only calibrate URL).
    cursor = request.GET.get("na") if request.method == "GET" else None
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            selectors.scenarios(actor), field="created_at", cursor=cursor or None, size=PAGE_SIZE
        ),
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    return render(
        request,
        "scenarios/index.html",
        {
            "form": form,
            "scenarios": page.rows,
            "more": urlencode({"na": page.next_cursor}) if page.next_cursor else None,
            "max_compare": selectors.MAX_COMPARE,
        },
        status=status,
    )


@verified_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor)
    return _index(request, actor, CalibrateForm())


@require_POST
@verified_required
@domain_errors
def calibrate(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor)
    form = CalibrateForm(request.POST)
    if not form.is_valid():
        return _index(request, actor, form, status=400)
    try:
        cal = services.calibration_compute(
            actor=actor,
            region_kind=RegionKind.SAFETY_REGION,
            region_code=form.cleaned_data["region"],
            group_code=form.cleaned_data["group"],
            treatment_weeks=form.cleaned_data["treatment_weeks"],
        )
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        form.add_error(None, exc.message)
        return _index(request, actor, form, status=400)
    return redirect("scenarios:calibration", pk=cal.pk)


@verified_required
@domain_errors
def calibration_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    cal = selectors.calibration(actor, pk)
    if request.method == "POST":
        form = ScenarioForm(request.POST, calibration=cal)
        if form.is_valid():
            try:
                sc = services.scenario_create(
                    actor=actor,
                    calibration=cal,
                    name=form.cleaned_data["name"],
                    knobs=form.knobs(),
                    horizon_months=form.cleaned_data["horizon_months"],
                    replications=form.cleaned_data["replications"],
                    seed=form.cleaned_data["seed"],
                )
            except DomainError as exc:
                if isinstance(exc, NotAllowed | NotFound):
                    raise
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                return redirect("scenarios:scenario", pk=sc.pk)
        status = 400
    else:
        form = ScenarioForm(calibration=cal, initial={"name": "Scenario"})
        status = 200
    p = cal.parameters
    providers = [
        {
            "name": prov["name"],
            "share": p["provider_share"][i],
            "intake": p["intake_per_week"][i],
            "servers": p["servers"][i],
        }
        for i, prov in enumerate(p["providers"])
    ]
    return render(
        request,
        "scenarios/calibration.html",
        {
            "cal": cal,
            "p": p,
            "providers": providers,
            "treatment_weeks": round(cal.treatment_days / 7, 1),
            "patience_weeks": None
            if p["patience_days"] is None
            else round(p["patience_days"] / 7, 1),
            "trend_pct": round(100 * p["trend_per_month"], 1),
            "bt": cal.backtest,
            "bt_rows": list(
                zip(
                    cal.backtest.get("months", []),
                    cal.backtest.get("actual", []),
                    cal.backtest.get("simulated", []),
                    cal.backtest.get("naive", []),
                    strict=False,
                )
            ),
            "form": form,
            "scenarios": cal.scenarios.all(),
        },
        status=status,
    )


@verified_required
@domain_errors
def scenario_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    sc = selectors.scenario(actor, pk)
    context: dict[str, Any] = {"sc": sc, "done": sc.status == Status.DONE}
    if sc.status == Status.DONE:
        context["cmp"] = selectors.compare(actor, [sc.pk])
        context["rows"] = exports.rows(sc)
    return render(request, "scenarios/scenario.html", context)


@require_POST
@verified_required
@domain_errors
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the run (about a second of replications), then the progress bar. When the
    run is done, HTMX reloads the page to show the results."""
    actor = _actor(request)
    sc = selectors.scenario(actor, pk)
    sc = services.scenario_step(scenario_id=sc.pk)
    response = render(request, "scenarios/_progress.html", {"sc": sc})
    if sc.status in (Status.DONE, Status.FAILED):
        response["HX-Refresh"] = "true"
    return response


def _comparison(request: HttpRequest, actor: Actor) -> selectors.Comparison:
    ids = selectors.parse_ids(request.GET.getlist("s"))
    return selectors.compare(actor, ids)


@verified_required
@domain_errors
def compare_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        cmp = _comparison(request, actor)
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("scenarios:index")
    return render(
        request,
        "scenarios/compare.html",
        {
            "cmp": cmp,
            "query": request.GET.urlencode(),
            "tables": [exports.rows(s) for s in cmp.scenarios],
        },
    )


@verified_required
@domain_errors
def compare_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML

    actor = _actor(request)
    try:
        cmp = _comparison(request, actor)
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("scenarios:index")
    html = render_to_string(
        "scenarios/compare_pdf.html",
        {
            "cmp": cmp,
            "generated": timezone.localtime(),
            "tables": [exports.rows(s) for s in cmp.scenarios],
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    access_log_write(actor=actor, action=Action.EXPORT, detail="scenariovergelijking (pdf)")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="scenariovergelijking.pdf"'
    return response


@verified_required
@domain_errors
def compare_xlsx(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        cmp = _comparison(request, actor)
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("scenarios:index")
    data = exports.xlsx(cmp.scenarios)
    access_log_write(actor=actor, action=Action.EXPORT, detail="scenariovergelijking (xlsx)")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="scenariovergelijking.xlsx"'
    return response
