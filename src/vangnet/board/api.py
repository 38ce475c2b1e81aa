"""The bestuurlijke overlegtafel over the API (issue 16 §3): the same permission checks and
access log as the pages. Every call that touches a referral writes one access-log row."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import current_user, request_actor
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.directory.models import Organisation
from vangnet.regions.models import Table

from . import access, selectors, services
from .models import BoardReferral

router = Router(tags=["bestuurlijke overlegtafel"])

Text = Field(..., min_length=1, max_length=5000)


class ReferralIn(Schema):
    summary: str = Text
    question: str = Text
    organisation_ids: list[int] = Field(..., max_length=50)


class DoorzettingsmachtIn(ReferralIn):
    table: int = Field(..., ge=1, le=8)
    case_reference: str = Field("", max_length=20)


class DecisionIn(Schema):
    decision: str = Text
    deadline: date


class CarriedOutIn(Schema):
    note: str = Text


class OutlineOut(Schema):
    reference: str
    state: str
    admitted_on: date | None
    term_deadline: date | None
    term_status: str
    escalation_level: str
    ladder: list[str]
    goals: list[str]
    financing: list[str]


class ReferralOut(Schema):
    id: int
    route: str
    table: int
    case_reference: str | None
    summary: str
    question: str
    organisations: list[str]
    submitted_at: datetime
    decision: str
    deadline: date | None
    decided_at: datetime | None
    carried_out_at: datetime | None
    outline: OutlineOut | None


class ReferralPageOut(PageOut):
    items: list[ReferralOut]


def _out(r: BoardReferral, *, outline: bool) -> ReferralOut:
    o = selectors.case_outline(r.case) if outline and r.case else None
    return ReferralOut(
        id=r.pk,
        route=r.route,
        table=r.table.number,
        case_reference=r.case.reference if r.case else None,
        summary=r.summary,
        question=r.question,
        organisations=sorted(str(org) for org in r.organisations.all()),
        submitted_at=r.created_at,
        decision=r.decision,
        deadline=r.deadline,
        decided_at=r.decided_at,
        carried_out_at=r.carried_out_at,
        outline=OutlineOut(
            reference=o.reference,
            state=o.state,
            admitted_on=o.admitted_on,
            term_deadline=o.term_deadline,
            term_status=o.term_status,
            escalation_level=o.escalation_level,
            ladder=[f"{on.isoformat()}: {step}" for on, step in o.ladder],
            goals=[f"{d} – {org} ({s})" for d, org, s in o.goals],
            financing=[f"{i}: {d}" for i, d in o.financing],
        )
        if o
        else None,
    )


def _organisations(ids: list[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError("Onbekende organisatie gekozen.", field="organisation_ids")
    return found


def _referral(
    request: HttpRequest, pk: int, action: str, *, role: str | None = None
) -> tuple[BoardReferral, object]:
    referral = BoardReferral.objects.select_related("table", "case").filter(pk=pk).first()
    if referral is None:
        raise NotFound("Dit agendapunt bestaat niet.")
    actor = request_actor(request)
    return referral, access.referral_access(
        actor, referral, action=action, channel="api", role=role
    )


@router.get(
    "/referrals",
    response=ReferralPageOut,
    summary="Agendapunten van de bestuurlijke overlegtafel die u mag zien (nieuwste eerst)",
)
def list_referrals(request: HttpRequest, paging_query: Query[PageQuery]):
    actor = request_actor(request)
    if not access.can_use(actor):
        access_log_write(
            actor=actor, action=Action.LIST, outcome="denied", channel="api", detail=access.DETAIL
        )
        raise NotAllowed("De bestuurlijke overlegtafel is voor bestuurders en coördinatoren.")
    page = api_page(
        access.visible_referrals(actor).select_related("table", "case"),
        paging_query,
        field="created_at",
    )
    access_log_write(actor=actor, action=Action.LIST, channel="api", detail=access.DETAIL)
    return ReferralPageOut(
        items=[_out(r, outline=False) for r in page.rows], **paging(request, page)
    )


@router.get("/referrals/{pk}", response=ReferralOut, summary="Agendapunt inzien (samenvatting)")
def read_referral(request: HttpRequest, pk: int):
    referral, _ = _referral(request, pk, Action.READ)
    return _out(referral, outline=True)


@router.post(
    "/referrals/{pk}/decision",
    response=ReferralOut,
    summary="Besluit en uiterste datum vastleggen (bestuurder van een betrokken organisatie)",
)
def decide(request: HttpRequest, pk: int, payload: DecisionIn):
    referral, membership = _referral(request, pk, Action.UPDATE, role=Role.BOARD_MEMBER)
    done = services.referral_decide(
        referral=referral,
        actor=current_user(request),
        membership=membership,  # type: ignore[arg-type]
        decision=payload.decision,
        deadline=payload.deadline,
    )
    return _out(done, outline=False)


@router.post(
    "/referrals/{pk}/carried-out",
    response=ReferralOut,
    summary="Vastleggen dat het besluit is uitgevoerd (coördinator van de tafel)",
)
def carried_out(request: HttpRequest, pk: int, payload: CarriedOutIn):
    referral, membership = _referral(request, pk, Action.UPDATE, role=Role.COORDINATOR)
    done = services.referral_carried_out(
        referral=referral,
        actor=current_user(request),
        membership=membership,  # type: ignore[arg-type]
        note=payload.note,
    )
    return _out(done, outline=False)


@router.post(
    "/referrals",
    response={201: ReferralOut},
    summary="Casus inbrengen via de regionale doorzettingsmacht (bestuurder of coördinator)",
)
def doorzettingsmacht(request: HttpRequest, payload: DoorzettingsmachtIn):
    actor = request_actor(request)
    membership = access.require_doorzettingsmacht(actor, channel="api")
    table = Table.objects.filter(number=payload.table).first()
    if table is None:
        raise DomainError("Deze tafel bestaat niet.", field="table")
    case = None
    if payload.case_reference:
        case = Case.objects.filter(reference=payload.case_reference).first()
        if case is None:
            raise NotFound("Deze casus bestaat niet.")
        if membership.role != Role.COORDINATOR:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                outcome="denied",
                case_id=case.pk,
                case_reference=case.reference,
                channel="api",
                detail=f"{access.DETAIL}: doorzettingsmacht met casus",
            )
            raise NotAllowed(
                "Een bestuurder brengt een situatie in zonder casus; de coördinator koppelt haar "
                "aan een casus van de tafel."
            )
        case_access(
            actor,
            case,
            permission=Permission.MANAGE,
            action=Action.UPDATE,
            channel="api",
            detail=f"{access.DETAIL}: doorzettingsmacht",
        )
    referral = services.referral_doorzettingsmacht(
        actor=actor.user,
        membership=membership,
        table=table,
        summary=payload.summary,
        question=payload.question,
        organisations=_organisations(payload.organisation_ids),
        case=case,
    )
    access_log_write(
        actor=actor,
        action=Action.CREATE,
        membership=membership,
        case_id=case.pk if case else None,
        case_reference=case.reference if case else "",
        channel="api",
        detail=f"{access.DETAIL} agendapunt {referral.pk}: doorzettingsmacht",
    )
    return Status(201, _out(referral, outline=False))


@router.post(
    "/cases/{reference}/referral",
    response={201: ReferralOut},
    summary="Casus op niveau 4 voorleggen aan de bestuurlijke overlegtafel (coördinator)",
)
def refer(request: HttpRequest, reference: str, payload: ReferralIn):
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise NotFound("Deze casus bestaat niet.")
    actor = request_actor(request)
    membership = case_access(
        actor,
        case,
        permission=Permission.MANAGE,
        action=Action.UPDATE,
        channel="api",
        detail=access.DETAIL,
    )
    referral = services.referral_from_ladder(
        case=case,
        actor=actor.user,
        membership=membership,
        summary=payload.summary,
        question=payload.question,
        organisations=_organisations(payload.organisation_ids),
    )
    return Status(201, _out(referral, outline=False))
