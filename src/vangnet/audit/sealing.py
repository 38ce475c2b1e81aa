"""The hash chain over the access log: sealing new rows and verifying the chain.

Requests insert log rows unsealed, with a database-assigned id and time, so concurrent requests
never queue behind one lock. A sealer (`python -m vangnet audit seal --follow`, plus an
opportunistic run at the end of every request that wrote a row) appends the rows that have no
seal yet, in id order, to the chain:

    hash(n) = SHA-256(hash(n-1) + canonical JSON of {position, sealed_at, row content})

Only one sealer works at a time (an advisory lock on PostgreSQL; the follower and the full pass
skip when another sealer holds it, the next run takes their rows). The position is the primary
key, so two sealers can never fork the chain.

The request path seals cheaply: the rows above the highest sealed row (a short index
range) plus the request's own rows by id, and it waits briefly for the lock rather than skipping,
so its own rows never fall behind the head unsealed (measured on the national log: the anti-join
over a window of 10,000 recent rows cost ~28 ms of database time on every logged request).

Bound on unsealed time: with `audit seal --follow` running (interval 1 s by default), a committed
row is sealed within the interval plus one batch, i.e. a few seconds. A row written inside a long
transaction becomes visible only when that transaction commits; `VANGNET_AUDIT_MAX_LAG_SECONDS`
(default 600) bounds the time between a row's time and its seal. `verify` reports any row that
exceeds it, sealed or not: that is either a sealer that did not run, or a row inserted later with
an earlier time (backdated).

What the chain cannot stop on its own: someone with the owner role who rewrites the whole chain
from some point on. `verify` therefore prints the head (position and hash); keep it outside the
database (e.g. in the operations log) and pass it back with `--expect POSITION:HASH`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max, Q
from django.utils.dateparse import parse_datetime

from .models import AccessLogEntry, AccessLogSeal

GENESIS = "0" * 64
ENTRY_FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "organisation",
    "case_id",
    "case_reference",
    "action",
    "outcome",
    "channel",
    "credential",
    "detail",
)
SEAL_LOCK = 7513_0001  # advisory-lock key of the sealer (NEN 7513)
BATCH = 2000
# Rows that the request path and the follower's quick turns look through for unsealed ones.
RECENT_WINDOW = 10_000
# How often `audit seal --follow` searches the recent window (rows of long transactions);
# its other turns seal the rows above the head.
WINDOW_PASS_SECONDS = 10.0
# The rest of the log is swept in slices of ids, one slice per turn of `--follow`, so that every
# row below the window is looked at once per SWEEP_CYCLE_SECONDS. It used to be one full pass
# every five minutes: an anti-join of the whole log, ~9 CPU-seconds of PostgreSQL (a parallel
# query on both cores) on a national log of 2 million rows, and bench/web.py saw every page's p99
# jump at that moment. A slice of a few thousand ids is an index range of milliseconds; a cycle
# of five minutes still seals such rows well within VANGNET_AUDIT_MAX_LAG_SECONDS (600).
SWEEP_CYCLE_SECONDS = 300.0
SWEEP_MIN_ROWS = 1000


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(*, position: int, sealed_at: datetime, entry: dict[str, Any]) -> str:
    content = {k: (_utc(v) if isinstance(v, datetime) else v) for k, v in entry.items()}
    return json.dumps(
        {"position": position, "sealed_at": _utc(sealed_at), "entry": content},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def seal_hash(
    *, previous_hash: str, position: int, sealed_at: datetime, entry: dict[str, Any]
) -> str:
    text = previous_hash + canonical(position=position, sealed_at=sealed_at, entry=entry)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """One seal to write: the values of an AccessLogSeal row."""

    position: int
    entry_id: int
    sealed_at: datetime
    previous_hash: str
    hash: str


def chain(
    rows: list[dict[str, Any]], *, position: int, previous: str, sealed_at: datetime
) -> list[Link]:
    """The links that seal `rows` (ENTRY_FIELDS, in sealing order) after the head at
    `position` with hash `previous`. The one place the chain is computed: the sealer and the
    national data set's bulk sealer both write what this returns."""
    links = []
    for row in rows:
        position += 1
        digest = seal_hash(
            previous_hash=previous, position=position, sealed_at=sealed_at, entry=row
        )
        links.append(Link(position, row["id"], sealed_at, previous, digest))
        previous = digest
    return links


