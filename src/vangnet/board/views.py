"""Pages of the bestuurlijke overlegtafel. Thin: check access (logged), parse, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role
from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.cases.views import case_or_404
from vangnet.common.errors import DomainError, DomainErrors, NotAllowed
from vangnet.common.pagination import keyset_page, page_links, page_or_redirect
from vangnet.directory.models import Organisation
from vangnet.regions.models import Table

from . import access, selectors, services
from .forms import CarriedOutForm, DecisionForm, DoorzettingsmachtForm, ReferralForm
from .models import BoardReferral

SHOWN = 100


def _errors_to_form(form: object, exc: DomainError) -> None:
    errors = exc.errors if isinstance(exc, DomainErrors) else [exc]
    for e in errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)  # type: ignore[attr-defined]


def _board_organisations(extra: Q | None = None) -> QuerySet[Organisation]:
    condition = Q(memberships__role=Role.BOARD_MEMBER, memberships__active=True)
    if extra is not None:
        condition |= extra
    return Organisation.objects.filter(condition).distinct()


@verified_required
def referral_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not access.can_use(actor):
        access_log_write(actor=actor, action=Action.LIST, outcome="denied", detail=access.DETAIL)
        raise PermissionDenied("De bestuurlijke overlegtafel is voor bestuurders en coördinatoren.")
    # Newest first, page by page with "Meer agendapunten" (keyset: each item once, no cap).
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            access.visible_referrals(actor).select_related("table", "case"),
            field="created_at",
            cursor=request.GET.get("na") or None,
            size=SHOWN,
        ),
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    access_log_write(actor=actor, action=Action.LIST, detail=access.DETAIL)
    return render(request, "board/list.html", {"referrals": page.rows, **page_links(request, page)})


@verified_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    referral = get_object_or_404(
        BoardReferral.objects.select_related("table", "case", "decided_by_organisation"), pk=pk
    )
    try:
        membership = access.referral_access(actor, referral, action=Action.READ)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    return _detail_page(request, referral, membership.role)


def _detail_page(
    request: HttpRequest,
    referral: BoardReferral,
    role: str,
    *,
    decision_form: DecisionForm | None = None,
    carried_form: CarriedOutForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_board = role == Role.BOARD_MEMBER
    return render(
        request,
        "board/detail.html",
        {
            "referral": referral,
            "organisations": referral.organisations.order_by("name"),
            "outline": selectors.case_outline(referral.case) if referral.case else None,
            "is_board": is_board,
            "decision_form": decision_form or DecisionForm(auto_id="decision_%s")
            if is_board and referral.decided_at is None
            else None,
            "carried_form": carried_form or CarriedOutForm(auto_id="carried_%s")
            if role == Role.COORDINATOR and referral.decided_at and not referral.carried_out_at
            else None,
        },
        status=status,
    )


@require_POST
@verified_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    referral = get_object_or_404(BoardReferral.objects.select_related("table", "case"), pk=pk)
    try:
        membership = access.referral_access(
            actor, referral, action=Action.UPDATE, role=Role.BOARD_MEMBER
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    form = DecisionForm(request.POST, auto_id="decision_%s")
    if form.is_valid():
        try:
            services.referral_decide(
                referral=referral,
                actor=actor.user,
                membership=membership,
                decision=form.cleaned_data["decision"],
                deadline=form.cleaned_data["deadline"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Het besluit is vastgelegd; de coördinator is op de hoogte.")
            return redirect("board:detail", pk=referral.pk)
    return _detail_page(request, referral, membership.role, decision_form=form, status=400)


@require_POST
@verified_required
def carried_out(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    referral = get_object_or_404(BoardReferral.objects.select_related("table", "case"), pk=pk)
    try:
        membership = access.referral_access(
            actor, referral, action=Action.UPDATE, role=Role.COORDINATOR
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    form = CarriedOutForm(request.POST, auto_id="carried_%s")
    if form.is_valid():
        try:
            services.referral_carried_out(
                referral=referral,
                actor=actor.user,
                membership=membership,
                note=form.cleaned_data["note"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Vastgelegd: het besluit is uitgevoerd.")
            return redirect("board:detail", pk=referral.pk)
    return _detail_page(request, referral, membership.role, carried_form=form, status=400)


@verified_required
def refer(request: HttpRequest, reference: str) -> HttpResponse:
    """The coordinator puts a case at level 4 before the overlegtafel (from the case file)."""
    case = case_or_404(reference)
    actor = request_actor(request)
    try:
        membership = case_access(
            actor,
            case,
            permission=Permission.MANAGE,
            action=Action.UPDATE if request.method == "POST" else Action.READ,
            detail=access.DETAIL,
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    involved = set(case.parties.values_list("organisation_id", flat=True)) | set(
        case.financing_decisions.values_list("insurer_id", flat=True)
    )
    choices = _board_organisations(Q(pk__in=involved))
    form = ReferralForm(request.POST or None, organisations=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral = services.referral_from_ladder(
                case=case,
                actor=actor.user,
                membership=membership,
                summary=d["summary"],
                question=d["question"],
                organisations=list(d["organisations"]),
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Voorgelegd aan de bestuurlijke overlegtafel (agendapunt {referral.pk}); de "
                "bestuurders zijn op de hoogte.",
            )
            return redirect("cases:section", reference=case.reference, name="follow-up")
    return render(request, "board/refer.html", {"form": form, "case": case})


@verified_required
def doorzettingsmacht(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        membership = access.require_doorzettingsmacht(actor)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    is_board = membership.role == Role.BOARD_MEMBER
    tables = (
        Table.objects.all()
        if is_board
        else Table.objects.filter(pk__in=actor.table_ids(Role.COORDINATOR))
    )
    form = DoorzettingsmachtForm(
        request.POST or None, organisations=_board_organisations(), tables=tables
    )
    if is_board:
        del form.fields["case_reference"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case = None
        try:
            if d.get("case_reference"):
                case = Case.objects.filter(reference=d["case_reference"].strip()).first()
                if case is None:
                    raise DomainError("Dit casusnummer bestaat niet.", field="case_reference")
                case_access(
                    actor,
                    case,
                    permission=Permission.MANAGE,
                    action=Action.UPDATE,
                    detail=f"{access.DETAIL}: doorzettingsmacht",
                )
            referral = services.referral_doorzettingsmacht(
                actor=actor.user,
                membership=membership,
                table=d["table"],
                summary=d["summary"],
                question=d["question"],
                organisations=list(d["organisations"]),
                case=case,
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                membership=membership,
                case_id=case.pk if case else None,
                case_reference=case.reference if case else "",
                detail=f"{access.DETAIL} agendapunt {referral.pk}: doorzettingsmacht",
            )
            messages.success(
                request,
                f"Ingebracht via de regionale doorzettingsmacht (agendapunt {referral.pk}).",
            )
            return redirect("board:detail", pk=referral.pk)
    return render(request, "board/doorzettingsmacht.html", {"form": form, "is_board": is_board})
