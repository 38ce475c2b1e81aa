"""The coordinator's daily work across the case-work apps: the table overview and the case page,
which shows every stage's section (each app's actions, forms and data).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import actor_for, current_user
from vangnet.audit.models import Action
from vangnet.board import selectors as board_selectors
from vangnet.cases import actions as case_actions
from vangnet.cases import forms as case_forms
from vangnet.cases import selectors
from vangnet.cases.access import Permission, case_access, granting_membership, log_list
from vangnet.cases.actions import (
    CaseAction,
    form_errors,
)
from vangnet.cases.forms import MoveForm, ScreenForm
from vangnet.cases.models import Case
from vangnet.cases.organisation_field import QuickOrganisationsMixin, organisation_label
from vangnet.cases.views import PUBLIC_EVENTS, _access, case_or_404
from vangnet.cases.workflow import ACTIVE_STATES, allowed_transitions, open_forms
from vangnet.casework import casefile
from vangnet.casework import selectors as casework_selectors
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.continuity import actions as continuity_actions
from vangnet.continuity import forms as continuity_forms
from vangnet.directory.models import Organisation
from vangnet.followup import actions as followup_actions
from vangnet.followup import forms as followup_forms
from vangnet.followup.workflow import next_levels, running_suspension
from vangnet.meetings import actions as meeting_actions
from vangnet.meetings.selectors import meeting_membership
from vangnet.outcomes import selectors as outcome_selectors
from vangnet.plans import actions as plan_actions
from vangnet.plans import forms as plan_forms
from vangnet.plans.models import FinancingDecision

OWN_SHOWN = 50


@verified_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(current_user(request))
    queue = (
        selectors.triage_queue(actor)
        if actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER)
        else []
    )
    own: list[Case] = []
    own_more = False
    if actor.has_role(Role.REFERRER):
        own = list(
            selectors.case_list(actor).filter(
                referrer_organisation_id__in=actor.organisation_ids(Role.REFERRER)
            )[: OWN_SHOWN + 1]
        )
        # The newest ones here; the case list pages through all of them (never a silent cut).
        own_more = len(own) > OWN_SHOWN
        own = own[:OWN_SHOWN]
    overview = (
        casework_selectors.table_overview(actor) if actor.table_ids(Role.COORDINATOR) else None
    )
    tasks = casework_selectors.my_tasks(actor)
    if queue or own or overview or any(tasks.values()):
        log_list(actor, detail="overzicht")
    return render(
        request,
        "casework/dashboard.html",
        {
            "actor": actor,
            "queue": queue,
            "own": own,
            "own_more": own_more,
            "overview": overview,
            "mine": tasks,
        },
    )


@verified_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole case file: the overview and every section the reader may see, with the section
    menu to each section's own page. Links from notifications and e-mails land here."""
    case = case_or_404(reference)
    actor, membership = _access(request, case, Permission.READ, Action.READ)
    context = _case_file(request, case, actor, membership, section=None)
    return render(request, "casework/detail.html", context)


