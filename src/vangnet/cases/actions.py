"""Case-page actions: each names the permission it needs, the form that parses the input and the
service it calls. Every case-work app lists its own (`<app>/actions.py`); the case page
(casework) gathers them. These are registration-desk, preparation and closure actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404

from vangnet.accounts.models import Membership, User
from vangnet.cases import services
from vangnet.cases.access import Permission
from vangnet.cases.forms import (
    CloseForm,
    ConsentForm,
    PartyForm,
    QuestionForm,
    ReasonForm,
    TimelineForm,
)
from vangnet.cases.models import Case, CaseParty, Consent
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError


@dataclass(frozen=True)
class CaseAction:
    permission: Permission
    form: type[forms.Form] | None
    run: Callable[..., str]


def case_object(model: Any, pk: Any, **filters: Any) -> Any:
    """get_object_or_404 for a posted id: a malformed id is a 404, never a server error."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_object_or_404(model, pk=key, **filters)


def user_by_name(username: str) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise DomainError("Deze gebruiker bestaat niet.", field="case_director") from exc


def _timeline(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.timeline_add(
        case=case,
        actor=user,
        membership=m,
        on=d["date"],
        organisation_name=d["organisation_name"],
        description=d["description"],
    )
    return "Gebeurtenis toegevoegd aan de tijdlijn."


def _party(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.party_add(case=case, actor=user, membership=m, **d)
    return "Partij toegevoegd."


def _invite(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    party = case_object(CaseParty, post.get("party"), case=case)
    services.party_invite(party=party, actor=user, membership=m)
    return f"{party.organisation} is uitgenodigd."


def _consent(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.consent_record(case=case, actor=user, membership=m, **d)
    return "Toestemming vastgelegd."


def _consent_withdraw(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    consent = case_object(Consent, post.get("consent"), case=case)
    services.consent_withdraw(consent=consent, actor=user, membership=m)
    return "Toestemming ingetrokken; de partij ziet de casus niet meer."


def _question(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.question_add(case=case, actor=user, membership=m, text=d["text"])
    return "Vraag toegevoegd."


def _close(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_close(case=case, actor=user, membership=m, **d)
    return "De casus is afgesloten."


def _withdraw(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_close(case=case, actor=user, membership=m, outcome="withdrawn", note=d["reason"])
    return "Uw aanmelding is ingetrokken."


def _end(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    """During preparation the table ends a case only as a withdrawal, with the reason why."""
    if case.state != State.ADMITTED:
        raise DomainError("Beëindigen kan alleen tijdens de voorbereiding; sluit anders af.")
    services.case_close(case=case, actor=user, membership=m, outcome="withdrawn", note=d["reason"])
    return "De casus is beëindigd (teruggetrokken of afgebroken)."


def _reopen(case: Case, user: User, m: Membership, d: dict[str, Any], post: Any) -> str:
    services.case_reopen(case=case, actor=user, membership=m, reason=d["reason"])
    return "De casus is heropend; de verwijzer is op de hoogte gebracht."


ACTIONS: dict[str, CaseAction] = {
    "tijdlijn": CaseAction(Permission.MANAGE, TimelineForm, _timeline),
    "partij": CaseAction(Permission.MANAGE, PartyForm, _party),
    "uitnodigen": CaseAction(Permission.MANAGE, None, _invite),
    "toestemming": CaseAction(Permission.MANAGE, ConsentForm, _consent),
    "toestemming-intrekken": CaseAction(Permission.MANAGE, None, _consent_withdraw),
    "vraag": CaseAction(Permission.MANAGE, QuestionForm, _question),
    "afsluiten": CaseAction(Permission.MANAGE, CloseForm, _close),
    "intrekken": CaseAction(Permission.REFERRER_ACT, ReasonForm, _withdraw),
    "beeindigen": CaseAction(Permission.MANAGE, ReasonForm, _end),
    "heropenen": CaseAction(Permission.MANAGE, ReasonForm, _reopen),
}


def form_errors(form: forms.Form) -> str:
    """All of a form's errors as one Dutch sentence, each after its field's label."""
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errs)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)
