"""The coordinator's daily work across the case-work apps: the table overview and the case page,
which shows every stage's section (each app's actions, forms and data).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.forms import Form, ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import actor_for, current_user, request_actor
from vangnet.audit.models import Action
from vangnet.board import selectors as board_selectors
from vangnet.cases import actions as case_actions
from vangnet.cases import forms as case_forms
from vangnet.cases import selectors
from vangnet.cases.access import (
    Permission,
    case_access,
    granted_permissions,
    granting_membership,
    log_list,
)
from vangnet.cases.actions import (
    CaseAction,
    form_errors,
)
from vangnet.cases.forms import MoveForm, ScreenForm
from vangnet.cases.links import case_url_prefix
from vangnet.cases.models import Case, CriterionAssessment
from vangnet.cases.organisation_field import (
    OrganisationField,
    QuickOrganisationsMixin,
    organisation_label,
)
from vangnet.cases.views import PUBLIC_EVENTS, _access, case_or_404
from vangnet.cases.workflow import ACTIVE_STATES, State, allowed_transitions, open_forms
from vangnet.casework import casefile
from vangnet.casework import selectors as casework_selectors
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.continuity import actions as continuity_actions
from vangnet.continuity import forms as continuity_forms
from vangnet.directory.models import Organisation
from vangnet.followup import actions as followup_actions
from vangnet.followup import forms as followup_forms
from vangnet.followup.workflow import next_levels
from vangnet.meetings import actions as meeting_actions
from vangnet.meetings.selectors import meeting_membership
from vangnet.outcomes import selectors as outcome_selectors
from vangnet.plans import actions as plan_actions
from vangnet.plans import forms as plan_forms
from vangnet.plans.models import FinancingDecision

OWN_SHOWN = 50
# New registrations shown on the dashboard, oldest first (a national table has a hundred or more).
QUEUE_SHOWN = 10


@verified_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    at_table = bool(actor.table_ids(Role.COORDINATOR, Role.SECOND_SCREENER))
    # The oldest QUEUE_SHOWN here (those are due first); the counts link to the rest.
    queue = selectors.triage_queue(actor, limit=QUEUE_SHOWN) if at_table else []
    queue_counts = selectors.queue_counts(actor) if queue else {}
    queue_total = sum(queue_counts.values())
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
            # The case links of the lists, without a URL lookup per row.
            "case_url": case_url_prefix(),
            "queue": queue,
            "queue_total": queue_total,
            "queue_more": [(State(state), n) for state, n in sorted(queue_counts.items()) if n]
            if queue_total > len(queue)
            else [],
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
    actor = request_actor(request)
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
    actor = request_actor(request)
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
    """Everything the case file shows this reader; `section` limits the page to one section.

    The case's related lists are counted in one query first and only those with rows are read,
    each once (issue 12: every query costs the page CPU, and this page is the one every write
    redirects to)."""
    is_table = membership.role in {Role.COORDINATOR, Role.SECOND_SCREENER}
    present = casework_selectors.case_presence(case)
    # The triage rounds show in the triage section; the overview's next step of a registered
    # case looks at the last one.
    sections = casefile.visible_sections(membership.role)
    show = {s.slug.replace("-", "_"): section in (None, s.slug) for s in sections}
    need_rounds = show.get("triage") or (case.state == State.REGISTERED and show.get("overzicht"))
    rounds = (
        list(
            case.triage_rounds.select_related(
                "coordinator",
                "second_screener",
                "coordinator_organisation",
                "second_screener_organisation",
            )
        )
        if present["triage_rounds"] and need_rounds
        else []
    )
    pending = next((r for r in rounds if r.verdict == r.Verdict.PENDING), None)
    if pending is not None and is_table:
        # Only the proposed decision shows its assessments.
        prefetch_related_objects(
            [pending],
            Prefetch(
                "assessments", queryset=CriterionAssessment.objects.select_related("criterion")
            ),
        )
    # The permissions of this reader on this case, each membership checked once.
    granted = granted_permissions(actor, case, reader=membership)
    can_manage = Permission.MANAGE in granted
    can_triage = Permission.TRIAGE in granted
    forms_open = open_forms(case.state)
    transitions = allowed_transitions(case.state)
    workspace = casework_selectors.case_workspace(case, present=present)
    party_actions = list(case.party_actions.all()) if present["party_actions"] else []
    if present["events"]:
        events = list(
            case.events.select_related("actor")
            if is_table
            else case.events.filter(transition__in=PUBLIC_EVENTS)
        )
    else:
        events = []
    context: dict[str, Any] = {
        "case": case,
        **_case_urls(case),
        "membership": membership,
        "is_table": is_table,
        "sections": sections,
        "section": section,
        "show": show,
        # Invited organisations see name and birth date only; the BSN is for the table and the
        # referrer (issue 10 §8).
        "show_bsn": is_table or membership.role == Role.REFERRER,
        "rounds": rounds if is_table else [],
        "final_round": casefile.final_round(case, rounds),
        "pending": pending,
        "events": events,
        "party_actions": party_actions,
        "referrer_criteria": list(case.referrer_criteria.all())
        if present["referrer_criteria"]
        else [],
        "can_triage": can_triage and "triage_propose" in transitions,
        "can_screen": Permission.SCREEN in granted
        and pending is not None
        and pending.coordinator_id != request.user.pk,
        "can_move": can_triage and "table_move" in transitions,
        "screen_form": ScreenForm(),
        "move_form": MoveForm(),
        # Links to the same patient's other cases are for the table only (issue 10 §1).
        "linked": list(case.linked_cases.select_related("table"))
        if is_table and present["linked_cases"]
        else [],
        "can_manage": can_manage,
        "can_respond": Permission.GOAL_RESPOND in granted,
        "can_check_in": Permission.CHECK_IN in granted,
        "can_withdraw": membership.role == Role.REFERRER and "withdraw" in forms_open,
        "active": case.state in ACTIVE_STATES,
        "open_forms": forms_open,
        "lazy_forms": LAZY_FORMS,
        # Term forms follow the ladder and the running suspension (issue 11 §2).
        "can_suspend": can_manage
        and "term" in forms_open
        and not any(s.ended_on is None for s in workspace["suspensions"]),
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
            today=workspace["today"],
        )
    if can_manage and context["active"]:
        # The goals' own forms show only to whoever manages the active case.
        _goal_forms(context["goals"], membership.organisation_id, quick)
    context["named_parties"] = _named_parties(party_actions, context["parties"])
    # After closure and up the ladder (issue 16 §3): the overlegtafel's referrals for the table,
    # the outcome questions in the closure section.
    context["board_referrals"] = (
        list(board_selectors.for_case(case))
        if membership.role == Role.COORDINATOR and present["board_referrals"]
        else []
    )
    context["outcome_requests"] = (
        list(outcome_selectors.for_case(case)) if present["outcome_requests"] else []
    )
    # Only meetings this reader may open are links (a referrer sees the date, not a 403).
    user = current_user(request)
    context["open_meetings"] = {
        item.meeting_id
        for item in context["agenda_items"]
        if meeting_membership(user, item.meeting, actor=actor) is not None
    }
    _restore_failed_form(request, case, context)
    context["f"] = _rendered_once(context["f"])
    if section is not None:
        context["section_empty"] = _empty_note(section, context)
    return context


def _case_urls(case: Case) -> dict[str, str]:
    """The bases of the case's action, form, section and document addresses: the templates add
    the name (`{{ action_url }}delen/`), instead of reversing a URL for every row of every list
    (each `{% url %}` costs the page tens of microseconds)."""
    return {
        name: case_url_prefix(view, case.reference)
        for name, view in (
            ("action_url", "action"),
            ("form_url", "form"),
            ("section_url", "section"),
        )
    } | {"documents_url": reverse("cases:document_upload", args=[case.reference])}


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


def _named_parties(party_actions: list[Any], parties: Any) -> list[Any]:
    """Parties the referrer named at registration (`party_actions`, the case's) that are not yet
    Betrokken partijen, each with the directory organisation of the same name when there is one
    (to add it with one click)."""
    involved = {p.organisation.name.casefold() for p in parties}
    named = [pa for pa in party_actions if pa.organisation_name.casefold() not in involved]
    if not named:
        return []
    by_name = {
        o.name.casefold(): o
        for o in Organisation.objects.filter(name__in=[pa.organisation_name for pa in named])
    }
    for pa in named:
        pa.match = by_name.get(pa.organisation_name.casefold())
        # What the organisation field of the one-click form resolves (it takes no bare ids).
        pa.match_label = pa.match and organisation_label(pa.match)
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


def _is_static(form: type[Form]) -> bool:
    """Does an unbound `form` render the same HTML on every case page? Not when it suggests the
    case's organisations or offers choices read from the database."""
    if issubclass(form, QuickOrganisationsMixin):
        return False
    fields = form().fields.values()
    return not any(isinstance(f, ModelChoiceField | OrganisationField) for f in fields)


@lru_cache(maxsize=64)
def _unbound_html(form: type[Form], keywords: tuple[tuple[str, Any], ...]) -> str:
    kwargs: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in keywords}
    return form(**kwargs).as_p()


