"""Pages of the transfer desk. Thin: parse, check access (`access.py`, every read of a candidate
logged, refusals 403 with a denied row), call a selector or service, render. URLs carry the
candidate's reference or a number, never personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.dates import dutch_date
from vangnet.common.errors import DomainError, DomainErrors, NotAllowed, NotFound
from vangnet.common.pagination import keyset_page, page_or_redirect
from vangnet.waitlists.models import RegionKind

from . import access, proposals, selectors, services, workflow
from .forms import (
    AnswerForm,
    CandidateForm,
    CapacityForm,
    CapacityUploadForm,
    ChangeLineForm,
    ContactForm,
    IntakeForm,
    NoteForm,
    ReasonForm,
    ScreeningForm,
)
from .models import (
    Candidate,
    CandidateState,
    LineDecision,
    Proposal,
    ProposalLine,
    TransferState,
)


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request)


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotAllowed → 403 (already logged as denied by the access check), NotFound → 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def _form_errors(form: Any, exc: DomainError) -> None:
    errors = exc.errors if isinstance(exc, DomainErrors) else [exc]
    for e in errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)


def _candidate(reference: str) -> Candidate:
    candidate = selectors.candidate_by_reference(reference)
    if candidate is None:
        raise NotFound("Deze transferkandidaat bestaat niet.")
    return candidate


def _region(kind: str, code: str) -> tuple[str, str]:
    if kind not in RegionKind.values or not code or len(code) > 10:
        raise NotFound("Deze regio bestaat niet.")
    return (kind, code)


def _more(request: HttpRequest, param: str, cursor: str | None) -> str | None:
    """The "Meer tonen" link of a keyset list: this page's query with `param` moved on (other
    lists on the same page keep their place)."""
    if cursor is None:
        return None
    query = {k: v for k, v in request.GET.items() if k != param}
    return "?" + urlencode({**query, param: cursor})


# --- overview ---------------------------------------------------------------------------------


@verified_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    desks = [(r, selectors.region_label(r)) for r in access.desk_regions(actor)]
    # Two lists, each with its own cursor: a refused one starts both on their first page.
    pages = page_or_redirect(
        request,
        lambda: (
            keyset_page(
                selectors.visible_candidates(actor),
                field="created_at",
                cursor=request.GET.get("na_k") or None,
                size=selectors.PAGE_SIZE,
            ),
            keyset_page(
                selectors.visible_transfers(actor),
                field="updated_at",
                cursor=request.GET.get("na_t") or None,
                size=selectors.PAGE_SIZE,
            ),
        ),
    )
    if isinstance(pages, HttpResponseRedirect):
        return pages
    candidates, transfers = pages
    if candidates.rows or transfers.rows:
        access_log_write(actor=actor, action=Action.LIST, detail="transferkandidaten")
    return render(
        request,
        "transfers/index.html",
        {
            "desks": desks,
            "candidates": candidates.rows,
            "more_candidates": _more(request, "na_k", candidates.next_cursor),
            "transfers": transfers.rows,
            "more_transfers": _more(request, "na_t", transfers.next_cursor),
            "can_put_forward": bool(access.can_put_forward(actor)),
            "can_publish": bool(access.capacity_memberships(actor)),
            "is_screener": access.is_screener(actor),
        },
    )


# --- the desk -----------------------------------------------------------------------------------


@verified_required
@domain_errors
def desk(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    actor = _actor(request)
    region = _region(kind, code)
    membership = access.require_desk_logged(actor, region)
    if request.method == "POST":
        try:
            proposal = proposals.proposal_run(actor=actor, region=region)
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("transfers:desk", kind=kind, code=code)
        messages.success(
            request,
            f"Voorstel gemaakt voor {proposal.candidate_count} kandidaat/kandidaten.",
        )
        return redirect("transfers:proposal", pk=proposal.pk)
    page = selectors.desk(region)
    access_log_write(
        actor=actor, action=Action.LIST, membership=membership, detail=f"transfertafel {code}"
    )
    return render(
        request,
        "transfers/desk.html",
        {
            "desk": page,
            "states": _state_sections(page),
            "transfer_sections": _transfer_sections(page),
        },
    )


def _state_sections(page: selectors.Desk) -> list[tuple[str, str, int, list[Candidate]]]:
    return [
        (s, str(CandidateState(s).label), page.counts[s], page.by_state[s])
        for s in CandidateState.values
    ]


def _transfer_sections(page: selectors.Desk) -> list[tuple[str, str, int, list[Any]]]:
    return [
        (s, str(TransferState(s).label), page.transfer_counts[s], page.transfers[s])
        for s in TransferState.values
        if page.transfers[s]
    ]


@verified_required
@domain_errors
def desk_list(request: HttpRequest, kind: str, code: str, section: str) -> HttpResponse:
    """One section of the desk page in full, paged: candidates or transfers of one state, or
    the region's capacity (`section` is "kandidaten-<state>", "transfers-<state>" or
    "capaciteit")."""
    actor = _actor(request)
    region = _region(kind, code)
    what, _, state = section.partition("-")
    if what == "kandidaten" and state in CandidateState.values:
        title = f"Kandidaten: {CandidateState(state).label}"
    elif what == "transfers" and state in TransferState.values:
        title = f"Transfers: {TransferState(state).label}"
    elif section == "capaciteit":
        title = "Capaciteit in de regio"
    else:
        raise NotFound("Deze lijst bestaat niet.")
    membership = access.require_desk_logged(actor, region)
    cursor = request.GET.get("na") or None

    def read() -> dict[str, Any]:
        if what == "kandidaten":
            cpage = selectors.desk_candidates(region, state, cursor)
            return {"candidates": cpage.rows, "more": _more(request, "na", cpage.next_cursor)}
        if what == "transfers":
            tpage = selectors.desk_transfers(region, state, cursor)
            return {"transfers": tpage.rows, "more": _more(request, "na", tpage.next_cursor)}
        npage, rows = selectors.capacity_page(selectors.region_capacity_qs(region), cursor)
        return {"capacity": rows, "more": _more(request, "na", npage.next_cursor)}

    listed = page_or_redirect(request, read)
    if isinstance(listed, HttpResponseRedirect):
        return listed
    context: dict[str, Any] = {
        "region": region,
        "label": selectors.region_label(region),
        **listed,
    }
    access_log_write(
        actor=actor, action=Action.LIST, membership=membership, detail=f"transfertafel {code}"
    )
    return render(request, "transfers/desk_list.html", {**context, "title": title})


@verified_required
@domain_errors
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = Proposal.objects.filter(pk=pk).first()
    if p is None:
        raise NotFound("Dit voorstel bestaat niet.")
    region = (p.region_kind, p.region_code)
    membership = access.require_desk_logged(actor, region, detail="voorstel")
    lines = list(
        p.lines.select_related(
            "candidate__diagnosis_group", "location__organisation", "capacity"
        ).prefetch_related("candidate__refused_providers", "transfers")
    )
    access_log_write(
        actor=actor, action=Action.LIST, membership=membership, detail=f"transfervoorstel {p.pk}"
    )
    pending = [line for line in lines if line.decision == LineDecision.PENDING]
    options = proposals.change_options_for(pending) if pending else {}
    rows = [
        (
            line,
            ChangeLineForm(options=options[line.pk], prefix=f"l{line.pk}")
            if line.pk in options
            else None,
        )
        for line in lines
    ]
    moved = sum(1 for line in lines if line.location_id)
    return render(
        request,
        "transfers/proposal.html",
        {
            "proposal": p,
            "rows": rows,
            "moved": moved,
            "region_label": selectors.region_label(region),
            "saving_vs_greedy": (p.greedy_objective - p.objective) / 10,
            "saving_vs_stay": (p.stay_objective - p.objective) / 10,
            "is_open": p.state == "open",
        },
    )


@verified_required
@require_POST
@domain_errors
def line_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Accept, change or drop one line. With HTMX only the line's row is answered."""
    actor = _actor(request)
    line = ProposalLine.objects.select_related("proposal", "candidate").filter(pk=pk).first()
    if line is None:
        raise NotFound("Deze voorstelregel bestaat niet.")
    reference = line.candidate.reference
    ok, text = True, ""
    try:
        if decision == "overnemen":
            proposals.line_accept(actor=actor, line=line)
            text = f"Transfer voor {reference} aangemaakt."
        elif decision == "anders":
            form = ChangeLineForm(
                request.POST, options=proposals.change_options(line), prefix=f"l{line.pk}"
            )
            if form.is_valid():
                t = proposals.line_change(
                    actor=actor, line=line, capacity_id=form.cleaned_data["capacity"].pk
                )
                text = f"Transfer voor {reference} naar {t.receiving_location}."
            else:
                ok, text = False, "Kies een andere locatie met vrije capaciteit."
        elif decision == "vervallen":
            proposals.line_drop(actor=actor, line=line)
            text = f"Voorstel voor {reference} vervallen."
        else:
            raise NotFound("Onbekend besluit.")
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        ok, text = False, exc.message
    if request.headers.get("HX-Request"):
        line = (
            ProposalLine.objects.select_related(
                "proposal", "candidate__diagnosis_group", "location__organisation", "capacity"
            )
            .prefetch_related("candidate__refused_providers")
            .get(pk=pk)
        )
        pending = line.decision == LineDecision.PENDING
        return render(
            request,
            "transfers/_line.html",
            {
                "line": line,
                "form": ChangeLineForm(options=proposals.change_options(line), prefix=f"l{pk}")
                if pending
                else None,
                "is_open": line.proposal.state == "open",
                "line_message": text,
                "line_message_kind": "success" if ok else "error",
            },
        )
    (messages.success if ok else messages.error)(request, text)
    return redirect(reverse("transfers:proposal", args=[line.proposal_id]) + f"#regel-{line.pk}")


