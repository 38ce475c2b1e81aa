"""The outcome form behind the one-time link. Thin: the service checks and logs every access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action
from vangnet.common.errors import DomainError, NotAllowed, NotFound
from vangnet.plans.selectors import case_plan

from . import services
from .forms import AnswerForm


@verified_required
def answer(request: HttpRequest, token: str) -> HttpResponse:
    actor = request_actor(request)
    action = Action.UPDATE if request.method == "POST" else Action.READ
    try:
        outcome_request, membership = services.request_open(actor, token, action=action)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except (NotFound, services.LinkGone) as exc:
        return render(
            request,
            "outcomes/gone.html",
            {"message": exc.message},
            status=exc.status_code,
        )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.answer_record(
                request=outcome_request,
                actor=actor.user,
                membership=membership,
                answer=d["answer"],
                reasons=d["reasons"],
                note=d["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("outcomes:thanks")
    case = outcome_request.case
    plan = case_plan(case)
    return render(
        request,
        "outcomes/answer.html",
        {
            "form": form,
            "outcome_request": outcome_request,
            "case": case,
            "goals": list(plan.goals.select_related("organisation")) if plan else [],
        },
    )


@verified_required
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "outcomes/thanks.html")
