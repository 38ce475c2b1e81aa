"""Pages of the sociale kaart: search (signed-in roles), an editor's own entries with forms,
import and export, and the public region page (no login). Thin: parse, call a selector or
service, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import Actor, current_user, request_actor
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.regions.models import Table

from . import access, kaart_io, selectors, services
from .forms import ImportForm, LocationForm, OfferForm, SearchForm
from .models import Location, Offer, Organisation
from .validation import EntryInvalid


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            # The specific Dutch reason helps an editor more than the generic 403 page.
            return render(
                request,
                "errors/error.html",
                {"title": "Geen toegang", "message": exc.message + " Deze poging is vastgelegd."},
                status=403,
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


@verified_required
@domain_errors
def search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_search(actor)
    form = SearchForm(request.GET or None)
    result = error = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        params = selectors.SearchParams(
            q=d["q"],
            kind=d["kind"],
            group=d["group"],
            financing=d["financing"],
            age=d["age"],
            lvb=d["lvb"],
            forensic=d["forensic"],
            table=d["table"],
            origin=d["origin"],
            max_km=float(d["max_km"]) if d["max_km"] else None,
            sort=d["sort"] or "name",
            page=_page(request),
        )
        try:
            result = selectors.search(actor, params)
        except DomainError as exc:
            if isinstance(exc, NotAllowed | NotFound):
                raise
            error = exc.message
    elif not form.is_bound:
        result = selectors.search(actor, selectors.SearchParams(page=_page(request)))
    query = request.GET.copy()
    query.pop("page", None)
    goal = _goal_for_search(request, actor)
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "result": result,
            "error": error,
            "query": query.urlencode(),
            "can_edit": bool(access.editor_organisation_ids(actor)),
            "goal": goal,
            "shortages": _shortage_choices() if goal else [],
        },
    )


def _goal_for_search(request: HttpRequest, actor: Actor) -> Any:
    """The plan goal a coordinator searches an offer for (`?doel=`), after the case access check
    (logged). Only the case reference and the goal's life domain are shown on the page."""
    from vangnet.audit.models import Action
    from vangnet.cases.access import Permission, case_access
    from vangnet.plans.models import PlanGoal

    raw = request.GET.get("doel", "")
    if not raw.isdigit():
        return None
    goal = PlanGoal.objects.select_related("plan__case").filter(pk=int(raw)).first()
    if goal is None:
        raise NotFound("Dit doel bestaat niet.")
    case_access(
        actor,
        goal.plan.case,
        permission=Permission.MANAGE,
        action=Action.READ,
        detail="sociale kaart: aanbod zoeken voor doel",
    )
    return goal


def _shortage_choices() -> list[tuple[str, str]]:
    from vangnet.reference import questionnaire as codes

    return list(codes.SHORTAGES)


SEARCH_KEYS = (
    "q",
    "kind",
    "group",
    "financing",
    "age",
    "lvb",
    "forensic",
    "table",
    "origin",
    "max_km",
)


@require_POST
@verified_required
@domain_errors
def goal_attach(request: HttpRequest, goal: int) -> HttpResponse:
    """Attach the chosen offer to the plan goal (coordinator of the case's table)."""
    from vangnet.plans.models import PlanGoal

    from . import planning

    plan_goal = get_object_or_404(PlanGoal.objects.select_related("plan__case"), pk=goal)
    raw = request.POST.get("offer", "")
    offer = get_object_or_404(Offer, pk=int(raw)) if raw.isdigit() else None
    try:
        planning.goal_offer_attach(actor=current_user(request), goal=plan_goal, offer=offer)
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Aanbod '{offer.name}' is aan het doel gekoppeld."
            if offer
            else "Aanbod losgekoppeld.",
        )
    return redirect("cases:detail", plan_goal.plan.case.reference)


