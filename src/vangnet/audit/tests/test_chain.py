"""The access log's hash chain: sealing, and `audit verify` finding every kind of tampering.

Tampering is done the way an attacker with the database owner's rights would: raw SQL, with
the append-only triggers disabled on PostgreSQL (inside the test's transaction, rolled back).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from vangnet.accounts.models import ApiToken
from vangnet.accounts.selectors import actor_for
from vangnet.audit.middleware import AccessLogMiddleware
from vangnet.audit.models import AccessLogEntry, AccessLogSeal, Outcome
from vangnet.audit.sealing import (
    access_log_seal,
    access_log_sweep,
    access_log_verify,
    database_now,
)
from vangnet.audit.services import access_log_write
from vangnet.testing import factories

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def write(world, n: int = 3) -> list[AccessLogEntry]:
    actor = actor_for(world.coordinator)
    return [
        access_log_write(actor=actor, action="read", case_id=i, case_reference=f"VN-2026-{i:05d}")
        for i in range(1, n + 1)
    ]


@contextmanager
def owner_without_triggers() -> Iterator[None]:
    """What only the owner role can do: switch the append-only triggers off."""
    tables = ["audit_accesslogentry", "audit_accesslogseal"]
    if POSTGRES:
        with connection.cursor() as cursor:
            # ALTER TABLE needs the deferred foreign-key checks of this transaction done first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params: list | None = None) -> None:
    with owner_without_triggers(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify_fails(*fragments: str) -> str:
    result = access_log_verify()
    assert not result.ok
    for fragment in fragments:
        assert fragment in result.problems[0], result.problems
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert "Keten verbroken" in str(failure.value)
    return result.problems[0]


def test_sealing_makes_an_intact_chain_and_is_incremental(world, capsys):
    write(world, 3)
    assert access_log_seal() == 3
    assert access_log_seal() == 0  # nothing sealed twice
    write(world, 2)
    assert access_log_seal() == 2
    seals = list(AccessLogSeal.objects.order_by("position"))
    assert [s.position for s in seals] == [1, 2, 3, 4, 5]
    assert [s.previous_hash for s in seals[1:]] == [s.hash for s in seals[:-1]]
    result = access_log_verify()
    assert result.ok and result.sealed == 5 and result.unsealed == 0
    assert (result.head_position, result.head_hash) == (5, seals[-1].hash)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Keten intact." in out and f"kop: 5:{seals[-1].hash}" in out


def test_seal_command_reports_how_many(world, capsys):
    write(world, 2)
    call_command("audit", "seal")
    assert "2 logregels verzegeld." in capsys.readouterr().out
    assert access_log_verify().ok


def test_a_changed_row_is_detected(world):
    rows = write(world, 3)
    access_log_seal()
    raw(
        "UPDATE audit_accesslogentry SET outcome = 'allowed', detail = 'x' WHERE id = %s",
        [rows[1].pk],
    )
    verify_fails("zegel 2", f"logregel {rows[1].pk}", "gewijzigd")


def test_a_changed_seal_time_is_detected(world):
    write(world, 2)
    access_log_seal()
    raw("UPDATE audit_accesslogseal SET previous_hash = %s WHERE position = 2", ["f" * 64])
    verify_fails("zegel 2 sluit niet aan")


def test_a_deleted_row_is_detected(world):
    rows = write(world, 3)
    access_log_seal()
    # The seal's foreign key is deferred: the deletion holds until the transaction ends.
    columns = [f.column for f in AccessLogEntry._meta.concrete_fields]
    values = AccessLogEntry.objects.filter(pk=rows[1].pk).values_list(*columns).get()
    if POSTGRES:  # the owner drops the seal's foreign key first (rolled back with the test)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'audit_accesslogseal'::regclass AND contype = 'f'"
            )
            [(name,)] = cursor.fetchall()
        raw(f'ALTER TABLE audit_accesslogseal DROP CONSTRAINT "{name}"')
    raw("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[1].pk])
    verify_fails("zegel 2", "bestaat niet meer")
    # Put it back before the end, or the deferred check fails the test's own teardown.
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO audit_accesslogentry ({names}) VALUES ({marks})"  # noqa: S608 - model's columns
    raw(sql, list(values))


def test_a_deleted_row_with_its_seal_is_detected(world):
    rows = write(world, 3)
    access_log_seal()
    raw("DELETE FROM audit_accesslogseal WHERE position = 2")
    raw("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[1].pk])
    verify_fails("zegel 2 ontbreekt")


def test_a_backdated_row_inserted_after_sealing_is_detected_sealed_or_not(world):
    write(world, 2)
    access_log_seal()
    raw(
        "INSERT INTO audit_accesslogentry (at, username, role, organisation, case_reference, "
        "action, outcome, channel, credential, detail) VALUES "
        "(%s, 'x', 'coordinator', 'Arkin', 'VN-2026-00001', 'read', 'allowed', 'web', 'session', '')",
        [database_now() - timedelta(days=30)],
    )
    verify_fails("langer dan 600 s niet verzegeld")
    access_log_seal()  # the sealer takes it in, but its time gives it away
    verify_fails("zegel 3", "later ingevoegd met een eerdere tijd")


def test_a_rewritten_chain_is_caught_by_the_anchored_head(world):
    rows = write(world, 2)
    access_log_seal()
    head = access_log_verify()
    # The owner rewrites row 1 and recomputes every seal after it: the chain itself is intact...
    raw("UPDATE audit_accesslogentry SET detail = 'x' WHERE id = %s", [rows[0].pk])
    raw("DELETE FROM audit_accesslogseal")
    access_log_seal()
    assert access_log_verify().ok
    # ...but not the head kept outside the database.
    expect = f"{head.head_position}:{head.head_hash}"
    with pytest.raises(CommandError, match="keten herschreven") as failure:
        call_command("audit", "verify", "--expect", expect)
    assert failure.value.returncode == 1


def test_the_head_of_an_untouched_chain_passes_and_a_shortened_one_fails(world):
    write(world, 2)
    access_log_seal()
    head = access_log_verify()
    call_command("audit", "verify", "--expect", f"{head.head_position}:{head.head_hash}")
    with pytest.raises(CommandError, match="ingekort"):
        call_command("audit", "verify", "--expect", f"9:{head.head_hash}")


def test_a_refused_request_keeps_its_row_when_its_transaction_rolls_back(world):
    actor = actor_for(world.other_table_coordinator)

    def view(request):
        try:
            with transaction.atomic():
                access_log_write(
                    actor=actor,
                    action="update",
                    outcome=Outcome.DENIED,
                    case_id=7,
                    case_reference="VN-2026-00007",
                )
                raise DatabaseError("the request fails after the refusal was logged")
        except DatabaseError:
            return HttpResponse(status=500)

    before = AccessLogEntry.objects.count()
    AccessLogMiddleware(view)(RequestFactory().post("/x/"))
    [row] = AccessLogEntry.objects.order_by("-id")[:1]
    assert AccessLogEntry.objects.count() == before + 1
    assert (row.action, row.outcome, row.case_reference) == ("update", "denied", "VN-2026-00007")
    assert row.user == world.other_table_coordinator


def test_rows_of_a_committed_request_are_not_written_twice(world):
    actor = actor_for(world.coordinator)

    def view(request):
        with transaction.atomic():
            access_log_write(actor=actor, action="read", case_reference="VN-2026-00001")
        return HttpResponse()

    before = AccessLogEntry.objects.count()
    AccessLogMiddleware(view)(RequestFactory().get("/x/"))
    assert AccessLogEntry.objects.count() == before + 1


def test_rows_record_the_credential_session_or_which_token(world, verified_client):
    case = factories.register_case(world.referrer)
    token, raw_token = ApiToken.issue(user=world.coordinator, name="koppeling")
    other, other_raw = ApiToken.issue(user=world.coordinator, name="andere")
    url = f"/api/v1/cases/{case.reference}"
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    from django.test import Client

    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw_token}").status_code == 200
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {other_raw}").status_code == 200
    assert verified_client(world.coordinator).get(url).status_code == 200
    rows = list(AccessLogEntry.objects.exclude(pk__in=before).order_by("id"))
    assert [(r.channel, r.credential) for r in rows] == [
        ("api", f"token:{token.pk}"),
        ("api", f"token:{other.pk}"),
        ("api", "session"),
    ]
    assert rows[0].credential_label == f"API-token {token.pk}"


# --- PostgreSQL: the database's own guards ------------------------------------------------------

pg_only = pytest.mark.skipif(not POSTGRES, reason="database triggers exist only on PostgreSQL")


@pg_only
@pytest.mark.parametrize("table", ["audit_accesslogentry", "audit_accesslogseal"])
def test_truncate_is_refused(world, table):
    write(world, 2)
    access_log_seal()
    with (
        pytest.raises(DatabaseError, match="cannot be truncated"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test suite's own flush switch is off, as it is for the application.
        cursor.execute("SET LOCAL vangnet.audit_maintenance = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks left to hide behind
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AccessLogEntry.objects.count() >= 2 and AccessLogSeal.objects.count() >= 2


@pg_only
def test_the_database_sets_the_time_whatever_the_application_sends(world):
    long_ago = database_now() - timedelta(days=365)
    row = AccessLogEntry.objects.create(username="x", action="read", outcome="allowed", at=long_ago)
    row = AccessLogEntry.objects.get(pk=row.pk)
    assert abs((database_now() - row.at).total_seconds()) < 60


@pg_only
def test_a_seal_with_another_time_than_the_database_clock_is_refused(world):
    [row] = write(world, 1)
    with pytest.raises(DatabaseError, match="database clock"), transaction.atomic():
        AccessLogSeal.objects.create(
            position=1,
            entry=row,
            sealed_at=database_now() - timedelta(days=1),
            previous_hash="0" * 64,
            hash="a" * 64,
        )


@pg_only
def test_seals_cannot_be_changed_or_deleted(world):
    write(world, 1)
    access_log_seal()
    for sql in [
        "UPDATE audit_accesslogseal SET hash = 'x'",
        "DELETE FROM audit_accesslogseal",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_the_quick_seal_looks_only_at_recent_rows_and_a_full_pass_finds_the_rest(
    world, monkeypatch
):
    """bench/web.py found the request path's sealer searching the whole log (an anti-join over
    every row: 3.8 s per request on 2 million rows). The request path now looks at a recent
    window by id; a row a long transaction committed with an older id waits for the full pass
    that `audit seal` (and `--follow` every minute) makes."""
    from vangnet.audit import sealing

    monkeypatch.setattr(sealing, "RECENT_WINDOW", 2)
    [old] = write(world, 1)  # e.g. written early in a long transaction
    write(world, 5)
    assert sealing._seal_batch(after_id=old.pk) == 5  # the later rows were sealed first
    assert access_log_seal(recent_only=True) == 0  # the window ends above the old row
    assert AccessLogEntry.objects.filter(seal__isnull=True).get() == old
    write(world, 1)
    assert access_log_seal(recent_only=True) == 1  # a new row is in the window
    assert access_log_seal() == 1  # the full pass finds the old row
    assert access_log_verify().ok


def test_the_follower_sweeps_old_rows_in_slices_and_goes_round_within_one_cycle(world, monkeypatch):
    """bench/web.py saw every page's p99 jump once every five minutes: the follower's full pass,
    an anti-join of the whole national log (a parallel query on both cores). The follower now
    looks at one slice of the old ids per turn; every old row is still found within one cycle."""
    from vangnet.audit import sealing

    monkeypatch.setattr(sealing, "RECENT_WINDOW", 2)
    monkeypatch.setattr(sealing, "SWEEP_MIN_ROWS", 1)
    # A cycle so long that each slice is SWEEP_MIN_ROWS, whatever the ids (on PostgreSQL they
    # keep growing from earlier tests).
    monkeypatch.setattr(sealing, "SWEEP_CYCLE_SECONDS", 1e12)
    first, second = write(world, 2)  # committed late by long transactions
    write(world, 5)
    assert sealing._seal_batch(after_id=second.pk) == 5
    # One id per slice: the first turn seals only the first row, the next one the second.
    assert access_log_sweep(first.pk - 1) == (1, first.pk)
    assert AccessLogEntry.objects.filter(seal__isnull=True).get() == second
    sealed, after = access_log_sweep(first.pk)
    assert (sealed, after) == (1, second.pk)
    # Past the last old id, the sweep reaches the recent window and starts again at 0.
    while after:
        sealed, after = access_log_sweep(after)
        assert sealed == 0
    assert access_log_sweep(sealing._recent_window_start()) == (0, 0)
    assert access_log_verify().ok

    # A cycle of three turns covers the whole log, whatever its ids, in three slices.
    [late] = write(world, 1)
    write(world, 3)
    assert sealing._seal_batch(after_id=late.pk) == 3  # the window now ends above the late row
    assert access_log_seal(recent_only=True) == 0
    monkeypatch.setattr(sealing, "SWEEP_CYCLE_SECONDS", 3.0)
    after, found = 0, 0
    for _ in range(3):
        sealed, after = access_log_sweep(after, interval=1.0)
        found += sealed
        if after == 0:
            break
    assert (found, after) == (1, 0)
    assert not AccessLogEntry.objects.filter(seal__isnull=True).exists()
    assert access_log_verify().ok


def test_the_request_path_seals_its_own_rows_and_newer_ones_without_searching_the_log(world):
    """The request path's window of 10,000 recent rows still cost an anti-join of ~28 ms per
    logged request on the national log. It now seals the rows above the one the chain's head
    sealed plus its own rows by id: a request whose row got an older id (its transaction
    committed after later rows were sealed) still gets it sealed, and an unrelated old row is
    left to the full pass."""
    from vangnet.audit import sealing

    [mine, stranger] = write(world, 2)  # both committed late, below the head
    write(world, 3)
    assert sealing._seal_batch(after_id=stranger.pk) == 3  # later rows were sealed first
    [newer] = write(world, 1)
    assert access_log_seal(own=[mine.pk]) == 2  # its own row and the newer one
    assert set(AccessLogEntry.objects.filter(seal__isnull=True)) == {stranger}
    assert access_log_seal(own=[]) == 0
    assert access_log_seal() == 1  # the full pass finds the stranger's row
    assert access_log_verify().ok
    assert AccessLogSeal.objects.get(entry=newer).position == 5


@pg_only
def test_the_request_path_waits_briefly_for_another_sealer_then_leaves_its_rows(world, monkeypatch):
    """The request path waits for the sealer's lock (so its rows never fall behind the head)
    but not for ever: while another sealer holds the lock past OWN_LOCK_TIMEOUT, it seals
    nothing and leaves its rows to the follower."""
    import psycopg

    from vangnet.audit import sealing

    monkeypatch.setattr(sealing, "OWN_LOCK_TIMEOUT", "200ms")
    [mine] = write(world, 1)
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"],
        port=s["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [sealing.SEAL_LOCK])
        assert access_log_seal(own=[mine.pk]) == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [sealing.SEAL_LOCK])
    assert access_log_seal(own=[mine.pk]) == 1
