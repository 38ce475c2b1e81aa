"""Registration over the API: the cases the user may see, registering one, reading one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for, current_user, request_actor
from vangnet.api.pagination import PageOut, PageQuery, api_page, paging
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.cases import selectors, services
from vangnet.cases.access import Permission, granting_membership, log_list
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.common.schema import Bsn, MunicipalityCode
from vangnet.directory.models import Organisation, OrganisationType

from .common import CRITERIA, CaseSummaryOut, case_for, case_summary, router

Text = Field(..., min_length=1, max_length=5000)
# A registration names what the parties already did: a handful, never thousands (issue 10 §4).
MAX_PARTY_ACTIONS = 20


class PartyActionIn(Schema):
    organisation_name: str = Field(..., min_length=1, max_length=200)
    action: str = Field(..., min_length=1, max_length=5000)


class RegistrationIn(Schema):
    organisation_id: int | None = Field(
        None, description="Namens welke organisatie (standaard: uw enige verwijzersorganisatie)"
    )
    referrer_type: Literal[
        "coordinating_institution",
        "other_ggz_institution",
        "care_mediation",
        "addiction_or_chain_partner",
        "gp",
    ]
    patient_name: str = Field(..., min_length=1, max_length=200)
    patient_birth_date: date = Field(
        ..., description="Geboortedatum (JJJJ-MM-DD), niet vóór 1900 en niet in de toekomst"
    )
    patient_municipality: MunicipalityCode
    insurer_id: int | None = Field(
        None,
        description="De zorgverzekeraar van de patiënt: id van een organisatie van het type zorgverzekeraar",
    )
    patient_insurer: str | None = Field(
        None,
        max_length=100,
        description="Of de naam van die zorgverzekeraar precies zoals in de lijst (als insurer_id ontbreekt)",
    )
    patient_bsn: Bsn = ""
    consent_by: Literal["patient", "representative"]
    stuck_description: str = Text
    best_solution: str = Text
    timeline: str = Text
    urgency: Literal["regular", "urgent"] = "regular"
    in_ggz_treatment: bool | None = Field(
        None, description="Nu in behandeling in de ggz (monitor vraag 7)"
    )
    criteria: list[Annotated[int, Field(ge=1, le=CRITERIA)]] = Field(
        default_factory=list, max_length=CRITERIA, description="Nummers van de criteria (1-7)"
    )
    # At least one is a domain rule (answered 400 with a Dutch message), stated in the schema too.
    party_actions: list[PartyActionIn] = Field(
        ..., max_length=MAX_PARTY_ACTIONS, json_schema_extra={"minItems": 1}
    )
    table: int | None = Field(None, ge=1, le=8)
    table_choice_reason: str = Field("", max_length=5000)


class CasePageOut(PageOut):
    items: list[CaseSummaryOut]


class PartyActionOut(Schema):
    organisation_name: str
    action: str


class DecisionOut(Schema):
    decision: str
    decision_label: str
    reason: str
    advice: str
    refer_to: str
    menselijke_maat_reason: str
    confirmed_at: datetime | None


class PriorAttemptOut(Schema):
    by_organisation: str
    provider: str | None
    tried_on: date
    what: str
    result: str


class CaseOut(CaseSummaryOut):
    patient_name: str
    patient_birth_date: date
    patient_municipality: str
    insurer_id: int
    patient_insurer: str
    consent_by: str
    stuck_description: str
    best_solution: str
    timeline: str
    urgency: str
    referrer_type: str
    criteria: list[int]
    party_actions: list[PartyActionOut]
    prior_attempts: list[PriorAttemptOut]
    linked_cases: list[str]
    decision: DecisionOut | None


def _detail(case: Case, *, table_view: bool = False) -> CaseOut:
    """The case as the API shows it; `linked_cases` (the same patient's other cases) only to
    the table's coordinator and screener (issue 10 §1)."""
    final = selectors.final_round(case)
    return CaseOut(
        **case_summary(case).dict(),
        patient_name=case.patient_name,
        patient_birth_date=case.patient_birth_date,
        patient_municipality=case.patient_municipality.code,
        insurer_id=case.insurer_id,
        patient_insurer=case.insurer.name,
        consent_by=case.consent_by,
        stuck_description=case.stuck_description,
        best_solution=case.best_solution,
        timeline=case.timeline,
        urgency=case.urgency,
        referrer_type=case.referrer_type,
        criteria=sorted(c.number for c in case.referrer_criteria.all()),
        party_actions=[
            PartyActionOut(organisation_name=p.organisation_name, action=p.action)
            for p in case.party_actions.all()
        ],
        prior_attempts=[
            PriorAttemptOut(
                by_organisation=a.by_organisation.name,
                provider=a.provider.name if a.provider else None,
                tried_on=a.tried_on,
                what=a.what,
                result=a.result,
            )
            for a in case.prior_attempts.select_related("by_organisation", "provider")
        ],
        linked_cases=[c.reference for c in case.linked_cases.all()] if table_view else [],
        decision=DecisionOut(
            decision=final.decision,
            decision_label=final.get_decision_display(),
            reason=final.reason,
            advice=final.advice,
            refer_to=final.refer_to,
            menselijke_maat_reason=final.menselijke_maat_reason,
            confirmed_at=final.screened_at,
        )
        if final
        else None,
    )


@router.get(
    "",
    response=CasePageOut,
    summary="Casussen die u mag zien (nieuwste eerst, per pagina; volg `next`)",
    operation_id="vangnet_cases_api_list_cases",
)
def list_cases(request: HttpRequest, paging_query: Query[PageQuery], state: str = ""):
    actor = request_actor(request)
    cases = selectors.case_list(actor, state=state if state in State.values else "")
    page = api_page(cases, paging_query, field="registered_at")
    log_list(actor, channel="api", detail="casuslijst")
    return CasePageOut(items=[case_summary(c) for c in page.rows], **paging(request, page))


def _insurer_id(payload: RegistrationIn) -> int | None:
    """The insurer by id, or by its exact name in the list (a typed name no insurer has is an
    error, never a new organisation)."""
    if payload.insurer_id is not None:
        return payload.insurer_id
    name = " ".join((payload.patient_insurer or "").split())
    if not name:
        return None
    found = list(
        Organisation.objects.filter(
            organisation_type=OrganisationType.INSURER, name__iexact=name
        ).values_list("pk", flat=True)[:2]
    )
    if len(found) != 1:
        raise DomainError(
            f"Onbekende zorgverzekeraar '{name[:60]}': kies er een uit de lijst (insurer_id).",
            field="insurer_id",
        )
    return found[0]


@router.post(
    "",
    response={201: CaseOut},
    summary="Casus aanmelden",
    operation_id="vangnet_cases_api_register",
)
def register(request: HttpRequest, payload: RegistrationIn):
    user = current_user(request)
    actor = actor_for(user)
    org_ids = actor.organisation_ids(Role.REFERRER)
    if payload.organisation_id is None and len(org_ids) == 1:
        org_id = next(iter(org_ids))
    elif payload.organisation_id is None and len(org_ids) > 1:
        names = ", ".join(
            f"{o.pk} ({o.name})" for o in Organisation.objects.filter(pk__in=org_ids).order_by("pk")
        )
        raise DomainError(
            f"U bent verwijzer voor meer organisaties: kies er één met organisation_id ({names}).",
            field="organisation_id",
        )
    elif payload.organisation_id in org_ids:
        org_id = payload.organisation_id
    else:
        access_log_write(
            actor=actor, action=Action.CREATE, outcome="denied", channel="api", detail="aanmelding"
        )
        raise NotAllowed(
            "U kunt alleen aanmelden namens een organisatie waarvoor u verwijzer bent."
        )
    data = services.RegistrationInput(
        referrer_type=payload.referrer_type,
        patient_name=payload.patient_name,
        patient_birth_date=payload.patient_birth_date,
        patient_municipality_code=payload.patient_municipality,
        insurer_id=_insurer_id(payload),
        patient_bsn=payload.patient_bsn,
        consent_by=payload.consent_by,
        stuck_description=payload.stuck_description,
        best_solution=payload.best_solution,
        timeline=payload.timeline,
        urgency=payload.urgency,
        in_ggz_treatment=payload.in_ggz_treatment,
        criteria=payload.criteria,
        party_actions=[
            services.PartyActionInput(p.organisation_name, p.action) for p in payload.party_actions
        ],
        table_number=payload.table,
        table_choice_reason=payload.table_choice_reason,
    )
    result = services.case_register(
        referrer=user, organisation=Organisation.objects.get(pk=org_id), data=data
    )
    case = selectors.case_by_reference(result.case.reference)
    access_log_write(
        actor=actor,
        action=Action.CREATE,
        case_id=case.pk,
        case_reference=case.reference,
        membership=granting_membership(actor, case, Permission.READ),
        channel="api",
        detail="aanmelding",
    )
    return Status(201, _detail(case))


@router.get(
    "/{reference}",
    response=CaseOut,
    summary="Casus inzien",
    operation_id="vangnet_cases_api_read_case",
)
def read_case(request: HttpRequest, reference: str):
    case, membership = case_for(request, reference, Permission.READ, Action.READ)
    table_view = membership.role in {Role.COORDINATOR, Role.SECOND_SCREENER}
    return _detail(case, table_view=table_view)
