"""Pages of the route UCZ → zorgbemiddeling → table and of the public signal form. Thin: parse,
check access (one access-log row per request), call a service, render. No patient data in URLs:
only the question's or signal's reference; a receipt code is typed on a page, never in the URL."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Role, User
from vangnet.accounts.selectors import Actor, actor_for, current_user, request_actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases import services as case_services
from vangnet.common.clientip import client_ip
from vangnet.common.errors import DomainError, DomainErrors, NotAllowed
from vangnet.common.pagination import keyset_page, page_or_redirect

from . import selectors, services
from .access import question_access, signal_access
from .forms import (
    AnswerForm,
    AttemptForm,
    HandOverForm,
    PublicSignalForm,
    QuestionForm,
    ReasonForm,
    ReceiptForm,
    SignalRegistrationForm,
    SolveForm,
    TableRegistrationForm,
)
from .models import Question, Signal
from .workflow import QuestionState, SignalState, question_target

ROUTING_ROLES = (Role.UCZ_OFFICER, Role.ZORGBEMIDDELING)
PAGE_SIZE = 100


def _more(state: str, cursor: str | None) -> str | None:
    """The next page's query string (newest first; the status filter travels along)."""
    if cursor is None:
        return None
    return "?" + urlencode({**({"status": state} if state else {}), "na": cursor})


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "errors/error.html", {"title": "Geen toegang", "message": message}, status=403
    )


def _form_error(form: Any, exc: DomainError) -> None:
    for error in exc.errors if isinstance(exc, DomainErrors) else [exc]:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)


def _refuse_list(request: HttpRequest, actor: Actor, detail: str, message: str) -> HttpResponse:
    access_log_write(actor=actor, action=Action.LIST, outcome=Outcome.DENIED, detail=detail)
    return _forbidden(request, message)


# --- questions ----------------------------------------------------------------------------------


@verified_required
def question_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not any(actor.has_role(r) for r in ROUTING_ROLES):
        return _refuse_list(
            request,
            actor,
            "vragen",
            "Alleen de UCZ en zorgbemiddeling van zorgverzekeraars zien vragen.",
        )
    state = request.GET.get("status", "")
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            selectors.question_list(actor, state=state),
            field="created_at",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
        ),
        keep={"status": state} if state else None,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    access_log_write(actor=actor, action=Action.LIST, detail="vragen")
    return render(
        request,
        "routing/question_list.html",
        {
            "questions": page.rows,
            "more": _more(state, page.next_cursor),
            "counts": selectors.question_counts(selectors.question_list(actor)),
            "states": QuestionState,
            "state": state,
            "is_ucz": actor.has_role(Role.UCZ_OFFICER),
        },
    )


@verified_required
def question_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    membership = actor.membership_for(role=Role.UCZ_OFFICER)
    if membership is None:
        access_log_write(
            actor=actor, action=Action.CREATE, outcome=Outcome.DENIED, detail="vraag vastleggen"
        )
        return _forbidden(request, "Alleen de UCZ legt vragen van burgers en professionals vast.")
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            question = services.question_record(
                user=current_user(request),
                membership=membership,
                data=services.QuestionInput(
                    asker_kind=d["asker_kind"],
                    patient_name=d["patient_name"],
                    patient_birth_date=d["patient_birth_date"],
                    patient_municipality_code=d["patient_municipality"],
                    insurer_id=d["insurer"].pk,
                    question=d["question"],
                    consent_by=d["consent_by"],
                    contact=d["contact"],
                ),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                membership=membership,
                detail=f"vraag {question.reference}",
            )
            messages.success(
                request,
                f"De vraag is vastgelegd als {question.reference}. Draag haar over aan de zorgbemiddeling "
                f"van {question.insurer.name}.",
            )
            return redirect("routing:question", reference=question.reference)
    return render(request, "routing/question_new.html", {"form": form})


