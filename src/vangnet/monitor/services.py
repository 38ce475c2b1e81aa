"""Writes of the monitor: the questionnaire of a case, the historic import, the export.

Every write validates with `validation.clean_record`, runs in one transaction and leaves an
access-log row where a user acts. The monitor record is anonymous; only opening or saving the
questionnaire of a case touches identifiable data, and that goes through the case access check.
The record a case gets at registration (`monitor_record_ensure_for_case`) is made by the system,
not a user: it reads the case's date of birth only to store the age cluster.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, case_access
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.reference import questionnaire as codes
from vangnet.regions.models import Table

from . import csvio, selectors
from .identifying import Finding, find_name_parts
from .models import MonitorRecord, Source
from .validation import Raw, case_ref_problem, clean_record

ANSWER_FIELDS = tuple(q.key for q in codes.QUESTIONS)


class RecordInvalid(DomainError):
    """The questionnaire has answers that are not allowed; `errors` lists (field, message)."""

    status_code = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        field, message = errors[0]
        super().__init__(f"{field}: {message}", field=field, code="invalid")
        self.errors = errors


class IdentifyingText(DomainError):
    """Open text looks identifying; the coordinator must edit it or confirm saving anyway."""

    status_code = 422

    def __init__(self, findings: dict[str, list[Finding]]) -> None:
        field = next(iter(findings))
        super().__init__(
            "De open tekst lijkt gegevens te bevatten die naar de patiënt te herleiden zijn.",
            field=field,
            code="identifying_text",
        )
        self.findings = findings


class ImportRejected(DomainError):
    """A file with any bad line imports nothing; `errors` lists every bad line."""

    status_code = 422

    def __init__(self, errors: list[csvio.LineError]) -> None:
        super().__init__(
            f"Het bestand is niet geïmporteerd: {len(errors)} "
            f"{'fout' if len(errors) == 1 else 'fouten'}. Er is niets opgeslagen.",
            code="import_rejected",
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def new_case_ref() -> str:
    """A random code for a record completed in Vangnet: nothing links it to the case reference.

    Codes the import would refuse (digits that pass the BSN 11-proef, or read as a date or
    phone number) are skipped, so an export can always be imported again."""
    while True:
        ref = f"M-{secrets.token_hex(5).upper()}"
        if case_ref_problem(ref) is not None:
            continue
        if not MonitorRecord.objects.filter(case_ref=ref).exists():
            return ref


def check_questionnaire_access(
    actor: Actor, case: Case, *, action: str, channel: str = "web"
) -> None:
    """Only the coordinator of the case's table completes its questionnaire (denials logged)."""
    if not selectors.may_complete_questionnaire(actor, case):
        access_log_write(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED,
            case_id=case.pk,
            case_reference=case.reference,
            channel=channel,
            detail="monitorvragenlijst",
        )
        raise NotAllowed("Alleen de coördinator van de tafel vult de monitorvragenlijst in.")


def questionnaire_open(actor: Actor, case: Case, *, channel: str = "web") -> dict[str, Any]:
    """Check access, log the read, and return the answers to show (saved, else prefilled)."""
    check_questionnaire_access(actor, case, action=Action.READ, channel=channel)
    case_access(
        actor,
        case,
        permission=Permission.READ,
        action=Action.READ,
        channel=channel,
        detail="monitorvragenlijst",
    )
    record = selectors.record_for_case(case)
    if record is not None and record.completed_at is not None:
        return record.answers()
    return selectors.prefill_from_case(case)