@dataclass(frozen=True)
class _OnceRendered:
    """An unbound case-page form whose HTML depends only on its class and keyword arguments
    (page ids, the escalation ladder's next levels): rendered once per process and reused. The
    widgets' templates cost the page several milliseconds of CPU on every view (issue 12)."""

    func: partial[Form]  # named as a partial's, for `_restore_failed_form`

    def __call__(self) -> _OnceRendered:
        return self

    def as_p(self) -> str:
        keywords = tuple(
            sorted(
                (k, tuple(v) if isinstance(v, list) else v) for k, v in self.func.keywords.items()
            )
        )
        return _unbound_html(self.func.func, keywords)


def _rendered_once(forms_ns: SimpleNamespace) -> SimpleNamespace:
    """The page's form namespace with its static unbound forms rendered once per process; a
    form that came back with errors (`_restore_failed_form`) stays as it is."""
    return SimpleNamespace(
        **{
            attr: _OnceRendered(cls)
            if isinstance(cls, partial) and cls.func in STATIC_FORMS
            else cls
            for attr, cls in vars(forms_ns).items()
        }
    )


def _goal_forms(goals: list[Any], own_organisation_id: int, quick: list[Organisation]) -> None:
    """Each goal's own edit/status/remove/confirm forms, with ids unique on the page."""
    if not goals:
        return
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
    actor = request_actor(request)
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


# The forms of FORMS whose unbound HTML is the same on every case page (`_OnceRendered`).
STATIC_FORMS = frozenset(p.func for p in vars(FORMS).values() if _is_static(p.func))


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
    actor = request_actor(request)
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