def _question_or_404(reference: str) -> Question:
    question = selectors.question_by_reference(reference)
    if question is None:
        raise Http404
    return question


def _question_page(
    request: HttpRequest,
    question: Question,
    actor: Actor,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = {m.role for m in actor.memberships}
    can = {
        step: question_target(step, question.state) is not None
        and (
            (Role.UCZ_OFFICER in roles and step in ("hand_over", "withdraw"))
            or (Role.ZORGBEMIDDELING in roles and step not in ("hand_over", "withdraw"))
        )
        for step in (
            "hand_over",
            "withdraw",
            "take_up",
            "send_back",
            "attempt",
            "solve",
            "register",
        )
    }
    forms = forms or {}
    context = {
        "question": question,
        "attempts": question.attempts.select_related("provider"),
        "events": question.events.select_related("actor"),
        "can": can,
        "hand_over_form": forms.get("hand_over")
        or HandOverForm(initial={"insurer": question.insurer_id}),
        "withdraw_form": forms.get("withdraw") or ReasonForm(prefix="withdraw"),
        "send_back_form": forms.get("send_back") or ReasonForm(prefix="send_back"),
        "attempt_form": forms.get("attempt") or AttemptForm(),
        "solve_form": forms.get("solve") or SolveForm(),
        "error": forms.get("error", ""),
    }
    return render(request, "routing/question_detail.html", context, status=status)


@verified_required
def question_detail(request: HttpRequest, reference: str) -> HttpResponse:
    question = _question_or_404(reference)
    actor = request_actor(request)
    try:
        question_access(actor, question, action=Action.READ)
    except NotAllowed:
        return _forbidden(request, "Deze vraag is niet aan u of uw organisatie toevertrouwd.")
    return _question_page(request, question, actor)


@verified_required
@require_POST
def question_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    question = _question_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    role = Role.UCZ_OFFICER if step in ("hand_over", "withdraw") else Role.ZORGBEMIDDELING
    try:
        membership = question_access(actor, question, action=Action.UPDATE, role=role)
    except NotAllowed:
        return _forbidden(request, "Deze stap is niet aan u of uw organisatie toevertrouwd.")
    form: Any = None
    try:
        if step == "hand_over":
            form = HandOverForm(request.POST)
            if form.is_valid():
                services.question_hand_over(
                    question=question,
                    user=user,
                    membership=membership,
                    insurer_id=form.cleaned_data["insurer"].pk,
                )
                messages.success(
                    request,
                    f"De vraag is overgedragen aan de zorgbemiddeling van {question.insurer.name}.",
                )
        elif step == "take_up":
            services.question_take_up(question=question, user=user, membership=membership)
            messages.success(request, "U heeft de vraag opgepakt.")
        elif step in ("send_back", "withdraw"):
            form = ReasonForm(request.POST, prefix=step)
            if form.is_valid():
                service = (
                    services.question_send_back
                    if step == "send_back"
                    else services.question_withdraw
                )
                service(
                    question=question,
                    user=user,
                    membership=membership,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(
                    request,
                    "Teruggestuurd naar de UCZ."
                    if step == "send_back"
                    else "De vraag is ingetrokken.",
                )
        elif step == "attempt":
            form = AttemptForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.attempt_add(
                    question=question,
                    user=user,
                    membership=membership,
                    provider_id=d["provider"].pk,
                    tried_on=d["tried_on"],
                    what=d["what"],
                    result=d["result"],
                )
                messages.success(request, "De poging is vastgelegd.")
        elif step == "solve":
            form = SolveForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.question_solve(
                    question=question,
                    user=user,
                    membership=membership,
                    outcome=d["outcome"],
                    provider_id=d["solved_with"].pk if d["solved_with"] else None,
                )
                messages.success(request, "De vraag is opgelost en telt mee in de cijfers.")
        else:
            raise Http404
    except DomainError as exc:
        if form is None:
            return _question_page(
                request,
                question,
                actor,
                {"error": exc.message},
                status=getattr(exc, "status_code", 400),
            )
        _form_error(form, exc)
    if form is not None and form.errors:
        question.refresh_from_db()
        return _question_page(request, question, actor, {step: form}, status=400)
    return redirect("routing:question", reference=question.reference)


@verified_required
def question_register(request: HttpRequest, reference: str) -> HttpResponse:
    question = _question_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    action = Action.UPDATE if request.method == "POST" else Action.READ
    try:
        membership = question_access(actor, question, action=action, role=Role.ZORGBEMIDDELING)
    except NotAllowed:
        return _forbidden(
            request, "Alleen de zorgbemiddeling die de vraag heeft, meldt haar aan bij de tafel."
        )
    form = TableRegistrationForm(
        request.POST or None,
        initial={"stuck_description": question.question},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.question_register(
                question=question,
                user=user,
                membership=membership,
                data=services.TableRegistrationInput(
                    stuck_description=d["stuck_description"],
                    best_solution=d["best_solution"],
                    timeline=d["timeline"],
                    criteria=[c.number for c in d["criteria"]],
                    urgency=d["urgency"],
                ),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                membership=membership,
                case_id=case.pk,
                case_reference=case.reference,
                detail=f"aanmelding vanuit vraag {question.reference}",
            )
            messages.success(
                request, f"De vraag is aangemeld bij {case.table} als {case.reference}."
            )
            return redirect("routing:question", reference=question.reference)
    return render(
        request,
        "routing/question_register.html",
        {
            "question": question,
            "form": form,
            "attempts": question.attempts.select_related("provider"),
        },
    )


# --- signals: the coordinator's side ----------------------------------------------------------------


@verified_required
def signal_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.has_role(Role.COORDINATOR):
        return _refuse_list(
            request, actor, "signalen", "Alleen de coördinator van een tafel ziet de signalen."
        )
    state = request.GET.get("status", "")
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            selectors.signal_list(actor, state=state),
            field="created_at",
            cursor=request.GET.get("na") or None,
            size=PAGE_SIZE,
        ),
        keep={"status": state} if state else None,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    access_log_write(actor=actor, action=Action.LIST, detail="signalen")
    return render(
        request,
        "routing/signal_list.html",
        {
            "signals": page.rows,
            "more": _more(state, page.next_cursor),
            "states": SignalState,
            "state": state,
        },
    )


def _signal_or_404(reference: str) -> Signal:
    signal = selectors.signal_by_reference(reference)
    if signal is None:
        raise Http404
    return signal


@verified_required
def signal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    signal = _signal_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    try:
        membership = signal_access(
            actor, signal, action=Action.UPDATE if request.method == "POST" else Action.READ
        )
    except NotAllowed:
        return _forbidden(request, "Dit signaal is gericht aan een andere tafel.")
    form = AnswerForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_answer(
                signal=signal, user=user, membership=membership, answer=form.cleaned_data["answer"]
            )
        except DomainError as exc:
            _form_error(form, exc)
            status = getattr(exc, "status_code", 400)
        else:
            messages.success(
                request, "Het antwoord is vastgelegd; de melder leest het met de ontvangstcode."
            )
            return redirect("routing:signal", reference=signal.reference)
    return render(
        request,
        "routing/signal_detail.html",
        {"signal": signal, "form": form, "is_new": signal.state == SignalState.NEW},
        status=status,
    )


@verified_required
def signal_register(request: HttpRequest, reference: str) -> HttpResponse:
    signal = _signal_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    try:
        membership = signal_access(
            actor, signal, action=Action.UPDATE if request.method == "POST" else Action.READ
        )
    except NotAllowed:
        return _forbidden(request, "Dit signaal is gericht aan een andere tafel.")
    form = SignalRegistrationForm(
        request.POST or None, initial={"stuck_description": signal.message}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = case_services.RegistrationInput(
            referrer_type=d["referrer_type"],
            patient_name=d["patient_name"],
            patient_birth_date=d["patient_birth_date"],
            patient_municipality_code=d["patient_municipality"],
            insurer_id=d["insurer"].pk,
            consent_by=d["consent_by"],
            stuck_description=d["stuck_description"],
            best_solution=d["best_solution"],
            timeline=d["timeline"],
            party_actions=[
                case_services.PartyActionInput(d["party_organisation"], d["party_action"])
            ],
            table_number=signal.table.number,
            table_choice_reason=d["table_choice_reason"],
        )
        try:
            case = services.signal_register(
                signal=signal, user=user, membership=membership, data=data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                membership=membership,
                case_id=case.pk,
                case_reference=case.reference,
                detail=f"aanmelding vanuit signaal {signal.reference}",
            )
            messages.success(request, f"Het signaal is aangemeld als casus {case.reference}.")
            return redirect("routing:signal", reference=signal.reference)
    return render(request, "routing/signal_register.html", {"signal": signal, "form": form})


# --- signals: the public side (no account) ------------------------------------------------------------


def _anonymous() -> Actor:
    return Actor(user=cast(User, AnonymousUser()), memberships=())


def public_signal(request: HttpRequest) -> HttpResponse:
    """A patient or relative brings a signal to a table: no account, minimal data, a receipt code."""
    form = PublicSignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.rate_limit(
                kind="signal", address=client_ip(request), limit=settings.VANGNET_SIGNAL_LIMIT
            )
            signal, code = services.signal_submit(
                data=services.SignalInput(
                    table_number=d["table"].number,
                    relation=d["relation"],
                    message=d["message"],
                    contact=d["contact"],
                )
            )
        except services.RateLimited as exc:
            access_log_write(
                actor=_anonymous(),
                action=Action.CREATE,
                outcome=Outcome.DENIED,
                detail="signaal: te vaak",
            )
            return render(
                request,
                "routing/public_signal.html",
                {"form": form, "limited": exc.message},
                status=429,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            access_log_write(
                actor=_anonymous(), action=Action.CREATE, detail=f"signaal {signal.reference}"
            )
            return render(
                request, "routing/public_receipt.html", {"code": code, "table": signal.table}
            )
    return render(
        request, "routing/public_signal.html", {"form": form}, status=400 if form.errors else 200
    )


UNKNOWN_CODE = "Met deze code vinden wij geen signaal. Controleer de code; de letters O, I en L komen er niet in voor."


def public_status(request: HttpRequest) -> HttpResponse:
    """Follow a signal with its receipt code, typed on the page (POST), never in the URL. An
    unknown code and a malformed one get the same answer (no enumeration)."""
    form = ReceiptForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_limit(
                kind="receipt", address=client_ip(request), limit=settings.VANGNET_RECEIPT_LIMIT
            )
        except services.RateLimited as exc:
            access_log_write(
                actor=_anonymous(),
                action=Action.READ,
                outcome=Outcome.DENIED,
                detail="ontvangstcode: te vaak",
            )
            return render(
                request,
                "routing/public_status.html",
                {"form": ReceiptForm(), "limited": exc.message},
                status=429,
            )
        signal = services.signal_by_code(form.cleaned_data["code"])
        if signal is None:
            access_log_write(
                actor=_anonymous(),
                action=Action.READ,
                outcome=Outcome.DENIED,
                detail="ontvangstcode onbekend",
            )
            context["unknown"] = UNKNOWN_CODE
            status = 404
        else:
            access_log_write(
                actor=_anonymous(),
                action=Action.READ,
                detail=f"signaal {signal.reference} (ontvangstcode)",
            )
            context["signal"] = signal
        context["form"] = ReceiptForm()  # the code is not echoed back into the page
    return render(request, "routing/public_status.html", context, status=status)
