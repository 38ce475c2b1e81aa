"""The client's personal code: issuing, hashing, expiry, revocation, rate limits, no
enumeration, and a log row for every access and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry
from vangnet.common.errors import DomainError, NotAllowed
from vangnet.testing.access import last_log_id, log_rows
from vangnet.transfers import client_codes
from vangnet.transfers.client_codes import REFUSED, ClientCodeRefused, code_issue, code_open
from vangnet.transfers.models import ClientAccessCode

from .client_fixtures import BIRTH

IP = "203.0.113.7"


def issue(journey, user=None):
    return code_issue(actor=actor_for(user or journey.clinician), candidate=journey.candidate)


def test_code_is_shown_once_and_only_its_keyed_hash_is_stored(journey):
    issued = issue(journey)
    assert len(issued.code) == 14 and issued.code.count("-") == 2
    assert set(issued.code.replace("-", "")) <= set(client_codes.CODE_ALPHABET)
    row = ClientAccessCode.objects.get()
    assert row.code_hash == client_codes.code_hash(issued.code) != issued.code
    # The plain code is in no column of the table.
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM transfers_clientaccesscode")
        dump = repr(cur.fetchall())
    assert issued.code.replace("-", "") not in dump and issued.code not in dump
    # Expires after 90 days; issued by the acting user.
    assert row.issued_by == journey.clinician
    assert abs((row.expires_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)


def test_a_new_code_revokes_the_earlier_one(journey):
    first = issue(journey)
    second = issue(journey, journey.process_owner)
    with pytest.raises(ClientCodeRefused):
        code_open(code=first.code, birth_date=BIRTH, address=IP)
    assert code_open(code=second.code, birth_date=BIRTH, address=IP).pk == second.access.pk


def test_only_the_desk_and_whoever_put_forward_issue_codes(journey):
    issue(journey, journey.clinician)
    issue(journey, journey.colleague)  # same organisation, a role that puts clients forward
    issue(journey, journey.process_owner)  # the desk of the candidate's region
    mark = last_log_id()
    for user in (journey.outsider, journey.other_owner, journey.analyst):
        with pytest.raises(NotAllowed):
            issue(journey, user)
    denied = log_rows(mark)
    assert [r.outcome for r in denied] == ["denied"] * 3
    assert all(r.case_reference == journey.candidate.reference for r in denied)


def test_opening_accepts_the_code_as_people_type_it_and_logs_the_access(journey):
    issued = issue(journey)
    mark = last_log_id()
    typed = " " + issued.code.lower().replace("-", " ") + " "
    access = code_open(code=typed, birth_date=BIRTH, address=IP)
    assert access.pk == issued.access.pk
    access.refresh_from_db()
    assert access.last_used_at is not None
    [row] = log_rows(mark)
    assert (row.outcome, row.action, row.user_id, row.username) == (
        "allowed",
        "read",
        None,
        "anoniem",
    )
    assert row.credential == f"clientcode:{access.pk}"
    assert row.case_reference == journey.candidate.reference


@pytest.mark.parametrize("case", ["unknown", "wrong_birth_date", "expired", "revoked", "short"])
def test_every_refusal_says_the_same_and_logs_the_real_reason(journey, case):
    issued = issue(journey)
    code, birth = issued.code, BIRTH
    if case == "unknown":
        code = "ABCD-EFGH-JKLM"
    elif case == "wrong_birth_date":
        birth = date(1988, 4, 10)
    elif case == "expired":
        ClientAccessCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "revoked":
        client_codes.code_revoke(actor=actor_for(journey.process_owner), access=issued.access)
    elif case == "short":
        code = issued.code[:-1]
    mark = last_log_id()
    with pytest.raises(ClientCodeRefused) as refused:
        code_open(code=code, birth_date=birth, address=IP)
    assert refused.value.message == REFUSED
    [row] = log_rows(mark)
    assert row.outcome == "denied" and row.user_id is None
    reason = {
        "unknown": "onbekende code",
        "short": "onbekende code",
        "wrong_birth_date": "geboortedatum onjuist",
        "expired": "verlopen code",
        "revoked": "ingetrokken code",
    }[case]
    assert reason in row.detail
    # A known code is named in the log by number only; an unknown one by nothing.
    assert row.credential == (
        "" if case in ("unknown", "short") else f"clientcode:{issued.access.pk}"
    )
    assert code not in row.detail and BIRTH.isoformat() not in row.detail


def test_a_code_locks_after_five_wrong_birth_dates(journey):
    issued = issue(journey)
    for _ in range(client_codes.CODE_MAX_FAILURES):
        with pytest.raises(ClientCodeRefused):
            code_open(code=issued.code, birth_date=date(2000, 1, 1), address=f"198.51.100.{_}")
    with pytest.raises(ClientCodeRefused) as refused:
        code_open(code=issued.code, birth_date=BIRTH, address="198.51.100.99")
    assert refused.value.message == REFUSED
    assert "geblokkeerd" in AccessLogEntry.objects.order_by("-id").first().detail
    # A new code unlocks the client.
    assert code_open(code=issue(journey).code, birth_date=BIRTH, address=IP)


def test_an_address_is_refused_after_too_many_failures_also_with_a_good_code(journey, settings):
    settings.VANGNET_CLIENT_CODE_ADDRESS_LIMIT = 3
    issued = issue(journey)
    for i in range(3):
        with pytest.raises(ClientCodeRefused):
            code_open(code=f"ABCD-EFGH-JKL{'MNP'[i]}", birth_date=BIRTH, address=IP)
    with pytest.raises(ClientCodeRefused) as refused:
        code_open(code=issued.code, birth_date=BIRTH, address=IP)
    assert refused.value.message == client_codes.ADDRESS_REFUSED
    assert "adres geblokkeerd" in AccessLogEntry.objects.order_by("-id").first().detail
    # Another address is not affected; the blocked one's failures count in the login limit too.
    assert code_open(code=issued.code, birth_date=BIRTH, address="192.0.2.1")
    assert client_codes.all_failures(IP) == 3


def test_revoking_twice_is_refused_in_dutch(journey):
    issued = issue(journey)
    actor = actor_for(journey.clinician)
    client_codes.code_revoke(actor=actor, access=issued.access)
    with pytest.raises(DomainError, match="al ingetrokken"):
        client_codes.code_revoke(actor=actor, access=issued.access)


def test_the_privacy_officer_reads_how_the_client_came_in(journey):
    issued = issue(journey)
    mark = last_log_id()
    code_open(code=issued.code, birth_date=BIRTH, address=IP)
    [row] = log_rows(mark)
    assert row.credential_label == f"persoonlijke cliëntcode {issued.access.pk}"