@require_POST
@verified_required
@domain_errors
def goal_shortage(request: HttpRequest, goal: int) -> HttpResponse:
    """Record a shortage for the goal's case: the search found no suitable offer."""
    from vangnet.plans.models import PlanGoal

    from . import planning

    plan_goal = get_object_or_404(PlanGoal.objects.select_related("plan__case"), pk=goal)
    search = {k: request.POST.get(k, "") for k in SEARCH_KEYS if request.POST.get(k)}
    try:
        planning.shortage_record(
            actor=current_user(request),
            case=plan_goal.plan.case,
            code=request.POST.get("code", ""),
            note=request.POST.get("note", ""),
            search=search,
        )
    except DomainError as exc:
        if isinstance(exc, NotAllowed | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect(f"{reverse('directory:search')}?doel={plan_goal.pk}")
    messages.success(request, "Het tekort is vastgelegd; het telt mee in de monitor bij afsluiten.")
    return redirect("cases:detail", plan_goal.plan.case.reference)


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@verified_required
@domain_errors
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    offer = selectors.offer_for_read(actor, pk)
    return render(
        request,
        "directory/offer_detail.html",
        {
            "offer": offer,
            "stale": offer.is_stale() or offer.location.is_stale(),
            "expected_wait": selectors.expected_wait_text(offer),
            "history": selectors.offer_history(offer)[:20],
            "can_edit": access.editor_membership(actor, offer.location.organisation_id) is not None,
        },
    )


@verified_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    ids = access.editor_organisation_ids(actor)
    if not ids:
        raise NotAllowed(
            "Deze pagina is voor medewerkers met de rol 'Sociale kaart beheren' van een organisatie."
        )
    organisations = Organisation.objects.filter(pk__in=ids).order_by("name")
    locations = list(selectors.own_entries(actor))
    return render(
        request,
        "directory/mine.html",
        {"organisations": organisations, "locations": locations, "import_form": ImportForm()},
    )


def _save_location(
    request: HttpRequest, organisation: Organisation, location: Location | None
) -> HttpResponse:
    actor = _actor(request)
    what = f"locatie {location.pk}" if location else f"nieuwe locatie ({organisation.pk})"
    access.require_editor(actor, organisation.pk, what=what)
    initial = LocationForm.initial_for(location) if location else None
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.location_save(
                actor=actor, organisation=organisation, data=form.to_input(), location=location
            )
        except EntryInvalid as exc:
            form.add_problems(exc)
        else:
            messages.success(request, f"Locatie '{saved.name}' is opgeslagen en bevestigd.")
            return redirect("directory:mine")
    return render(
        request,
        "directory/location_form.html",
        {"form": form, "organisation": organisation, "location": location},
    )


@verified_required
@domain_errors
def location_new(request: HttpRequest, org: int) -> HttpResponse:
    return _save_location(request, get_object_or_404(Organisation, pk=org), None)


@verified_required
@domain_errors
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(Location.objects.select_related("organisation"), pk=pk)
    return _save_location(request, location.organisation, location)


def _save_offer(request: HttpRequest, location: Location, offer: Offer | None) -> HttpResponse:
    actor = _actor(request)
    what = f"aanbod {offer.pk}" if offer else f"nieuw aanbod ({location.organisation_id})"
    access.require_editor(actor, location.organisation_id, what=what)
    initial = OfferForm.initial_for(offer) if offer else None
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.offer_save(
                actor=actor, location=location, data=form.to_input(), offer=offer
            )
        except EntryInvalid as exc:
            form.add_problems(exc)
        else:
            messages.success(request, f"Aanbod '{saved.name}' is opgeslagen en bevestigd.")
            return redirect("directory:offer", pk=saved.pk)
    return render(
        request,
        "directory/offer_form.html",
        {"form": form, "location": location, "offer": offer},
    )


@verified_required
@domain_errors
def offer_new(request: HttpRequest, location: int) -> HttpResponse:
    loc = get_object_or_404(Location.objects.select_related("organisation"), pk=location)
    return _save_offer(request, loc, None)


@verified_required
@domain_errors
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("location__organisation"), pk=pk)
    return _save_offer(request, offer.location, offer)


@require_POST
@verified_required
@domain_errors
def confirm(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    entry: Location | Offer = (
        get_object_or_404(Location, pk=pk)
        if entity == "locatie"
        else get_object_or_404(Offer.objects.select_related("location"), pk=pk)
    )
    services.entry_confirm(actor=_actor(request), entry=entry)
    messages.success(request, f"'{entry.name}' is bevestigd: de gegevens kloppen nog.")
    return redirect(request.POST.get("next") or "directory:mine")


@verified_required
@domain_errors
def export(request: HttpRequest, org: int, fmt: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=org)
    actor = _actor(request)
    if access.editor_membership(actor, organisation.pk) is None:
        access.require_search(actor)
    rows = kaart_io.export_rows(organisation)
    if fmt == "xlsx":
        response = HttpResponse(
            kaart_io.write_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(kaart_io.write_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sociale-kaart-{organisation.pk}.{fmt}"'
    )
    return response


@require_POST
@verified_required
@domain_errors
def import_file(request: HttpRequest, org: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=org)
    actor = _actor(request)
    access.require_editor(actor, organisation.pk, what=f"import ({organisation.pk})")
    form = ImportForm(request.POST, request.FILES)
    problems: list[kaart_io.LineProblem] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = kaart_io.kaart_import(
                actor=actor, organisation=organisation, data=upload.read(), filename=upload.name
            )
        except kaart_io.KaartImportRejected as exc:
            messages.error(request, exc.message)
            problems = exc.problems
        else:
            messages.success(
                request,
                f"Geïmporteerd: {report.locations_created} locaties nieuw, "
                f"{report.locations_updated} bijgewerkt; {report.offers_created} aanbod nieuw, "
                f"{report.offers_updated} bijgewerkt.",
            )
            return redirect("directory:mine")
    locations = list(selectors.own_entries(actor))
    organisations = Organisation.objects.filter(
        pk__in=access.editor_organisation_ids(actor)
    ).order_by("name")
    return render(
        request,
        "directory/mine.html",
        {
            "organisations": organisations,
            "locations": locations,
            "import_form": form,
            "problems": problems,
        },
        status=400,
    )


def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/public_index.html", {"tables": Table.objects.all()})


@domain_errors
def public_region(request: HttpRequest, number: int) -> HttpResponse:
    table, sections = selectors.region_public(number)
    return render(request, "directory/public_region.html", {"table": table, "sections": sections})
