"""Writes of the waiting-list domain: submissions, registration pauses, published waiting times.

Each service validates everything first, then writes in one transaction (an import that fails or
is killed halfway leaves the database as it was) and records the access log (no case involved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

import polars as pl
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from vangnet.accounts.models import Membership, User
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write, access_log_write_many
from vangnet.common.errors import DomainError
from vangnet.common.validators import check_plausible_date, clean_text
from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality

from . import access, aggregates, columnar, importers, published, selectors
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
from .pseudonymise import PSEUDONYM_PATTERN

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
    """Check a whole file: by columns (`check_frame`) when its layout allows, else row by row;
    both give the same errors and a frame of the clean rows."""
    try:
        read = columnar.read_frame(data, name=name)
        if read is None:
            unit, rows = importers.read_rows(data, name=name)
            return importers.check_rows(
                rows,
                vocabulary(),
                period=period,
                allowed_provider_ids=allowed_provider_ids,
                unit=unit,
            )
        unit, frame = read
        return columnar.check_frame(
            frame, vocabulary(), period=period, allowed_provider_ids=allowed_provider_ids, unit=unit
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
    untouched, so importing the same file twice changes nothing. When anything changed, the
    month's stored figures are recomputed in the same transaction.
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
    assert checked.period is not None and checked.frame is not None
    period_ = checked.period
    frame = checked.frame
    pseudonyms = frame["person_pseudonym"]
    report = ImportReport(
        unit=checked.unit,
        rows=frame.height,
        period=period_,
        period_inferred=checked.period_inferred,
        key_versions=sorted(
            pseudonyms.filter(pseudonyms.str.contains(PSEUDONYM_PATTERN))
            .str.split(":")
            .list.first()
            .unique()
            .to_list()
        ),
    )
    # Registrations that left the list before the period began do not count in it: not stored.
    ends_before = pl.min_horizontal("treatment_start_date", "exit_date") < period_
    frame = frame.with_columns(kept=~ends_before.fill_null(False))
    per_provider = frame.group_by("provider_id").agg(rows=pl.len(), kept=pl.col("kept").sum())
    totals = {int(p): (int(n), int(k)) for p, n, k in per_provider.iter_rows()}
    kept = frame.filter(pl.col("kept")).drop("kept")
    kept = kept.with_columns(person_key=columnar.person_keys(kept["person_pseudonym"]))
    # In provider order from here on: the COPY below is several times faster that way.
    kept, hashes = columnar.by_provider_with_hashes(kept, period_)
    empty_hash = importers.content_hash([], period_)
    user = actor.user if actor.user.is_authenticated else None
    provider_ids = sorted(totals)
    with transaction.atomic():
        # Lock the providers: two uploads for the same provider and period run one after the
        # other (in id order, so two multi-provider files cannot deadlock).
        providers = {
            o.pk: o
            for o in Organisation.objects.select_for_update()
            .filter(pk__in=provider_ids)
            .order_by("pk")
        }
        existing = {
            s.provider_id: s
            for s in Submission.objects.select_for_update().filter(
                period=period_, provider_id__in=provider_ids
            )
        }
        now = timezone.now()
        replaced: list[Submission] = []
        created: list[Submission] = []
        statuses: dict[int, str] = {}
        for provider_id in provider_ids:
            digest = hashes.get(provider_id, empty_hash)
            n_kept = totals[provider_id][1]
            submission = existing.get(provider_id)
            if submission is not None and submission.content_sha256 == digest:
                statuses[provider_id] = "ongewijzigd"
                continue
            fields = {
                "content_sha256": digest,
                "row_count": n_kept,
                "source_name": name[:200],
                "channel": channel,
                "submitted_by": user,
            }
            if submission is not None:
                for attr, value in fields.items():
                    setattr(submission, attr, value)
                submission.updated_at = now
                replaced.append(submission)
                statuses[provider_id] = "vervangen"
            else:
                created.append(Submission(provider_id=provider_id, period=period_, **fields))
                statuses[provider_id] = "nieuw"
        if replaced:
            WaitlistRegistration.objects.filter(
                period=period_, provider_id__in=[s.provider_id for s in replaced]
            ).delete()
            Submission.objects.bulk_update(replaced, [*SUBMISSION_FIELDS, "updated_at"])
        Submission.objects.bulk_create(created)
        transaction.on_commit(selectors.submissions_changed)
        submission_ids = {s.provider_id: s.pk for s in (*replaced, *created)}
        if submission_ids:
            _write_registrations(
                kept.filter(pl.col("provider_id").is_in(list(submission_ids))).with_columns(
                    submission_id=pl.col("provider_id").replace_strict(
                        submission_ids, return_dtype=pl.Int64
                    ),
                    period=pl.lit(period_),
                )
            )
            # Every provider in the file now has exactly its kept rows stored (unchanged ones
            # had the same content already): the figures need only the others from the database.
            aggregates.refresh_months([period_], preloaded={period_: (kept, provider_ids)})
        for provider_id in provider_ids:
            provider = providers[provider_id]
            n_rows, n_kept = totals[provider_id]
            report.submissions.append(
                SubmissionResult(
                    provider.name,
                    provider.agb_code,
                    period_,
                    statuses[provider_id],
                    n_kept,
                    n_rows - n_kept,
                )
            )
        access_log_write_many(
            actor=actor,
            action=Action.CREATE,
            membership=membership,
            channel=channel,
            details=[
                f"wachtlijstaanlevering {s.provider_agb} {period_:%Y-%m}: "
                f"{s.rows} regels, {s.status}"
                for s in report.submissions
            ],
        )
    return report


SUBMISSION_FIELDS = ("content_sha256", "row_count", "source_name", "channel", "submitted_by")
REGISTRATION_COLUMNS = (
    "submission_id",
    "period",
    "provider_id",
    "person_pseudonym",
    "person_key",
    "municipality_id",
    "diagnosis_group_id",
    "registration_date",
    "intake_date",
    "treatment_start_date",
    "exit_date",
    "preferred_provider",
    "line",
)
COPY_CHUNK_ROWS = 250_000


def _write_registrations(frame: pl.DataFrame) -> None:
    """Write registrations at disk speed: PostgreSQL COPY, SQLite executemany (both inside the
    caller's transaction, so a failure leaves nothing behind)."""
    if frame.height == 0:
        return
    frame = frame.select(REGISTRATION_COLUMNS)
    table = connection.ops.quote_name(WaitlistRegistration._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in REGISTRATION_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            # A queued writer sends from its own thread: Polars formats the next chunk while
            # the server stores the last one.
            raw = cursor.cursor
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                for offset in range(0, frame.height, COPY_CHUNK_ROWS):
                    chunk = frame.slice(offset, COPY_CHUNK_ROWS)
                    copy.write(chunk.write_csv(include_header=False, null_value=""))
            return
        text = frame.with_columns(
            [pl.col(c).cast(pl.String) for c in importers.DATE_COLUMNS]
            + [pl.col("period").cast(pl.String), pl.col("preferred_provider").cast(pl.Int8)]
        )
        marks = ", ".join(["%s"] * len(REGISTRATION_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names are ours
        for offset in range(0, text.height, COPY_CHUNK_ROWS):
            cursor.executemany(sql, text.slice(offset, COPY_CHUNK_ROWS).rows())


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
        pause_notify(pause, started=True, actor=actor.user)
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
        pause_notify(pause, started=False, actor=actor.user)
    return pause


def pause_recipients(provider: Organisation, *, exclude: User | None = None) -> list[User]:
    """Who hears of a pause (issue 16 §4): the data officers, provider managers, zorgbemiddelaars
    and GPs whose organisation lies in the provider's veiligheidsregio, the region of the
    transfer mechanism — nobody elsewhere, and not who recorded it."""
    from vangnet.regions.selectors import region_grouping

    from .models import RegionKind

    if provider.municipality is None:
        return []
    grouping = region_grouping(RegionKind.SAFETY_REGION, on=timezone.localdate())
    code = grouping.get(provider.municipality.code)
    if code is None:
        return []
    municipalities = [m for m, region in grouping.items() if region == code]
    memberships = Membership.objects.filter(
        role__in=access.REGION_ROLES,
        active=True,
        user__is_active=True,
        organisation__municipality__code__in=municipalities,
    ).select_related("user")
    return [m.user for m in memberships if exclude is None or m.user_id != exclude.pk]


def pause_notify(pause: RegistrationPause, *, started: bool, actor: User | None = None) -> int:
    """Tell the region's parties that a provider starts or ends a pause: provider, diagnosis group
    and dates only (no personal data). Idempotent per pause and event (dedup keys)."""
    from vangnet.accounts.services import notification_send
    from vangnet.common.dates import dutch_date

    provider, group = pause.provider, pause.diagnosis_group
    if started:
        subject = (
            f"Aanmeldpauze {provider.name} – {group.name}: van {dutch_date(pause.starts_on)} "
            f"tot en met {dutch_date(pause.planned_end_on)}"
        )
        body = (
            "Deze aanbieder neemt voor deze diagnosegroep geen nieuwe aanmeldingen aan. Verwijs "
            "naar een aanbieder met capaciteit; de aanmeldpauzes en wachttijden van uw regio "
            "staan in Vangnet onder Wachtlijsten."
        )
    else:
        last = pause.ended_on or pause.planned_end_on
        subject = f"Aanmeldpauze {provider.name} – {group.name} beëindigd ({dutch_date(last)})"
        body = "Deze aanbieder neemt voor deze diagnosegroep weer aanmeldingen aan."
    return len(
        notification_send(
            users=pause_recipients(provider, exclude=actor),
            subject=subject,
            body=body,
            dedup_key=f"pause:{pause.pk}:{'start' if started else 'end'}",
        )
    )


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
