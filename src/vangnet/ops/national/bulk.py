"""The bulk parts of the national data set: the access log (COPY, then sealed into the hash
chain by the real sealer) and the waiting-list months (through the real import)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import astuple

import numpy as np
import polars as pl
from django.db import connection, transaction

from vangnet.audit import sealing
from vangnet.audit.models import AccessLogEntry, AccessLogSeal, Action, Outcome
from vangnet.audit.sealing import access_log_seal
from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality
from vangnet.waitlists import services as waitlist_services
from vangnet.waitlists import synthetic

# What a log row holds besides the id and the time the database gives it.
LOG_COLUMNS = [f for f in sealing.ENTRY_FIELDS if f not in ("id", "at")]
# Chunk of log rows written and then sealed: the chain's bound on the time between a row and its
# seal (VANGNET_AUDIT_MAX_LAG_SECONDS, 600 s) holds because each chunk is sealed right away.
LOG_CHUNK = 200_000


def copy_frame(table: str, frame: pl.DataFrame) -> None:
    """Write a frame's rows into `table`: COPY on PostgreSQL, executemany elsewhere."""
    columns = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, null_value="\\N", quote_style="necessary")
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
        return
    marks = ", ".join(["%s"] * len(frame.columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our own names
            frame.rows(),
        )


def access_log(
    *,
    rng: np.random.Generator,
    rows: int,
    users: list[tuple[int, str, str, str]],
    cases: list[tuple[int, str]],
    say: Callable[[str], None],
) -> None:
    """`rows` access-log rows of table staff reading, listing, searching and changing cases,
    written in chunks, each sealed right after it is written."""
    actions = np.array(
        [Action.READ, Action.LIST, Action.SEARCH, Action.UPDATE, Action.CREATE, Action.EXPORT]
    )
    weights = np.array([70, 14, 5, 7, 3, 1], dtype=float)
    user_arr = np.array(users, dtype=object)
    case_ids = np.array([c[0] for c in cases], dtype=np.int64)
    case_refs = np.array([c[1] for c in cases], dtype=object)
    table = AccessLogEntry._meta.db_table
    done = 0
    while done < rows:
        n = min(LOG_CHUNK, rows - done)
        who = user_arr[rng.integers(0, len(user_arr), n)]
        action = actions[rng.choice(len(actions), n, p=weights / weights.sum())]
        about = rng.integers(0, len(case_ids), n)
        on_case = (action != Action.LIST) & (action != Action.SEARCH)
        denied = rng.random(n) < 0.01
        frame = pl.DataFrame(
            {
                "user_id": who[:, 0].astype(np.int64),
                "username": who[:, 1].astype(str),
                "role": who[:, 2].astype(str),
                "organisation": who[:, 3].astype(str),
                "case_id": pl.Series(np.where(on_case, case_ids[about], 0)).replace(0, None),
                "case_reference": np.where(on_case, case_refs[about], "").astype(str),
                "action": action.astype(str),
                "outcome": np.where(denied, Outcome.DENIED, Outcome.ALLOWED).astype(str),
                "channel": np.where(rng.random(n) < 0.1, "api", "web").astype(str),
                "credential": np.full(n, "session"),
                "detail": np.where(on_case, "casuspagina", "casuslijst").astype(str),
            }
        ).select(LOG_COLUMNS)
        with transaction.atomic():
            copy_frame(table, frame)
        sealed = seal()
        done += n
        say(f"  toegangslog: {done:,} regels geschreven, {sealed:,} verzegeld")


SEAL_BATCH = 20_000


def seal() -> int:
    return seal_in_bulk() if connection.vendor == "postgresql" else access_log_seal()


def seal_in_bulk() -> int:
    """Seal every unsealed row, as `sealing.access_log_seal` does (same order, same hash, the
    database clock as seal time, under the sealer's advisory lock), but reading the rows with one
    query and writing the seals with COPY: the sealer's batches of 2,000 are made for a few rows
    per request, and would take most of an hour for two million."""
    total = 0
    entries = AccessLogEntry._meta.db_table
    seals = AccessLogSeal._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [sealing.SEAL_LOCK])
        cursor.execute(f"SELECT position, hash FROM {seals} ORDER BY position DESC LIMIT 1")  # noqa: S608
        head = cursor.fetchone()
        position, previous = head if head else (0, sealing.GENESIS)
        fields = ", ".join(f"e.{f}" for f in sealing.ENTRY_FIELDS)
        cursor.execute(
            f"SELECT {fields} FROM {entries} e WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {seals} s WHERE s.entry_id = e.id) ORDER BY e.id"
        )
        rows = cursor.fetchall()
        for start in range(0, len(rows), SEAL_BATCH):
            # A fresh clock per batch: the database refuses a seal time more than 60 s old.
            links = sealing.chain(
                [
                    dict(zip(sealing.ENTRY_FIELDS, values, strict=True))
                    for values in rows[start : start + SEAL_BATCH]
                ],
                position=position,
                previous=previous,
                sealed_at=sealing.database_now(),
            )
            with cursor.cursor.copy(
                f"COPY {seals} (position, entry_id, sealed_at, previous_hash, hash) FROM STDIN"
            ) as copy:
                for link in links:
                    copy.write_row(astuple(link))
            if links:
                position, previous = links[-1].position, links[-1].hash
            total += len(links)
    return total


def providers(count: int, seed: int) -> list[str]:
    """The generated providers (AGB `9xxxxxxx`), registered once; returns all municipality
    codes in code order (the generator's vocabulary)."""
    gms = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    ids = dict(Municipality.objects.values_list("code", "id"))
    have = set(
        Organisation.objects.filter(agb_code__startswith="9").values_list("agb_code", flat=True)
    )
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"GGZ-aanbieder {agb}", agb_code=agb, municipality_id=ids[gm])
            for agb, gm in zip(
                synthetic.provider_agbs(count),
                synthetic.provider_municipalities(gms, count, seed),
                strict=True,
            )
            if agb not in have
        ],
        batch_size=2000,
    )
    return gms


def waiting_lists(
    *,
    seed: int,
    months: list[dt.date],
    rows_per_month: int,
    provider_count: int,
    say: Callable[[str], None],
) -> int:
    """Import one generated month per period through the real import; returns rows stored."""
    gms = providers(provider_count, seed)
    actor = waitlist_services.command_line_actor()
    stored = 0
    for period in months:
        frame = synthetic.generate(
            period=period,
            rows=rows_per_month,
            municipalities=gms,
            seed=seed,
            persons=max(1, int(rows_per_month * 2.5)),
            providers=provider_count,
        )
        buffer = io.BytesIO()
        frame.write_csv(buffer, line_terminator="\n", null_value="", quote_style="necessary")
        report = waitlist_services.submission_import(
            data=buffer.getvalue(), name=f"landelijk-{period:%Y-%m}.csv", actor=actor, period=period
        )
        month_rows = sum(s.rows for s in report.submissions)
        stored += month_rows
        say(f"  wachtlijsten {period:%Y-%m}: {month_rows:,} registraties")
    return stored