def database_now() -> datetime:
    """The database clock (not the application's): seals carry the database's time."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            value = cursor.fetchone()[0]
            return value.astimezone(UTC)
        cursor.execute("SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')")
        parsed = parse_datetime(cursor.fetchone()[0])
        assert parsed is not None
        # Stored and read back with microseconds, so the hash input is the same on every read.
        return parsed.replace(tzinfo=UTC)


def max_lag() -> timedelta:
    return timedelta(seconds=settings.VANGNET_AUDIT_MAX_LAG_SECONDS)


# How long the request path waits for another sealer (a turn takes milliseconds).
OWN_LOCK_TIMEOUT = "2s"


def _seal_batch(
    *,
    after_id: int | None = None,
    upto_id: int | None = None,
    own: Sequence[int] | None = None,
) -> int | None:
    """Seal up to BATCH rows in one transaction. None: another sealer holds the lock.

    `after_id` and `upto_id` limit the search to the ids between them (the recent window, a
    slice of the sweep). `own` (the request path): the rows above the highest sealed one plus
    these ids; the lock is waited for (up to OWN_LOCK_TIMEOUT), so no concurrent sealer leaves
    these rows behind the head."""
    locked = False
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if own is None:
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK])
                        if not cursor.fetchone()[0]:
                            return None
                    else:
                        cursor.execute(f"SET LOCAL lock_timeout = '{OWN_LOCK_TIMEOUT}'")
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
            locked = True
            return _seal_locked(after_id=after_id, upto_id=upto_id, own=own)
    except OperationalError:
        if locked:
            raise
        return None  # the lock was not had in time: left to the follower's next turn


def _seal_locked(*, after_id: int | None, upto_id: int | None, own: Sequence[int] | None) -> int:
    head = AccessLogSeal.objects.order_by("-position").values("position", "hash").first()
    position, previous = (head["position"], head["hash"]) if head else (0, GENESIS)
    unsealed = AccessLogEntry.objects.filter(seal__isnull=True)
    if own is not None:
        unsealed = unsealed.filter(Q(id__gt=_highest_sealed_id()) | Q(id__in=own))
    if after_id is not None:
        unsealed = unsealed.filter(id__gt=after_id)
    if upto_id is not None:
        unsealed = unsealed.filter(id__lte=upto_id)
    rows = list(unsealed.order_by("id").values(*ENTRY_FIELDS)[:BATCH])
    if not rows:
        return 0
    links = chain(rows, position=position, previous=previous, sealed_at=database_now())
    AccessLogSeal.objects.bulk_create([AccessLogSeal(**asdict(link)) for link in links])
    return len(links)


def _highest_sealed_id() -> int:
    """The largest id that has a seal: one end of the unique index on the seals' entry ids,
    whatever the size of the log. Not the id the chain's head sealed: after the sweep sealed
    an old row, that id is far down the log, and the rows above it are the whole log."""
    return AccessLogSeal.objects.aggregate(highest=Max("entry_id"))["highest"] or 0


def _recent_window_start() -> int:
    """The id below which the recent window does not look: RECENT_WINDOW rows before the
    highest sealed id."""
    return max(_highest_sealed_id() - RECENT_WINDOW, 0)


def access_log_seal(*, recent_only: bool = False, own: Sequence[int] | None = None) -> int:
    """Seal every row that has no seal yet. Returns the number of rows sealed now.

    Finding unsealed rows in the whole log is an anti-join over every row: 3.8 s per call on
    a national log of 2 million rows, measured in bench/web.py, when it ran after every
    request. `recent_only` (the request path and most turns of `audit seal --follow`) looks
    only at the RECENT_WINDOW rows below the highest sealed id, an index range; a row that a long
    transaction committed with an older id is sealed by the next full pass (`audit seal`) or
    by the sweep of `audit seal --follow` (`access_log_sweep`), well within
    VANGNET_AUDIT_MAX_LAG_SECONDS.

    `own` (the request path, given the ids of the rows the request wrote): the rows above the
    highest sealed one and the request's own rows, whatever their id; a few index
    lookups, whatever the size of the log.

    Safe to run anywhere and any number of times at once: a sealer that finds another one at
    work returns 0, and a race on SQLite ends in a unique-key error that changes nothing.
    """
    if own is not None:
        return _seal_until_done(lambda: _seal_batch(own=own))[0]
    return _seal_until_done(
        lambda: _seal_batch(after_id=_recent_window_start() if recent_only else None)
    )[0]


def _seal_until_done(batch: Callable[[], int | None]) -> tuple[int, bool]:
    """Run `batch` (one `_seal_batch`) until it seals less than a whole BATCH. Returns the rows
    sealed and False when another sealer held the lock (its next run takes what is left)."""
    total = 0
    while True:
        try:
            done = batch()
        except IntegrityError:
            return total, True  # another sealer appended the same position first; it takes our rows
        if done is None:
            return total, False
        total += done
        if done < BATCH:
            return total, True


def access_log_sweep(after_id: int, *, interval: float = 1.0) -> tuple[int, int]:
    """Seal the unsealed rows in the next slice of ids above `after_id`, below the recent window
    (which the window turns search). Returns (rows sealed, where the next slice starts): 0 again
    once the slice reached the window, so the sweep goes round the whole log.

    The slice is sized so that a turn every `interval` seconds covers the log once per
    SWEEP_CYCLE_SECONDS, whatever its size: a few thousand ids of an index range per turn
    instead of an anti-join over every row at once."""
    end = _recent_window_start()
    if after_id >= end:
        return 0, 0
    turns = max(SWEEP_CYCLE_SECONDS / interval, 1.0)
    upto = min(after_id + max(SWEEP_MIN_ROWS, int(end / turns) + 1), end)
    total, finished = _seal_until_done(lambda: _seal_batch(after_id=after_id, upto_id=upto))
    if not finished:
        return total, after_id  # another sealer is at work: this slice again next turn
    return total, (0 if upto >= end else upto)


@dataclass
class Verification:
    sealed: int = 0
    unsealed: int = 0
    head_position: int = 0
    head_hash: str = GENESIS
    largest_delay_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def access_log_verify(*, expect: tuple[int, str] | None = None) -> Verification:
    """Walk the chain in order and report the first broken link (and unsealed late rows)."""
    result = Verification()
    previous = GENESIS
    expected_position = 1
    lag = max_lag()
    seals = AccessLogSeal.objects.order_by("position").values(
        "position", "entry_id", "sealed_at", "previous_hash", "hash"
    )
    chunk: list[dict[str, Any]] = []

    def check(chunk: list[dict[str, Any]]) -> bool:
        nonlocal previous, expected_position
        entries = {
            e["id"]: e
            for e in AccessLogEntry.objects.filter(pk__in=[s["entry_id"] for s in chunk]).values(
                *ENTRY_FIELDS
            )
        }
        for seal in chunk:
            pos = seal["position"]
            if pos != expected_position:
                result.problems.append(
                    f"zegel {expected_position} ontbreekt: de keten springt naar {pos} "
                    "(zegel verwijderd)"
                )
                return False
            entry = entries.get(seal["entry_id"])
            if entry is None:
                result.problems.append(
                    f"zegel {pos}: logregel {seal['entry_id']} bestaat niet meer (verwijderd)"
                )
                return False
            if seal["previous_hash"] != previous:
                result.problems.append(f"zegel {pos} sluit niet aan op zegel {pos - 1}")
                return False
            digest = seal_hash(
                previous_hash=previous, position=pos, sealed_at=seal["sealed_at"], entry=entry
            )
            if digest != seal["hash"]:
                result.problems.append(
                    f"zegel {pos}: logregel {entry['id']} of zijn zegel is gewijzigd"
                )
                return False
            delay = seal["sealed_at"] - entry["at"]
            if delay > lag or delay < -timedelta(seconds=5):
                result.problems.append(
                    f"zegel {pos}: logregel {entry['id']} heeft tijd {_utc(entry['at'])}, "
                    f"verzegeld {_utc(seal['sealed_at'])}: later ingevoegd met een eerdere tijd"
                )
                return False
            result.largest_delay_seconds = max(result.largest_delay_seconds, delay.total_seconds())
            if expect and expect[0] == pos and expect[1] != seal["hash"]:
                result.problems.append(
                    f"zegel {pos} heeft niet de vastgelegde hash {expect[1]}: keten herschreven"
                )
                return False
            previous = seal["hash"]
            expected_position += 1
            result.sealed += 1
            result.head_position, result.head_hash = pos, seal["hash"]
        return True

    intact = True
    for seal in seals.iterator(chunk_size=BATCH):
        chunk.append(dict(seal))
        if len(chunk) == BATCH:
            intact = check(chunk)
            chunk = []
            if not intact:
                break
    if intact and chunk:
        intact = check(chunk)
    if intact and expect and expect[0] > result.head_position:
        result.problems.append(f"zegel {expect[0]} ontbreekt: de keten is ingekort")
    unsealed = AccessLogEntry.objects.filter(seal__isnull=True)
    result.unsealed = unsealed.count()
    late = unsealed.filter(at__lt=database_now() - lag).order_by("id").first()
    if late is not None:
        result.problems.append(
            f"logregel {late.pk} met tijd {_utc(late.at)} is langer dan "
            f"{int(lag.total_seconds())} s niet verzegeld: de verzegelaar liep niet, of de regel "
            "is later ingevoegd met een eerdere tijd"
        )
    return result