@verified_required
def section(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """One section of the case file on its own page, logged as a read of the case. A section the
    reader's role may not open is refused and the refusal logged."""
    wanted = casefile.BY_SLUG.get(name)
    if wanted is None:
        raise Http404
    case = case_or_404(reference)
    actor = actor_for(current_user(request))
    try:
        membership = casefile.open_section(actor, case, wanted, channel="web")
    except NotAllowed as exc:
        raise PermissionDenied from exc
    context = _case_file(request, case, actor, membership, section=wanted.slug)
    return render(request, "casework/detail.html", context)


@verified_required
def case_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The case file as this reader may see it, as a PDF for the table meeting or a transfer of
    care: the same sections, without forms; logged like any read (as an export)."""
    from weasyprint import HTML

    case = case_or_404(reference)
    actor = actor_for(current_user(request))
    try:
        membership = case_access(
            actor, case, permission=Permission.READ, action=Action.EXPORT, detail="dossier als pdf"
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    context = _case_file(request, case, actor, membership, section=None)
    context["printed_at"] = timezone.now()
    html = render_to_string("casework/case_print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="casus-{case.reference}.pdf"'
    return response


def _case_file(
    request: HttpRequest, case: Case, actor: Any, membership: Membership, *, section: str | None
) -> dict[str, Any]:
    """Everything the case file shows this reader; `section` limits the page to one section."""
    is_table = membership.role in {Role.COORDINATOR, Role.SECOND_SCREENER}
    rounds = list(
        case.triage_rounds.select_related(
            "coordinator",
            "second_screener",
            "coordinator_organisation",
            "second_screener_organisation",
        ).prefetch_related("assessments__criterion")
    )
    pending = next((r for r in rounds if r.verdict == r.Verdict.PENDING), None)
    can_manage = granting_membership(actor, case, Permission.MANAGE) is not None
    forms_open = open_forms(case.state)
    sections = casefile.visible_sections(membership.role)
    show = {s.slug.replace("-", "_"): section in (None, s.slug) for s in sections}
    workspace = casework_selectors.case_workspace(case)
    context: dict[str, Any] = {
        "case": case,
        "membership": membership,
        "is_table": is_table,
        "sections": sections,
        "section": section,
        "show": show,
        # Invited organisations see name and birth date only; the BSN is for the table and the
        # referrer (issue 10 §8).
        "show_bsn": is_table or membership.role == Role.REFERRER,
        "rounds": rounds if is_table else [],
        "final_round": selectors.final_round(case),
        "pending": pending,
        "events": case.events.select_related("actor")
        if is_table
        else case.events.filter(transition__in=PUBLIC_EVENTS),
        "can_triage": granting_membership(actor, case, Permission.TRIAGE) is not None
        and "triage_propose" in allowed_transitions(case.state),
        "can_screen": granting_membership(actor, case, Permission.SCREEN) is not None
        and pending is not None
        and pending.coordinator_id != request.user.pk,
        "can_move": granting_membership(actor, case, Permission.TRIAGE) is not None
        and "table_move" in allowed_transitions(case.state),
        "screen_form": ScreenForm(),
        "move_form": MoveForm(),
        # Links to the same patient's other cases are for the table only (issue 10 §1).
        "linked": case.linked_cases.select_related("table") if is_table else [],
        "can_manage": can_manage,
        "can_respond": granting_membership(actor, case, Permission.GOAL_RESPOND) is not None,
        "can_check_in": granting_membership(actor, case, Permission.CHECK_IN) is not None,
        "can_withdraw": membership.role == Role.REFERRER and "withdraw" in forms_open,
        "active": case.state in ACTIVE_STATES,
        "open_forms": forms_open,
        "lazy_forms": LAZY_FORMS,
        # Term forms follow the ladder and the running suspension (issue 11 §2).
        "can_suspend": can_manage and "term" in forms_open and not running_suspension(case),
        "can_escalate": can_manage and "term" in forms_open,
        "can_end": can_manage and "end" in forms_open,
        "f": SimpleNamespace(
            **{
                **vars(FORMS),
                "EscalateForm": partial(
                    followup_forms.EscalateForm,
                    auto_id="escalate_%s",
                    levels=next_levels(case.escalation_level),
                ),
            }
        ),
        # Shortages recorded from sociale kaart searches are the close form's starting point.
        "close_form": case_forms.CloseForm(
            initial={"shortages": case.shortages}, auto_id="close_%s"
        )
        if "close" in forms_open
        else None,
        **workspace,
    }
    context["parties"] = list(context["parties"])
    # The case's own parties are the quick choices of every organisation field on the page.
    quick = [p.organisation for p in context["parties"]]
    context["quick_organisations"] = quick
    context["f"] = _with_quick(context["f"], quick)
    if show.get("overzicht"):
        context["overview"] = casefile.case_overview(
            case,
            workspace=workspace,
            rounds=rounds,
            now=timezone.now(),
            today=workspace["today"],  # type: ignore[arg-type]
        )
    _goal_forms(context["goals"], membership.organisation_id, quick)
    context["named_parties"] = _named_parties(case, context["parties"])
    # After closure and up the ladder (issue 16 §3): the overlegtafel's referrals for the table,
    # the outcome questions in the closure section.
    context["board_referrals"] = (
        list(board_selectors.for_case(case)) if membership.role == Role.COORDINATOR else []
    )
    context["outcome_requests"] = list(outcome_selectors.for_case(case))
    # Only meetings this reader may open are links (a referrer sees the date, not a 403).
    context["open_meetings"] = {
        item.meeting_id
        for item in context["agenda_items"]
        if meeting_membership(current_user(request), item.meeting) is not None
    }
    _restore_failed_form(request, case, context)
    if section is not None:
        context["section_empty"] = _empty_note(section, context)
    return context


def _empty_note(section: str, c: dict[str, Any]) -> str:
    """What a section page says when the case has not reached that part (yet)."""
    has_content = {
        "triage": c["final_round"] or c["pending"] or c["can_triage"] or c["rounds"],
        "voorbereiding": c["active"] or c["timeline"] or c["parties"],
        "besprekingen": c["active"] or c["agenda_items"],
        "plan": c["plan"],
        "follow-up": c["term"] or c["phases"],
        "afsluiting": c["case"].outcome
        or c["close_form"]
        or c["can_end"]
        or c["can_withdraw"]
        or (c["can_manage"] and "reopen" in c["open_forms"]),
    }
    if has_content.get(section, True):
        return ""
    return EMPTY_NOTES[section]


EMPTY_NOTES = {
    "triage": "De tafel heeft de aanmelding nog niet beoordeeld.",
    "voorbereiding": "De voorbereiding begint als de tafel de casus toelaat.",
    "besprekingen": "De casus is nog niet geagendeerd voor een bespreking.",
    "plan": "Er is nog geen integraal plan; dat volgt op de bespreking van de casus.",
    "follow-up": "De termijn loopt vanaf de toelating; de follow-up begint als het plan is "
    "vastgesteld.",
    "afsluiting": "Hier is in deze fase niets af te sluiten.",
}


def _named_parties(case: Case, parties: Any) -> list[Any]:
    """Parties the referrer named at registration that are not yet Betrokken partijen, each with
    the directory organisation of the same name when there is one (to add it with one click)."""
    involved = {p.organisation.name.casefold() for p in parties}
    named = [
        pa for pa in case.party_actions.all() if pa.organisation_name.casefold() not in involved
    ]
    by_name = {
        o.name.casefold(): o
        for o in Organisation.objects.filter(name__in=[pa.organisation_name for pa in named])
    }
    for pa in named:
        pa.match = by_name.get(pa.organisation_name.casefold())  # type: ignore[attr-defined]
        # What the organisation field of the one-click form resolves (it takes no bare ids).
        pa.match_label = pa.match and organisation_label(pa.match)  # type: ignore[attr-defined]
    return named


def _with_quick(forms_ns: SimpleNamespace, quick: list[Organisation]) -> SimpleNamespace:
    """The page's form namespace with the case's parties as quick organisation choices."""
    return SimpleNamespace(
        **{
            attr: partial(cls, quick_organisations=quick)
            if issubclass(cls.func, QuickOrganisationsMixin)
            else cls
            for attr, cls in vars(forms_ns).items()
        }
    )


def _goal_forms(goals: list[Any], own_organisation_id: int, quick: list[Organisation]) -> None:
    """Each goal's own edit/status/remove/confirm forms, with ids unique on the page."""
    with_users = set(
        Membership.objects.filter(
            organisation_id__in={g.organisation_id for g in goals}, active=True
        ).values_list("organisation_id", flat=True)
    )
    for g in goals:
        auto_id = f"goal{g.pk}_{{}}_%s"
        g.edit_form = plan_forms.GoalEditForm(
            initial={
                "goal": g.pk,
                "domain": g.domain,
                "description": g.description,
                "organisation": g.organisation,
                "contact": g.contact,
                "financing": g.financing,
            },
            auto_id=auto_id.format("edit_form"),
            quick_organisations=quick,
        )
        g.status_form = plan_forms.GoalStatusForm(
            initial={"goal": g.pk}, auto_id=auto_id.format("status_form")
        )
        g.remove_form = plan_forms.GoalRemoveForm(
            initial={"goal": g.pk}, auto_id=auto_id.format("remove_form")
        )
        g.needs_confirm = g.organisation_id not in with_users and g.status in {
            "proposed",
            "declined",
        }
        g.confirm_form = plan_forms.GoalConfirmForm(
            initial={"goal": g.pk}, auto_id=auto_id.format("confirm_form")
        )


# Which per-goal form attribute a goal action's bound form replaces on the page.
GOAL_FORMS = {
    "doel-wijzigen": "edit_form",
    "doel-status": "status_form",
    "doel-verwijderen": "remove_form",
    "doel-namens": "confirm_form",
}
SESSION_KEY = "case_form"


def _restore_failed_form(request: HttpRequest, case: Case, context: dict[str, Any]) -> None:
    """After a refused case-page post (redirect-after-post) show the same form again: bound to the
    typed input, errors at the fields, its section open. The input lives only in the server-side
    session, for the one page view that follows."""
    failed = request.session.pop(SESSION_KEY, None)
    if not failed or failed.get("reference") != case.reference:
        return
    action = ACTIONS.get(failed["action"])
    if action is None or action.form is None:
        return
    data = MultiValueDict(failed["data"])
    goal_attr = GOAL_FORMS.get(failed["action"])
    goal = None
    if goal_attr:
        goal = next((g for g in context["goals"] if str(g.pk) == data.get("goal")), None)
        if goal is None:
            return
        auto_id = f"goal{goal.pk}_{goal_attr}_%s"
    elif action.form is case_forms.CloseForm:
        auto_id = "close_%s"
    else:
        auto_id = _on_page(action.form).keywords["auto_id"]
    extra: dict[str, Any] = {}
    if isinstance(action.form, type) and issubclass(action.form, QuickOrganisationsMixin):
        extra["quick_organisations"] = context["quick_organisations"]
    # The ladder's choices stay limited to the next levels when the form comes back.
    if action.form is followup_forms.EscalateForm:
        extra["levels"] = next_levels(case.escalation_level)
    form = action.form(data, auto_id=auto_id, **extra)
    form.is_valid()
    for field, message in failed.get("errors", []):
        form.add_error(field if field in form.fields else None, message)
    context["failed"] = failed["action"]
    context["failed_form"] = form
    if goal is not None and goal_attr:
        setattr(goal, goal_attr, form)
        context["failed_goal"] = goal.pk
        return
    forms_on_page = dict(vars(context["f"]))
    for attr, cls in forms_on_page.items():
        if getattr(cls, "func", None) is action.form or (
            getattr(getattr(cls, "func", None), "func", None) is action.form
        ):
            forms_on_page[attr] = form
    context["f"] = SimpleNamespace(**forms_on_page)
    if action.form is case_forms.CloseForm:
        context["close_form"] = form


@verified_required
def case_open(request: HttpRequest, reference: str) -> HttpResponse:
    """Where a link to a case (a notification, an e-mail) should land for this reader: the case
    page if they may read it, the financing page for the insurer's medical adviser, and otherwise
    the case page, which refuses and logs the refusal."""
    case = case_or_404(reference)
    actor = actor_for(current_user(request))
    if granting_membership(actor, case, Permission.READ) is None:
        insurers = [m.organisation_id for m in actor.memberships if m.role == Role.MEDICAL_ADVISER]
        decision = (
            FinancingDecision.objects.filter(case=case, insurer_id__in=insurers)
            .order_by("-created_at", "-pk")
            .first()
        )
        if decision is not None:
            return redirect("cases:financing", reference=case.reference, pk=decision.pk)
    return redirect("cases:detail", reference=case.reference)


# The case page's forms, one namespace for the template (`f.PlanForm`): each app owns its forms.
def _on_page(cls: type[Form]) -> partial[Form]:
    """A form class whose instances have ids of their own on the case page: several forms have a
    `reason`, `description` or `organisation` field, and ids must be unique (axe, labels)."""
    return partial(cls, auto_id=cls.__name__.removesuffix("Form").lower() + "_%s")


FORMS = SimpleNamespace(
    **{
        cls.__name__: _on_page(cls)
        for cls in (
            case_forms.TimelineForm,
            case_forms.PartyForm,
            case_forms.ConsentForm,
            case_forms.QuestionForm,
            case_forms.DocumentForm,
            case_forms.ReasonForm,
            plan_forms.PlanForm,
            plan_forms.GoalForm,
            plan_forms.FinancingRequestForm,
            followup_forms.PhaseForm,
            followup_forms.SuspendForm,
            followup_forms.EscalateForm,
            continuity_forms.GpForm,
            continuity_forms.CrisisCardForm,
            continuity_forms.MedicationOverviewForm,
            continuity_forms.MedicationLineForm,
            continuity_forms.ContactPersonForm,
            continuity_forms.HandoverForm,
            continuity_forms.GpLetterForm,
        )
    }
)


ACTIONS: dict[str, CaseAction] = {
    **case_actions.ACTIONS,
    **meeting_actions.ACTIONS,
    **plan_actions.ACTIONS,
    **followup_actions.ACTIONS,
    **continuity_actions.ACTIONS,
}


@dataclass(frozen=True)
class LazyForm:
    """A case-page form that loads when its section of the page is opened (issue 12 §3)."""

    form: str  # its attribute in FORMS
    button: str
    testid: str = ""


# Only the forms behind a <details> of the case page: the page renders a link in their place,
# HTMX fetches the form when the coordinator opens it, and a refused form comes back inline.
LAZY_FORMS: dict[str, LazyForm] = {
    "tijdlijn": LazyForm("TimelineForm", "Toevoegen"),
    "partij": LazyForm("PartyForm", "Toevoegen"),
    "toestemming": LazyForm("ConsentForm", "Vastleggen"),
    "vraag": LazyForm("QuestionForm", "Toevoegen"),
    "doel": LazyForm("GoalForm", "Toevoegen", "goal-form"),
    "plan": LazyForm("PlanForm", "Opslaan", "plan-form"),
    "financiering": LazyForm("FinancingRequestForm", "Aanvragen"),
    "fase": LazyForm("PhaseForm", "Toevoegen"),
}


@verified_required
def case_form(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """One case-page form, fetched when opened: the bare form for HTMX, a page of its own
    without script. Needs the permission of the action it posts to; logged as a read of the
    case (the form suggests the case's parties), a refusal as denied."""
    lazy = LAZY_FORMS.get(name)
    if lazy is None or request.method != "GET":
        raise Http404
    case = case_or_404(reference)
    actor = actor_for(current_user(request))
    try:
        case_access(
            actor,
            case,
            permission=ACTIONS[name].permission,
            action=Action.READ,
            detail=f"formulier {name}",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    quick = [p.organisation for p in case.parties.select_related("organisation")]
    form = getattr(_with_quick(FORMS, quick), lazy.form)()
    context = {"case": case, "name": name, "form": form, "lazy": lazy}
    if request.headers.get("HX-Request") == "true":
        return render(request, "casework/_action_form.html", context)
    return render(request, "casework/action_form_page.html", context)


@require_POST
@verified_required
def case_action(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    case = case_or_404(reference)
    user = current_user(request)
    actor = actor_for(user)
    try:
        membership = case_access(
            actor, case, permission=action.permission, action=Action.UPDATE, detail=name
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    data: dict[str, Any] = {}
    if action.form is not None:
        form = action.form(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, f"Niet opgeslagen. {form_errors(form)}")
            _keep_failed_form(request, case, name, [])
            return _back(request, case)
        data = form.cleaned_data
    try:
        message = action.run(case, user, membership, data, request.POST)
    except DomainError as exc:
        messages.error(request, f"Niet opgeslagen. {exc.message}")
        _keep_failed_form(request, case, name, [(exc.field, exc.message)])
    else:
        messages.success(request, message)
    return _back(request, case)


def _keep_failed_form(
    request: HttpRequest, case: Case, name: str, errors: list[tuple[str | None, str]]
) -> None:
    request.session[SESSION_KEY] = {
        "reference": case.reference,
        "action": name,
        "data": {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"},
        "errors": errors,
    }


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    """After a post, back to the page it came from: the section's own page when the form was
    posted there (only a section URL of this case is followed, never a foreign address)."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    detail = reverse("cases:detail", args=[case.reference])
    # Only a path under this case's page can be one of its sections: the section URLs are
    # built (and compared) only then, not on every post.
    if referer.path.startswith(detail) and (
        not referer.netloc or referer.netloc == request.get_host()
    ):
        for s in casefile.SECTIONS:
            url = reverse("cases:section", args=[case.reference, s.slug])
            if referer.path == url:
                return redirect(url)
    return redirect(detail)
