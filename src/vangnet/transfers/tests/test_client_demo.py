"""The demo desk: a region with capacity, candidates and transfers in every state, idempotent,
with a demo code that opens the client page."""

from __future__ import annotations

from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role
from vangnet.directory.demo import load_demo as load_kaart
from vangnet.directory.models import Organisation
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
from vangnet.waitlists.models import ProcessOwnerRegion, RegionKind


def _process_owner() -> None:
    """As `python -m vangnet demo` makes it before the transfer demo."""
    user = demo_user("proces", "Petra Proces")
    membership = Membership.objects.create(
        user=user, organisation=Organisation.objects.get(agb_code="06290101"),
        role=Role.PROCESS_OWNER,
    )  # fmt: skip
    ProcessOwnerRegion.objects.create(
        membership=membership, region_kind=RegionKind.SAFETY_REGION, region_code="VR13"
    )


def test_demo_has_every_state_and_runs_twice(db):
    ensure_providers()
    load_kaart()
    _process_owner()
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
    assert access.candidate.provider_reference == demo.DEMO_PROVIDER_REFERENCE
    assert access.candidate.transfers.get().state == TransferState.OFFERED
    assert access.expires_at > timezone.now()