def monitor_record_save(
    *,
    actor: Actor,
    case: Case,
    answers: Mapping[str, Any],
    confirm_identifying: bool = False,
    channel: str = "web",
) -> MonitorRecord:
    """Save the questionnaire of `case` (create or update its anonymous monitor record)."""
    check_questionnaire_access(actor, case, action=Action.UPDATE, channel=channel)
    cleaned = clean_record(answers, today=timezone.localdate(), require_identity=False)
    if cleaned.errors:
        raise RecordInvalid(cleaned.errors)
    for column in codes.OPEN_KEYS:  # the patient's own name parts, whatever they look like
        own = find_name_parts(str(cleaned.values.get(column) or ""), case.patient_name)
        known = cleaned.findings.setdefault(column, [])
        known.extend(f for f in own if f not in known)
        if not known:
            del cleaned.findings[column]
    if cleaned.findings and not confirm_identifying:
        raise IdentifyingText(cleaned.findings)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        record = MonitorRecord.objects.select_for_update().filter(case=locked).first()
        if record is None:
            record = MonitorRecord(case=locked, case_ref=new_case_ref(), source=Source.CASE)
        record.registration_date = timezone.localdate(locked.registered_at)
        record.table_id = locked.table_id
        record.outcome_date = timezone.localdate(locked.closed_at) if locked.closed_at else None
        for key in ANSWER_FIELDS:
            setattr(record, key, cleaned.values.get(key, [] if key in codes.MULTI_KEYS else ""))
        record.identifying_warning_overridden = bool(cleaned.findings)
        record.updated_by = actor.user
        record.completed_at = timezone.now()
        record.save()
        case_access(
            actor,
            locked,
            permission=Permission.READ,
            action=Action.UPDATE,
            channel=channel,
            detail="monitorvragenlijst opgeslagen",
        )
    return record


def _prefill(case: Case) -> dict[str, object]:
    """What the case knows, as valid answers (an answer the monitor does not know is left out)."""
    prefill = cast(Raw, selectors.prefill_from_case(case))
    return clean_record(prefill, today=timezone.localdate(), require_identity=False).values


def _empty(key: str) -> object:
    return [] if key in codes.MULTI_KEYS else ""


