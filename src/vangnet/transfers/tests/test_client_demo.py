"""The demo desk: a region with capacity, candidates and transfers in every state, idempotent,
with a demo code that opens the client page."""

from __future__ import annotations

from django.utils import timezone

from vangnet.directory.demo import load_demo as load_kaart
from vangnet.transfers import demo
from vangnet.transfers.client_codes import code_open
from vangnet.transfers.models import (
    Candidate,
    CandidateState,
    Capacity,
    Proposal,
    Transfer,
    TransferState,
)
from vangnet.waitlists.demo import ensure_providers


def test_demo_has_every_state_and_runs_twice(db):
    ensure_providers()
    load_kaart()
    created = demo.load_demo()
    assert created == Candidate.objects.count() > 10
    assert set(Transfer.objects.values_list("state", flat=True)) == set(TransferState.values)
    states = set(Candidate.objects.values_list("state", flat=True))
    assert {
        CandidateState.AWAITING_SCREENING,
        CandidateState.SUITABLE,
        CandidateState.UNSUITABLE,
        CandidateState.IN_TRANSFER,
        CandidateState.TRANSFERRED,
        CandidateState.WAITING_AT_PREFERRED,
    } <= states
    stale = [c.is_stale() for c in Capacity.objects.all()]
    assert any(stale) and not all(stale)
    assert Proposal.objects.count() == 1
    # Screened candidates were screened by another organisation than the one that put forward.
    for c in Candidate.objects.exclude(screened_by=None):
        assert c.screened_organisation_id != c.put_forward_organisation_id
    assert demo.load_demo() == 0
    assert Candidate.objects.count() == created
    access = code_open(code=demo.DEMO_CODE, birth_date=demo.DEMO_BIRTH_DATE, address=None)
    assert access.candidate.reference == demo.DEMO_CODE_REFERENCE
    assert access.expires_at > timezone.now()