# --- capacity -----------------------------------------------------------------------------------


@verified_required
@domain_errors
def capacity(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.capacity_memberships(actor):
        access.log_denied(actor, action=Action.READ, channel="web", detail="capaciteit")
        raise NotAllowed(
            "Alleen de datafunctionaris of manager van een aanbieder publiceert capaciteit."
        )
    locations = selectors.own_locations(actor)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    form = CapacityForm(
        request.POST if request.POST.get("form") == "capaciteit" else None,
        locations=locations,
        initial={"week": monday, "valid_until": monday + timedelta(days=27)},
    )
    upload = CapacityUploadForm(
        request.POST if request.POST.get("form") == "bestand" else None,
        request.FILES if request.POST.get("form") == "bestand" else None,
    )
    if request.method == "POST" and request.POST.get("form") == "capaciteit" and form.is_valid():
        d = form.cleaned_data
        try:
            services.capacity_publish(
                actor=actor,
                rows=[
                    services.CapacityInput(
                        location_id=d["location"].pk,
                        diagnosis_group=d["diagnosis_group"].code,
                        week=d["week"],
                        free_slots=d["free_slots"],
                        expected_wait_weeks=d["expected_wait_weeks"],
                        valid_until=d["valid_until"],
                    )
                ],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Capaciteit gepubliceerd.")
            return redirect("transfers:capacity")
    if request.method == "POST" and request.POST.get("form") == "bestand" and upload.is_valid():
        try:
            rows = services.capacity_import(actor=actor, content=upload.cleaned_data["file"].read())
        except DomainErrors as exc:
            for e in exc.errors:
                upload.add_error(None, e.message)
        except DomainError as exc:
            upload.add_error(None, exc.message)
        else:
            messages.success(request, f"{len(rows)} regels capaciteit gepubliceerd.")
            return redirect("transfers:capacity")
    paged = page_or_redirect(
        request,
        lambda: selectors.capacity_page(
            selectors.own_capacity_qs(actor), request.GET.get("na") or None
        ),
    )
    if isinstance(paged, HttpResponseRedirect):
        return paged
    page, published = paged
    return render(
        request,
        "transfers/capacity.html",
        {
            "form": form,
            "upload": upload,
            "rows": published,
            "more": _more(request, "na", page.next_cursor),
            "locations": locations,
            "stale_after_days": selectors.CAPACITY_STALE_AFTER_DAYS,
        },
    )


# --- candidates ---------------------------------------------------------------------------------


@verified_required
@domain_errors
def put_forward(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can_put_forward(actor):
        access.log_denied(actor, action=Action.CREATE, channel="web", detail="transferkandidaat")
        raise NotAllowed(
            "Een cliënt aandragen kan de aanbieder waar de cliënt wacht, de huisarts, een "
            "onafhankelijke cliëntondersteuner of zorgbemiddeling."
        )
    form = CandidateForm(request.POST or None, initial={"consent_given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            candidate = services.candidate_put_forward(
                actor=actor,
                data=services.CandidateInput(
                    municipality_code=d["municipality"].code,
                    diagnosis_group=d["diagnosis_group"].code,
                    waiting_for=d["waiting_for"],
                    waiting_since=d["waiting_since"],
                    birth_date=d["birth_date"],
                    consent=d["consent"],
                    consent_given_on=d["consent_given_on"],
                    current_provider_id=d["current_provider"].pk if d["current_provider"] else None,
                    provider_reference=d["provider_reference"],
                    insurer_id=d["insurer"].pk if d["insurer"] else None,
                    financing=d["financing"],
                    urgency=d["urgency"],
                    expected_home_wait_weeks=d["expected_home_wait_weeks"],
                    travel_radius_km=d["travel_radius_km"],
                    ehealth_ok=d["ehealth_ok"],
                    neighbouring_regions_ok=d["neighbouring_regions_ok"],
                    refused_provider_ids=[o.pk for o in d["refused_providers"]],
                    preferred_provider_id=(
                        d["preferred_provider"].pk if d["preferred_provider"] else None
                    ),
                    contact_name=d["contact_name"],
                    contact_phone=d["contact_phone"],
                ),
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                f"Aangedragen als {candidate.reference}. Een screener van een andere organisatie "
                "beoordeelt of transfer past.",
            )
            return redirect("transfers:candidate", reference=candidate.reference)
    return render(request, "transfers/put_forward.html", {"form": form})


@verified_required
@domain_errors
def screening(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.is_screener(actor):
        access.log_denied(actor, action=Action.LIST, channel="web", detail="screening")
        raise NotAllowed("De screeningslijst is er voor screeners van het transfermechanisme.")
    queue = page_or_redirect(
        request, lambda: selectors.screening_queue(actor, request.GET.get("na") or None)
    )
    if isinstance(queue, HttpResponseRedirect):
        return queue
    access_log_write(actor=actor, action=Action.LIST, detail="screeningslijst")
    return render(
        request,
        "transfers/screening.html",
        {
            "queue": [(c, ScreeningForm(prefix=c.reference)) for c in queue.rows],
            "more": _more(request, "na", queue.next_cursor),
        },
    )


@verified_required
@require_POST
@domain_errors
def screen(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    candidate = _candidate(reference)
    form = ScreeningForm(request.POST, prefix=reference)
    if not form.is_valid():
        messages.error(request, "Kies 'geschikt' of 'niet geschikt'.")
        return redirect("transfers:screening")
    try:
        services.candidate_screen(
            actor=actor,
            candidate=candidate,
            suitable=form.cleaned_data["suitable"],
            note=form.cleaned_data["note"],
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Screening van {reference} vastgelegd.")
    return redirect("transfers:screening")


@verified_required
@domain_errors
def candidate(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    c = _candidate(reference)
    grant = access.candidate_access(actor, c, action=Action.READ)
    parts = {g.part for g in access.all_grants(actor, c)}
    return render(
        request,
        "transfers/candidate.html",
        {
            "c": c,
            "grant": grant,
            "parts": parts,
            "transfers": list(c.transfers.select_related("receiving_location__organisation")),
            "age": proposals._age(c.birth_date, timezone.localdate()),
            "wait_days": c.current_wait_days(),
            "can_withdraw": bool(parts & {"desk", "put_forward"})
            and workflow.candidate_can(c.state, "withdrawn"),
            "can_back": bool(parts & {"desk", "put_forward"})
            and workflow.candidate_can(c.state, "suitable")
            and c.state == "waiting_at_preferred",
        },
    )


@verified_required
@require_POST
@domain_errors
def candidate_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    actor = _actor(request)
    c = _candidate(reference)
    try:
        if step == "intrekken":
            services.candidate_withdraw(actor=actor, candidate=c)
            messages.success(request, "De kandidaat is ingetrokken.")
        elif step == "weer-op-de-lijst":
            services.candidate_back_on_list(actor=actor, candidate=c)
            messages.success(request, "De kandidaat staat weer op de lijst voor transfer.")
        else:
            raise NotFound("Onbekende stap.")
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("transfers:candidate", reference=reference)


# --- transfers ----------------------------------------------------------------------------------


def _transfer_forms(parts: set[str], state: str, zb_attached: bool) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    if state == TransferState.PROPOSED and parts & {"desk", "put_forward"}:
        forms["aanbieden"] = NoteForm(prefix="aanbieden")
    if state == TransferState.OFFERED and parts & {"desk", "put_forward"}:
        forms["antwoord"] = AnswerForm(prefix="antwoord")
    if state in (TransferState.ACCEPTED, TransferState.HANDOVER) and parts & {
        "sending",
        "receiving",
    }:
        forms["contact"] = ContactForm(prefix="contact", initial={"spoke_on": timezone.localdate()})
    if state == TransferState.HANDOVER and "receiving" in parts:
        forms["intake"] = IntakeForm(prefix="intake")
    if state == TransferState.INTAKE_PLANNED and parts & {"receiving", "desk"}:
        forms["intake_gedaan"] = NoteForm(prefix="intake_gedaan")
    if state in (TransferState.HANDOVER, TransferState.INTAKE_PLANNED) and parts & {
        "receiving",
        "desk",
    }:
        forms["intake_mislukt"] = ReasonForm(prefix="intake_mislukt")
    if state in workflow.OPEN_TRANSFER_STATES and "desk" in parts and not zb_attached:
        forms["zorgbemiddeling"] = NoteForm(prefix="zorgbemiddeling")
    if zb_attached and "zorgbemiddeling" in parts:
        forms["geregeld"] = NoteForm(prefix="geregeld")
    return forms


def _state_label(state: str) -> str:
    return str(TransferState(state).label) if state in TransferState.values else state


@verified_required
@domain_errors
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    t = services.transfer_get(pk)
    access.candidate_access(actor, t.candidate, action=Action.READ, detail="transfer")
    parts = {g.part for g in access.all_grants(actor, t.candidate)}
    return render(
        request,
        "transfers/transfer.html",
        {
            "t": t,
            "c": t.candidate,
            "events": [
                (e, _state_label(e.from_state), _state_label(e.to_state))
                for e in t.events.select_related("actor")
            ],
            "contacts": list(t.contacts.select_related("organisation", "recorded_by")),
            "forms": _transfer_forms(parts, t.state, t.zorgbemiddeling_id is not None),
            "answer_due": dutch_date(t.answer_due) if t.answer_due else "",
            "intake_due": dutch_date(t.intake_due) if t.intake_due else "",
        },
    )


@verified_required
@require_POST
@domain_errors
def transfer_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    actor = _actor(request)
    t = services.transfer_get(pk)
    form: Any
    prefix = step.replace("-", "_")
    try:
        if step == "aanbieden":
            form = NoteForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_offer(actor=actor, transfer=t, note=form.cleaned_data["note"])
        elif step == "antwoord":
            form = AnswerForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_answer(
                    actor=actor,
                    transfer=t,
                    accepted=form.cleaned_data["accepted"],
                    reason=form.cleaned_data["reason"],
                )
        elif step == "contact":
            form = ContactForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.handover_contact_record(
                    actor=actor,
                    transfer=t,
                    spoke_with=form.cleaned_data["spoke_with"],
                    spoke_on=form.cleaned_data["spoke_on"],
                    note=form.cleaned_data["note"],
                )
        elif step == "intake":
            form = IntakeForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_intake_plan(
                    actor=actor, transfer=t, intake_date=form.cleaned_data["intake_date"]
                )
        elif step == "intake-gedaan":
            form = NoteForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_intake_done(actor=actor, transfer=t)
        elif step == "intake-mislukt":
            form = ReasonForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_intake_failed(
                    actor=actor, transfer=t, reason=form.cleaned_data["reason"]
                )
        elif step == "zorgbemiddeling":
            form = NoteForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_attach_zorgbemiddeling(
                    actor=actor, transfer=t, note=form.cleaned_data["note"]
                )
        elif step == "geregeld":
            form = NoteForm(request.POST, prefix=prefix)
            if form.is_valid():
                services.transfer_zorgbemiddeling_record(
                    actor=actor, transfer=t, note=form.cleaned_data["note"]
                )
        else:
            raise NotFound("Onbekende stap.")
    except (NotAllowed, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if form.is_valid():
            messages.success(request, "Vastgelegd.")
        else:
            for field_errors in form.errors.values():
                for e in field_errors:
                    messages.error(request, e)
    return redirect("transfers:transfer", pk=pk)
