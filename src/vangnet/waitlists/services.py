"""Writes of the waiting-list domain: submissions, registration pauses, published waiting times.

Each service validates everything first, then writes in one transaction (an import that fails or
is killed halfway leaves the database as it was) and records the access log (no case involved).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import DomainError
from vangnet.common.validators import check_plausible_date, clean_text
from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality

from . import access, importers, published
from .importers import CheckResult, FileProblem, LineError, Vocabulary
from .models import (
    Channel,
    DiagnosisGroup,
    PublishedImport,
    PublishedWaitingTime,
    RegistrationPause,
    Submission,
    WaitlistRegistration,
)
from .pseudonymise import looks_like_pseudonym

BATCH_SIZE = 5000


def command_line_actor() -> Actor:
    """The operator of a management command: shell access to the server, no user account."""
    return Actor(user=cast(User, AnonymousUser()), memberships=())


class ImportRejected(DomainError):
    """A file with problems: nothing was imported. `errors` lists every problem by line."""

    def __init__(self, message: str, *, errors: list[LineError] | None = None, unit: str = "regel"):
        super().__init__(message, code="import_rejected")
        self.errors = errors or []
        self.unit = unit

    def lines(self) -> list[str]:
        return [e.as_text(self.unit) for e in self.errors]


@dataclass
class SubmissionResult:
    provider: str
    provider_agb: str
    period: date
    status: str  # "nieuw", "vervangen" or "ongewijzigd"
    rows: int
    skipped_outside_period: int


@dataclass
class ImportReport:
    unit: str
    rows: int
    period: date
    period_inferred: bool
    submissions: list[SubmissionResult] = field(default_factory=list)
    # Versions of the pseudonymisation key seen in the file: all providers of a region switch
    # key in the same month, or people are counted twice (ADR 5).
    key_versions: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.status != "ongewijzigd" for s in self.submissions)


def vocabulary() -> Vocabulary:
    return Vocabulary(
        providers=dict(Organisation.objects.exclude(agb_code="").values_list("agb_code", "id")),
        municipalities=dict(Municipality.objects.values_list("code", "id")),
        diagnosis_groups=dict(DiagnosisGroup.objects.values_list("code", "id")),
    )


def check_file(
    *, data: bytes, name: str, period: date | None, allowed_provider_ids: set[int] | None
) -> CheckResult:
    try:
        unit, rows = importers.read_rows(data, name=name)
        return importers.check_rows(
            rows,
            vocabulary(),
            period=period,
            allowed_provider_ids=allowed_provider_ids,
            unit=unit,
        )
    except FileProblem as exc:
        raise ImportRejected(str(exc)) from None


def submission_import(
    *,
    data: bytes,
    name: str,
    actor: Actor,
    channel: str = Channel.CLI,
    period: date | None = None,
    membership: Membership | None = None,
) -> ImportReport:
    """Import a waiting-list file: one submission per provider in the file for the period.

    With `membership` (a data officer's upload) every row must belong to that organisation.
    A provider's earlier submission for the same period is replaced; identical content is left
    untouched, so importing the same file twice changes nothing.
    """
    allowed = {membership.organisation_id} if membership is not None else None
    checked = check_file(data=data, name=name, period=period, allowed_provider_ids=allowed)
    if not checked.ok:
        n = len({e.line for e in checked.errors})
        noun = {"regel": ("regel", "regels"), "rij": ("rij", "rijen")}[checked.unit][n != 1]
        raise ImportRejected(
            f"Het bestand is niet geïmporteerd: {n} {noun} met fouten.",
            errors=checked.errors,
            unit=checked.unit,
        )
    assert checked.period is not None
    by_provider: dict[int, list[importers.CleanRow]] = defaultdict(list)
    for row in checked.rows:
        by_provider[row.provider_id].append(row)
    report = ImportReport(
        unit=checked.unit,
        rows=len(checked.rows),
        period=checked.period,
        period_inferred=checked.period_inferred,
        key_versions=sorted(
            {
                r.person_pseudonym.split(":", 1)[0]
                for r in checked.rows
                if looks_like_pseudonym(r.person_pseudonym)
            }
        ),
    )
    providers = Organisation.objects.in_bulk(list(by_provider))
    user = actor.user if actor.user.is_authenticated else None
    with transaction.atomic():
        for provider_id in sorted(by_provider):
            provider = providers[provider_id]
            result = _store_submission(
                provider=provider,
                period=checked.period,
                rows=by_provider[provider_id],
                source_name=name,
                channel=channel,
                user=user,
            )
            report.submissions.append(result)
            access_log_write(
                actor=actor,
                action=Action.CREATE,
                membership=membership,
                channel=channel,
                detail=(
                    f"wachtlijstaanlevering {provider.agb_code} {checked.period:%Y-%m}: "
                    f"{result.rows} regels, {result.status}"
                ),
            )
    return report


def _store_submission(
    *,
    provider: Organisation,
    period: date,
    rows: list[importers.CleanRow],
    source_name: str,
    channel: str,
    user: User | None,
) -> SubmissionResult:
    # Lock the provider: two uploads for the same provider and period run one after the other.
    Organisation.objects.select_for_update().filter(pk=provider.pk).first()
    # Registrations that left the list before the period began do not count in it: not stored.
    kept = [r for r in rows if not r.ends_before(period)]
    digest = importers.content_hash(kept, period)
    existing = (
        Submission.objects.select_for_update().filter(provider=provider, period=period).first()
    )
    status = "nieuw"
    if existing is not None:
        if existing.content_sha256 == digest:
            return SubmissionResult(
                provider.name,
                provider.agb_code,
                period,
                "ongewijzigd",
                len(kept),
                len(rows) - len(kept),
            )
        existing.registrations.all().delete()
        existing.content_sha256 = digest
        existing.row_count = len(kept)
        existing.source_name = source_name[:200]
        existing.channel = channel
        existing.submitted_by = user
        existing.save()
        submission = existing
        status = "vervangen"
    else:
        submission = Submission.objects.create(
            provider=provider,
            period=period,
            content_sha256=digest,
            row_count=len(kept),
            source_name=source_name[:200],
            channel=channel,
            submitted_by=user,
        )
    for start in range(0, len(kept), BATCH_SIZE):
        WaitlistRegistration.objects.bulk_create(
            [
                WaitlistRegistration(
                    submission=submission,
                    period=period,
                    provider_id=provider.pk,
                    person_pseudonym=r.person_pseudonym,
                    municipality_id=r.municipality_id,
                    diagnosis_group_id=r.diagnosis_group_id,
                    registration_date=r.registration_date,
                    intake_date=r.intake_date,
                    treatment_start_date=r.treatment_start_date,
                    exit_date=r.exit_date,
                    preferred_provider=r.preferred_provider,
                    line=r.line,
                )
                for r in kept[start : start + BATCH_SIZE]
            ]
        )
    return SubmissionResult(
        provider.name, provider.agb_code, period, status, len(kept), len(rows) - len(kept)
    )


# ------------------------------------------------------------------------------------------
# Registration pauses


def _overlapping(provider: Organisation, group: DiagnosisGroup, start: date, end: date) -> bool:
    pauses = RegistrationPause.objects.filter(
        provider=provider, diagnosis_group=group, starts_on__lte=end, planned_end_on__gte=start
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    return pauses.exists()


def pause_record(
    *,
    actor: Actor,
    provider: Organisation,
    diagnosis_group: DiagnosisGroup,
    starts_on: date,
    planned_end_on: date,
    reason: str,
    channel: str = "web",
) -> RegistrationPause:
    """Record an aanmeldpauze for a provider × diagnosis group (seed 002, speerpunt 2)."""
    membership = access.require_pause_membership(actor, provider)
    reason = clean_text(reason, field="reason", label="De reden", max_length=1000, required=True)
    # Every channel (form, API, command) passes here: a year like 9999 is a typing error.
    today = timezone.localdate()
    check_plausible_date(starts_on, field="starts_on", label="De ingangsdatum", today=today)
    check_plausible_date(
        planned_end_on, field="planned_end_on", label="De geplande einddatum", today=today
    )
    if planned_end_on < starts_on:
        raise DomainError(
            "De geplande einddatum ligt vóór de ingangsdatum.", field="planned_end_on"
        )
    if (planned_end_on - starts_on).days > 366:
        raise DomainError(
            "Een aanmeldpauze duurt hoogstens een jaar; leg daarna zo nodig een nieuwe vast.",
            field="planned_end_on",
        )
    with transaction.atomic():
        # Lock the provider row so two simultaneous requests cannot both pass the overlap check.
        Organisation.objects.select_for_update().filter(pk=provider.pk).first()
        if _overlapping(provider, diagnosis_group, starts_on, planned_end_on):
            raise DomainError(
                "Voor deze aanbieder en diagnosegroep is in deze periode al een aanmeldpauze "
                "vastgelegd.",
                field="starts_on",
            )
        pause = RegistrationPause.objects.create(
            provider=provider,
            diagnosis_group=diagnosis_group,
            starts_on=starts_on,
            planned_end_on=planned_end_on,
            reason=reason,
            recorded_by=actor.user,
            recorded_as=membership.role,
        )
        access_log_write(
            actor=actor,
            action=Action.CREATE,
            membership=membership,
            channel=channel,
            detail=f"aanmeldpauze {provider.agb_code or provider.pk} {diagnosis_group.code}",
        )
    return pause


def pause_end(
    *, actor: Actor, pause: RegistrationPause, on: date, channel: str = "web"
) -> RegistrationPause:
    """End a pause early: from `on` the provider takes registrations again."""
    membership = access.require_pause_membership(actor, pause.provider)
    with transaction.atomic():
        pause = RegistrationPause.objects.select_for_update().get(pk=pause.pk)
        if pause.ended_on is not None:
            raise DomainError("Deze aanmeldpauze is al beëindigd.")
        if on < pause.starts_on:
            raise DomainError("De einddatum ligt vóór de ingangsdatum.", field="ended_on")
        if on > pause.planned_end_on:
            raise DomainError(
                "De pauze loopt dan al af op de geplande einddatum.", field="ended_on"
            )
        pause.ended_on = on
        pause.ended_by = actor.user
        pause.save(update_fields=["ended_on", "ended_by", "updated_at"])
        access_log_write(
            actor=actor,
            action=Action.UPDATE,
            membership=membership,
            channel=channel,
            detail=f"aanmeldpauze {pause.pk} beëindigd",
        )
    return pause


# ------------------------------------------------------------------------------------------
# Published waiting times (NZa / MediQuest format)


@dataclass
class PublishedReport:
    source: PublishedImport
    created: bool


def published_import(
    *, data: bytes, name: str, actor: Actor, channel: str = "cli"
) -> PublishedReport:
    """Import a published waiting-time file. The same file twice is a no-op."""
    digest = published.sha256(data)
    existing = PublishedImport.objects.filter(content_sha256=digest).first()
    if existing is not None:
        return PublishedReport(existing, created=False)
    municipality_ids = dict(Municipality.objects.values_list("code", "id"))
    try:
        parsed = published.parse(
            data,
            municipalities=municipality_ids,
            municipality_names=published.municipality_name_index(
                Municipality.objects.values_list("name", "id")
            ),
            places=published.place_index(published.read_places(), municipality_ids),
            diagnosis_groups=published.diagnosis_group_index(
                DiagnosisGroup.objects.values_list("code", "name", "id")
            ),
        )
    except published.PublishedFileProblem as exc:
        raise ImportRejected(str(exc)) from None
    with transaction.atomic():
        source = PublishedImport.objects.create(
            source_name=name[:200],
            content_sha256=digest,
            rows_total=parsed.report["rows_total"],
            rows_used=parsed.report["rows_used"],
            report=parsed.report,
        )
        for start in range(0, len(parsed.rows), BATCH_SIZE):
            PublishedWaitingTime.objects.bulk_create(
                [
                    PublishedWaitingTime(source=source, **row)
                    for row in parsed.rows[start : start + BATCH_SIZE]
                ]
            )
        access_log_write(
            actor=actor,
            action=Action.CREATE,
            channel=channel,
            detail=f"gepubliceerde wachttijden {name[:80]}: {source.rows_used} van {source.rows_total} rijen",
        )
    return PublishedReport(source, created=True)
