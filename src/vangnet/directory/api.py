"""The sociale kaart over the API: read for every signed-in user, write for the organisation's
own editors (role *sociale kaart beheren*). Errors are problem+json with Dutch messages; a
refused write is logged in the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.selectors import Actor, current_user, request_actor
from vangnet.common.errors import NotFound

from . import access, selectors, services
from .models import Location, Offer, Organisation
from .validation import EntryInvalid, LocationInput, OfferInput

router = Router(tags=["sociale kaart"])


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def _invalid(request: HttpRequest, exc: EntryInvalid) -> HttpResponse:
    from vangnet.api.errors import problem

    errors = [{"field": p.field, "detail": p.message} for p in exc.problems]
    return problem(request, 400, exc.message, code=exc.code, field=exc.field, errors=errors)


class LocationOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    name: str
    remote: bool
    address: str
    postcode: str
    municipality: str | None = Field(None, description="CBS-code, bijvoorbeeld GM0363")
    served_area: str
    served_province: str | None
    served_table: int | None
    phone: str
    email: str
    website: str
    opening_hours: str
    accessibility: str
    latitude: float | None
    longitude: float | None
    confirmed_at: datetime
    stale: bool


class OfferOut(Schema):
    id: int
    location: LocationOut
    kind: str
    name: str
    description: str
    diagnosis_groups: list[str]
    age_min: int | None
    age_max: int | None
    lvb: bool
    forensic: bool
    financing: str
    access: str
    stated_wait_weeks: int | None
    observed_wait_weeks: float | None
    expected_wait: str
    confirmed_at: datetime
    stale: bool
    distance_km: float | None = None


class OfferPage(Schema):
    count: int
    page: int
    pages: int
    items: list[OfferOut]


class LocationIn(Schema):
    name: str = Field(..., max_length=200)
    remote: bool = False
    address: str = ""
    postcode: str = ""
    municipality: str = Field("", description="CBS-code (GM0363) of naam")
    served_area: Literal["", "national", "province", "region"] = ""
    served_province: str = ""
    served_table: int | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    accessibility: str = ""


class LocationCreateIn(LocationIn):
    organisation_id: int


class OfferIn(Schema):
    kind: str
    name: str = Field(..., max_length=200)
    financing: str
    access: str
    description: str = ""
    diagnosis_groups: list[str] = []
    age_min: int | None = None
    age_max: int | None = None
    lvb: bool = False
    forensic: bool = False
    stated_wait_weeks: int | None = None


class SearchQuery(Schema):
    q: str = ""
    kind: str = ""
    group: str = ""
    financing: str = ""
    age: int | None = Field(None, ge=0, le=120)
    lvb: bool = False
    forensic: bool = False
    table: int | None = None
    origin: str = Field("", description="Gemeentecode voor de afstand")
    max_km: float | None = Field(None, gt=0, le=400)
    sort: Literal["name", "distance", "wait"] = "name"
    page: int = Field(1, ge=1)


def _location_out(loc: Location) -> LocationOut:
    return LocationOut(
        id=loc.pk,
        organisation_id=loc.organisation_id,
        organisation=loc.organisation.name,
        name=loc.name,
        remote=loc.remote,
        address=loc.address,
        postcode=loc.postcode,
        municipality=loc.municipality.code if loc.municipality else None,
        served_area=loc.served_area,
        served_province=loc.served_province.code if loc.served_province else None,
        served_table=loc.served_table.number if loc.served_table else None,
        phone=loc.phone,
        email=loc.email,
        website=loc.website,
        opening_hours=loc.opening_hours,
        accessibility=loc.accessibility,
        latitude=loc.latitude,
        longitude=loc.longitude,
        confirmed_at=loc.confirmed_at,
        stale=loc.is_stale(),
    )


def _offer_out(offer: Offer, distance: float | None = None) -> OfferOut:
    return OfferOut(
        id=offer.pk,
        location=_location_out(offer.location),
        kind=offer.kind,
        name=offer.name,
        description=offer.description,
        diagnosis_groups=sorted(g.code for g in offer.diagnosis_groups.all()),
        age_min=offer.age_min,
        age_max=offer.age_max,
        lvb=offer.lvb,
        forensic=offer.forensic,
        financing=offer.financing,
        access=offer.access,
        stated_wait_weeks=offer.stated_wait_weeks,
        observed_wait_weeks=offer.observed_wait_weeks,
        expected_wait=selectors.expected_wait_text(offer),
        confirmed_at=offer.confirmed_at,
        stale=offer.is_stale() or offer.location.is_stale(),
        distance_km=None if distance is None else round(distance, 2),
    )


def _location(pk: int) -> Location:
    loc = (
        Location.objects.select_related(
            "organisation", "municipality", "served_province", "served_table"
        )
        .filter(pk=pk)
        .first()
    )
    if loc is None:
        raise NotFound("Deze locatie bestaat niet.")
    return loc


def _offer(pk: int) -> Offer:
    offer = Offer.objects.select_related("location__organisation").filter(pk=pk).first()
    if offer is None:
        raise NotFound("Dit aanbod bestaat niet.")
    return offer


@router.get("/offers", response=OfferPage)
def offers(request: HttpRequest, filters: Query[SearchQuery]):
    """Search the sociale kaart (20 per page); `sort=distance` needs `origin`."""
    result = selectors.search(_actor(request), selectors.SearchParams(**filters.dict()), api=True)
    return OfferPage(
        count=result.total,
        page=result.page.number,
        pages=result.page.paginator.num_pages,
        items=[_offer_out(r.offer, r.distance_km) for r in result.rows],
    )


@router.get("/offers/{pk}", response=OfferOut)
def offer(request: HttpRequest, pk: int):
    return _offer_out(selectors.offer_for_read(_actor(request), pk))


@router.get("/locations/{pk}", response=LocationOut)
def location(request: HttpRequest, pk: int):
    if not access.can_read(_actor(request)):
        raise NotFound("Deze locatie bestaat niet.")
    return _location_out(_location(pk))


@router.post("/locations", response={201: LocationOut})
def location_create(request: HttpRequest, payload: LocationCreateIn):
    """Add a location to your own organisation (role *sociale kaart beheren*)."""
    actor = _actor(request)
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise NotFound("Deze organisatie bestaat niet.")
    data = LocationInput(**payload.dict(exclude={"organisation_id"}))
    try:
        loc = services.location_save(
            actor=actor, organisation=organisation, data=data, channel="api"
        )
    except EntryInvalid as exc:
        return _invalid(request, exc)
    return Status(201, _location_out(_location(loc.pk)))


@router.put("/locations/{pk}", response=LocationOut)
def location_update(request: HttpRequest, pk: int, payload: LocationIn):
    loc = _location(pk)
    try:
        services.location_save(
            actor=_actor(request),
            organisation=loc.organisation,
            location=loc,
            data=LocationInput(**payload.dict()),
            channel="api",
        )
    except EntryInvalid as exc:
        return _invalid(request, exc)
    return _location_out(_location(pk))


@router.post("/locations/{pk}/offers", response={201: OfferOut})
def offer_create(request: HttpRequest, pk: int, payload: OfferIn):
    loc = _location(pk)
    try:
        saved = services.offer_save(
            actor=_actor(request), location=loc, data=OfferInput(**payload.dict()), channel="api"
        )
    except EntryInvalid as exc:
        return _invalid(request, exc)
    return Status(201, _offer_out(selectors.offer_for_read(_actor(request), saved.pk)))


@router.put("/offers/{pk}", response=OfferOut)
def offer_update(request: HttpRequest, pk: int, payload: OfferIn):
    current = _offer(pk)
    actor = _actor(request)
    try:
        services.offer_save(
            actor=actor,
            location=current.location,
            offer=current,
            data=OfferInput(**payload.dict()),
            channel="api",
        )
    except EntryInvalid as exc:
        return _invalid(request, exc)
    return _offer_out(selectors.offer_for_read(actor, pk))


@router.post("/offers/{pk}/confirm", response=OfferOut)
def offer_confirm(request: HttpRequest, pk: int):
    """State that the offer is still right (it is no longer stale for six months)."""
    actor = _actor(request)
    services.entry_confirm(actor=actor, entry=_offer(pk), channel="api")
    return _offer_out(selectors.offer_for_read(actor, pk))


@router.delete("/offers/{pk}", response={204: None})
def offer_remove(request: HttpRequest, pk: int):
    services.offer_delete(actor=_actor(request), offer=_offer(pk), channel="api")
    return Status(204, None)


# --- the sociale kaart in a case's plan (issue 16 §5) -------------------------------------------
# Mounted at the root beside the case-work routers: the paths sit under /cases/{reference}/….
# The planning services check and log the case access themselves (channel api); the check
# before the body only refuses (and logs) a caller without the permission, so a refusal is never
# a 422 and an allowed call writes one row.

case_router = Router(tags=["sociale kaart"])


def _manage_first(detail: str) -> list[object]:
    from vangnet.api.auth import auth_then
    from vangnet.audit.models import Action
    from vangnet.cases.access import Permission, case_access, granting_membership
    from vangnet.cases.selectors import case_by_reference

    def check(request: HttpRequest) -> None:
        reference = request.resolver_match.kwargs["reference"]  # type: ignore[union-attr]
        case = case_by_reference(reference)
        actor = _actor(request)
        if granting_membership(actor, case, Permission.MANAGE) is None:
            case_access(  # logs the refusal and raises NotAllowed
                actor,
                case,
                permission=Permission.MANAGE,
                action=Action.UPDATE,
                channel="api",
                detail=detail,
            )

    return auth_then(check)


class GoalOfferIn(Schema):
    offer_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        ..., description="Het aanbod; null om het los te koppelen"
    )


class GoalOfferOut(Schema):
    goal_id: int
    offer_id: int | None
    message: str


@case_router.post(
    "/cases/{reference}/plan/goals/{goal_id}/offer",
    response=GoalOfferOut,
    summary="Aanbod uit de sociale kaart aan een doel van het plan koppelen (coördinator)",
    auth=_manage_first("plan: aanbod bij doel"),
)
def goal_offer(
    request: HttpRequest,
    reference: str,
    goal_id: Annotated[int, Field(ge=1, le=2_147_483_647)],
    payload: GoalOfferIn,
):
    from vangnet.cases.selectors import case_by_reference
    from vangnet.plans.models import PlanGoal

    from . import planning

    case = case_by_reference(reference)
    goal = PlanGoal.objects.select_related("plan__case").filter(pk=goal_id, plan__case=case).first()
    if goal is None:
        raise NotFound("Dit doel bestaat niet bij deze casus.")
    offer = None
    if payload.offer_id is not None:
        offer = Offer.objects.filter(pk=payload.offer_id).first()
        if offer is None:
            raise NotFound("Dit aanbod bestaat niet.")
    goal = planning.goal_offer_attach(
        actor=current_user(request), goal=goal, offer=offer, channel="api"
    )
    return GoalOfferOut(
        goal_id=goal.pk,
        offer_id=goal.offer_id,
        message=f"Aanbod '{offer.name}' is aan het doel gekoppeld."
        if offer
        else "Aanbod losgekoppeld.",
    )


class ShortageIn(Schema):
    code: str = Field(..., max_length=40, description="Een tekort van de monitor (vraag 14)")
    note: str = Field("", max_length=1000, description="Verplicht bij 'other'")
    search: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict,
        max_length=20,
        description="De zoekopdracht in de sociale kaart die niets vond (filters, geen patiënt)",
    )


class ShortageOut(Schema):
    id: int
    code: str
    shortages: list[str] = Field(description="De tekorten van de casus, voor de afsluiting")


@case_router.post(
    "/cases/{reference}/shortages",
    response={201: ShortageOut},
    summary="Tekort vastleggen: de sociale kaart had geen passend aanbod (coördinator)",
    auth=_manage_first("tekort vastgelegd"),
)
def shortage(request: HttpRequest, reference: str, payload: ShortageIn):
    from vangnet.cases.selectors import case_by_reference

    from . import planning
    from .views import SEARCH_KEYS

    case = case_by_reference(reference)
    # Only the sociale kaart's own filters are kept with the shortage; nothing else is stored.
    search = {k: v for k, v in payload.search.items() if k in SEARCH_KEYS}
    record = planning.shortage_record(
        actor=current_user(request),
        case=case,
        code=payload.code,
        note=payload.note,
        search=search,
        channel="api",
    )
    case.refresh_from_db()
    return Status(201, ShortageOut(id=record.pk, code=record.code, shortages=list(case.shortages)))
