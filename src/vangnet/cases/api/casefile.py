"""The case file's parts over the API, written by the coordinator during the preparation: the
timeline, the parties and their invitation, the patient's consents, the questions for the meeting
and the documents (and their download)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile

from vangnet.accounts.selectors import current_user
from vangnet.audit.models import Action
from vangnet.cases import selectors, services
from vangnet.cases.access import Permission
from vangnet.cases.downloads import document_response
from vangnet.cases.models import CaseParty, Consent, Document
from vangnet.common.errors import DomainError, NotFound, TooLarge, raise_all
from vangnet.common.schema import PlausibleDate

from .common import (
    CreatedOut,
    DoneOut,
    Id,
    Long,
    case_auth,
    case_for,
    case_object,
    created,
    done,
    organisation_by_id,
    router,
)


class TimelineIn(Schema):
    date: PlausibleDate
    organisation_name: str = Field(..., max_length=200)
    description: str = Field(..., max_length=5000)


@router.post(
    "/{reference}/timeline",
    response={201: CreatedOut},
    summary="Gebeurtenis aan de tijdlijn toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "tijdlijn"),
    operation_id="vangnet_cases_api_timeline_add",
)
def timeline_add(request: HttpRequest, reference: str, payload: TimelineIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "tijdlijn")
    entry = services.timeline_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        on=payload.date,
        organisation_name=payload.organisation_name,
        description=payload.description,
    )
    return Status(201, created(case, entry, "Gebeurtenis toegevoegd aan de tijdlijn."))


class PartyIn(Schema):
    organisation_id: Id
    role: str = Field(..., max_length=200)
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)
    has_mandate: bool = False
    already_did: str = Long


@router.post(
    "/{reference}/parties",
    response={201: CreatedOut},
    summary="Betrokken partij toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "partij"),
    operation_id="vangnet_cases_api_party_add",
)
def party_add(request: HttpRequest, reference: str, payload: PartyIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "partij")
    errors: list[DomainError] = []
    email = payload.contact_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(DomainError("Vul een geldig e-mailadres in.", field="contact_email"))
    try:
        organisation = organisation_by_id(payload.organisation_id)
    except DomainError as exc:
        errors.append(exc)
    raise_all(errors)
    party = services.party_add(
        case=case,
        actor=current_user(request),
        membership=membership,
        organisation=organisation,
        role=payload.role,
        contact_name=payload.contact_name,
        contact_email=email,
        has_mandate=payload.has_mandate,
        already_did=payload.already_did,
    )
    return Status(201, created(case, party, "Partij toegevoegd."))


@router.post(
    "/{reference}/parties/{party_id}/invite",
    response=DoneOut,
    summary="Partij uitnodigen; zij ziet de casus zolang de toestemming dit dekt (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "uitnodigen"),
    operation_id="vangnet_cases_api_party_invite",
)
def party_invite(request: HttpRequest, reference: str, party_id: Id):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "uitnodigen")
    party = case_object(CaseParty, party_id, what="Deze partij", case=case)
    services.party_invite(party=party, actor=current_user(request), membership=membership)
    return done(case, f"{party.organisation} is uitgenodigd.")


class ConsentIn(Schema):
    organisation_id: Id
    given_by: Literal["patient", "representative"]
    valid_from: PlausibleDate
    valid_until: PlausibleDate | None = None


@router.post(
    "/{reference}/consents",
    response={201: CreatedOut},
    summary="Toestemming van de patiënt om te delen met een organisatie vastleggen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "toestemming"),
    operation_id="vangnet_cases_api_consent_record",
)
def consent_record(request: HttpRequest, reference: str, payload: ConsentIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "toestemming")
    consent = services.consent_record(
        case=case,
        actor=current_user(request),
        membership=membership,
        organisation=organisation_by_id(payload.organisation_id),
        given_by=payload.given_by,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, created(case, consent, "Toestemming vastgelegd."))


@router.post(
    "/{reference}/consents/{consent_id}/withdraw",
    response=DoneOut,
    summary="Toestemming intrekken; de partij ziet de casus niet meer (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "toestemming-intrekken"),
    operation_id="vangnet_cases_api_consent_withdraw",
)
def consent_withdraw(request: HttpRequest, reference: str, consent_id: Id):
    case, membership = case_for(
        request, reference, Permission.MANAGE, Action.UPDATE, "toestemming-intrekken"
    )
    consent = case_object(Consent, consent_id, what="Deze toestemming", case=case)
    services.consent_withdraw(consent=consent, actor=current_user(request), membership=membership)
    return done(case, "Toestemming ingetrokken; de partij ziet de casus niet meer.")


class QuestionIn(Schema):
    text: str = Field(..., max_length=5000)


@router.post(
    "/{reference}/questions",
    response={201: CreatedOut},
    summary="Vraag voor de bespreking toevoegen (coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "vraag"),
    operation_id="vangnet_cases_api_question_add",
)
def question_add(request: HttpRequest, reference: str, payload: QuestionIn):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "vraag")
    question = services.question_add(
        case=case, actor=current_user(request), membership=membership, text=payload.text
    )
    return Status(201, created(case, question, "Vraag toegevoegd."))


@router.post(
    "/{reference}/documents",
    response={201: CreatedOut},
    summary="Document toevoegen (pdf, docx, odt, txt, png, jpg; max. 10 MB; coördinator)",
    auth=case_auth(Permission.MANAGE, Action.UPDATE, "document"),
    operation_id="vangnet_cases_api_document_upload",
)
def document_upload(request: HttpRequest, reference: str, file: File[UploadedFile]):
    case, membership = case_for(request, reference, Permission.MANAGE, Action.UPDATE, "document")
    # Read nothing into memory before the size is known to be within the limit.
    if file.size is None or file.size > services.MAX_DOCUMENT_BYTES:
        raise TooLarge("Het bestand is te groot: maximaal 10 MB.", field="file")
    document = services.document_upload(
        case=case,
        actor=current_user(request),
        membership=membership,
        name=file.name or "",
        content=file.read(),
    )
    return Status(201, created(case, document, "Document toegevoegd."))


@router.get(
    "/{reference}/documents/{document_id}",
    summary="Document downloaden (tafel, verwijzer, uitgenodigde partij met toestemming)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Het bestand zoals het werd toegevoegd",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
    operation_id="vangnet_cases_api_document_download",
)
def document_download(request: HttpRequest, reference: str, document_id: Id):
    case = selectors.case_by_reference(reference)
    document = case_object(Document, document_id, what="Dit document", case=case)
    case_for(request, reference, Permission.DOCUMENT, Action.DOWNLOAD, f"document {document.pk}")
    response = document_response(document)
    if response is None:
        raise NotFound("Het bestand van dit document ontbreekt.")
    return response