def monitor_record_ensure_for_case(*, case: Case) -> MonitorRecord:
    """The monitor record of `case`, created if it has none: the monitor is a by-product of the
    case work (issue 5), so every case registered in Vangnet is counted, questionnaire or not.

    A new record (source `case`, its own random `case_ref`) holds what the case knows — age
    cluster, referrer type, table, in treatment, outcome and the closure's codes — and no open
    text: only the coordinator writes open text, through the identifying-text check. An existing
    record follows the case: while the questionnaire is not completed every prefilled answer is
    refreshed; once it is, only the outcome, its date and the closure's codes (answers the
    coordinator gave stay unless the case now records something). Idempotent: nothing is saved
    when nothing changed. Meant for the case services (registration, closure), on commit.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        record = MonitorRecord.objects.select_for_update().filter(case=locked).first()
        created = record is None
        if record is None:
            record = MonitorRecord(case=locked, case_ref=new_case_ref(), source=Source.CASE)
        before = {f: getattr(record, f) for f in _SYNCED_FIELDS}
        prefill = _prefill(locked)
        if record.completed_at is None:
            for key in ANSWER_FIELDS:
                setattr(record, key, prefill.get(key, _empty(key)))
        else:
            record.outcome = str(prefill["outcome"])
            for key in ("helped_by", "obstacles", "shortages"):
                if prefill.get(key):
                    setattr(record, key, prefill[key])
            if prefill.get("patient_agreed"):
                record.patient_agreed = str(prefill["patient_agreed"])
        record.registration_date = timezone.localdate(locked.registered_at)
        record.table_id = locked.table_id
        ended = locked.closed_at or (
            locked.state_changed_at if locked.state == State.REFERRED else None
        )  # a referral ends the case at this table on the day it was decided
        record.outcome_date = timezone.localdate(ended) if ended else None
        if created or any(getattr(record, f) != v for f, v in before.items()):
            record.save()
    return record


_SYNCED_FIELDS = (*ANSWER_FIELDS, "registration_date", "table_id", "outcome_date")


def monitor_record_sync_from_case(*, case: Case) -> MonitorRecord | None:
    """Follow the case's closure (or reopening) in its monitor record, creating the record when
    the case has none yet: see `monitor_record_ensure_for_case`.

    A case decided "alleen consultatie" at triage is not a registered case of the monitor (seed 001
    figure 1 counts consultation apart): its record, made at registration, goes, and the report
    counts the case with the consultations (`selectors.consultation_counts`)."""
    if Case.objects.filter(pk=case.pk, state=State.CONSULTATION).exists():
        MonitorRecord.objects.filter(case_id=case.pk, source=Source.CASE).delete()
        return None
    return monitor_record_ensure_for_case(case=case)


def monitor_import(
    *, content: bytes, actor: Actor | None = None, channel: str = "cli"
) -> ImportResult:
    """Import historic monitor records. All or nothing; re-importing changes nothing."""
    parsed, errors = csvio.parse(content, today=timezone.localdate())
    tables = {t.number: t for t in Table.objects.all()}
    refs = [str(p.cleaned.values["case_ref"]) for p in parsed if "case_ref" in p.cleaned.values]
    existing = {r.case_ref: r for r in MonitorRecord.objects.filter(case_ref__in=refs)}
    for p in parsed:
        ref = p.cleaned.values.get("case_ref")
        record = existing.get(str(ref)) if ref else None
        if record is not None and record.source == Source.CASE:
            errors.append(
                csvio.LineError(
                    p.line, "case_ref", f"‘{ref}’ is al een registratie uit Vangnet zelf"
                )
            )
        number = p.cleaned.values.get("table")
        if isinstance(number, int) and number not in tables:
            errors.append(csvio.LineError(p.line, "table", f"tafel {number} bestaat niet"))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.line, e.column)))

    created = updated = unchanged = 0
    with transaction.atomic():
        for p in parsed:
            values = p.cleaned.values
            ref = str(values["case_ref"])
            fields: dict[str, Any] = {
                "registration_date": values["registration_date"],
                "table_id": tables[int(str(values["table"]))].pk,
                **{key: values.get(key) for key in ANSWER_FIELDS},
            }
            record = existing.get(ref)
            if record is None:
                MonitorRecord.objects.create(case_ref=ref, source=Source.IMPORT, **fields)
                created += 1
                continue
            changed = [k for k, v in fields.items() if getattr(record, k) != v]
            if not changed:
                unchanged += 1
                continue
            for key in changed:
                setattr(record, key, fields[key])
            record.save()
            updated += 1
        if actor is not None:
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                channel=channel,
                detail=f"monitorimport: {created} nieuw, {updated} gewijzigd, {unchanged} gelijk",
            )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def export_rows(
    *, actor: Actor | None = None, channel: str = "cli", file_format: str = "csv"
) -> list[dict[str, object]]:
    """The anonymised records in the import columns. Never the case or its reference."""
    if actor is not None:
        selectors.require_national(actor)
    rows = []
    for record in selectors.records():
        values: dict[str, object] = {
            "case_ref": record.case_ref,
            "registration_date": record.registration_date,
            "table": record.table.number,
        }
        values.update({key: getattr(record, key) for key in ANSWER_FIELDS})
        rows.append(values)
    if actor is not None:
        access_log_write(
            actor=actor,
            action=Action.EXPORT,
            channel=channel,
            detail=f"monitorexport {file_format}: {len(rows)} registraties",
        )
    return rows


def monitor_outcome_followup_record(
    *, case: Case, months: int, answer: str, reasons: list[str]
) -> MonitorRecord:
    """Keep the referrer's answer to the outcome question after closure in the case's anonymous
    record (codes only, never the note), so the report counts it (issue 16 §3)."""
    with transaction.atomic():
        record = monitor_record_ensure_for_case(case=case)
        record = MonitorRecord.objects.select_for_update().get(pk=record.pk)
        followups = dict(record.outcome_followups or {})
        followups[str(months)] = {"answer": answer, "reasons": sorted(reasons)}
        record.outcome_followups = followups
        record.save(update_fields=["outcome_followups", "updated_at"])
    return record
