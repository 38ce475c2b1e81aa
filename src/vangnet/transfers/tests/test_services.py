"""Services of the desk: capacity, putting forward with consent, four-eyes screening, proposals
built from fresh capacity, and the transfer steps with their history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.common.errors import DomainError, InvalidTransition, NotAllowed
from vangnet.directory.models import Access, Offer, OfferFinancing, OfferKind
from vangnet.transfers import proposals, services
from vangnet.transfers.models import (
    Candidate,
    CandidateState,
    Capacity,
    LineDecision,
    Transfer,
    TransferState,
)
from vangnet.waitlists.models import RegionKind

from .conftest import (
    AMSTERDAM,
    Net,
    actor,
    candidate_input,
    location,
    monday,
    publish,
    put_forward,
    suitable,
)

REGION = (RegionKind.SAFETY_REGION, "VR13")


def cap_input(loc_id: int, **kw: object) -> services.CapacityInput:
    base: dict[str, object] = {
        "location_id": loc_id,
        "diagnosis_group": "angst",
        "week": monday(),
        "free_slots": 4,
        "expected_wait_weeks": 3,
        "valid_until": monday(4),
    }
    base.update(kw)
    return services.CapacityInput(**base)  # type: ignore[arg-type]


# --- capacity -------------------------------------------------------------------------------


def test_capacity_is_published_for_own_locations_and_replaced_when_published_again(net: Net):
    a = actor(net.receiver_officer)
    [row] = services.capacity_publish(actor=a, rows=[cap_input(net.loc_receiver.pk)])
    [again] = services.capacity_publish(
        actor=a, rows=[cap_input(net.loc_receiver.pk, free_slots=7)]
    )
    assert again.pk == row.pk and again.free_slots == 7
    assert Capacity.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"location_id": 999_999}, "onbekende locatie"),
        ({"diagnosis_group": "bestaat-niet"}, "onbekende diagnosegroep"),
        ({"free_slots": -1}, "niet negatief"),
        ({"free_slots": 5000}, "onwaarschijnlijk veel"),
        ({"expected_wait_weeks": -2}, "niet negatief"),
        ({"expected_wait_weeks": 900}, "onwaarschijnlijk lang"),
        ({"week": monday() + timedelta(days=2)}, "maandag"),
        ({"valid_until": monday() - timedelta(days=1)}, "vóór het begin"),
    ],
)
def test_bad_capacity_is_refused_in_dutch_and_nothing_is_saved(net: Net, change, message):
    with pytest.raises(DomainError, match=message):
        services.capacity_publish(
            actor=actor(net.receiver_officer), rows=[cap_input(net.loc_receiver.pk, **change)]
        )
    assert not Capacity.objects.exists()


def test_capacity_of_another_organisations_location_is_refused(net: Net):
    with pytest.raises(DomainError, match="niet van uw eigen organisatie"):
        services.capacity_publish(
            actor=actor(net.receiver_officer), rows=[cap_input(net.loc_sender.pk)]
        )
    with pytest.raises(NotAllowed):
        services.capacity_publish(actor=actor(net.gp), rows=[cap_input(net.loc_sender.pk)])
    assert AccessLogEntry.objects.filter(outcome=Outcome.DENIED, detail="capaciteit").exists()


def csv_file(*lines: str) -> bytes:
    header = "location_id,diagnosis_group,week,free_slots,expected_wait_weeks,valid_until"
    return ("\n".join([header, *lines]) + "\n").encode()


def test_csv_upload_is_all_or_nothing_and_reports_every_bad_line(net: Net):
    loc = net.loc_receiver.pk
    w, until = monday().isoformat(), monday(4).isoformat()
    content = csv_file(
        f"{loc},angst,{w},3,2,{until}",
        f"{loc},onbekend,{w},3,2,{until}",
        f"{loc},depressief,{w},-1,2,{until}",
        f"{loc},psychotisch,{w},drie,2,{until}",
        f"{net.loc_sender.pk},angst,{w},3,2,{until}",
    )
    with pytest.raises(DomainError) as exc:
        services.capacity_import(actor=actor(net.receiver_officer), content=content)
    text = exc.value.message
    for n in (3, 4, 5, 6):
        assert f"Regel {n}:" in text
    assert "Regel 2:" not in text
    assert not Capacity.objects.exists()

    good = csv_file(
        f"{loc},angst,{w},3,2,{until}", f"{loc};depressief".replace(";", ",") + f",{w},1,5,{until}"
    )
    rows = services.capacity_import(actor=actor(net.receiver_officer), content=good)
    assert len(rows) == 2 and Capacity.objects.count() == 2


def test_csv_without_the_columns_or_as_binary_is_refused(net: Net):
    with pytest.raises(DomainError, match="Kolommen ontbreken"):
        services.capacity_import(actor=actor(net.receiver_officer), content=b"a,b\n1,2\n")
    with pytest.raises(DomainError, match="UTF-8"):
        services.capacity_import(actor=actor(net.receiver_officer), content=b"\xff\xfe\x00bad")


# --- candidates -----------------------------------------------------------------------------


def test_put_forward_derives_the_region_and_logs_it(net: Net):
    c = put_forward(net)
    assert (c.region_kind, c.region_code) == REGION
    assert c.state == CandidateState.AWAITING_SCREENING
    assert c.put_forward_organisation == net.sender and c.current_provider == net.sender
    assert AccessLogEntry.objects.filter(case_reference=c.reference, action="create").exists()


def test_without_consent_nobody_is_put_forward(net: Net):
    with pytest.raises(DomainError, match="Zonder toestemming"):
        services.candidate_put_forward(
            actor=actor(net.gp),
            data=candidate_input(
                consent=False, consent_given_on=None, current_provider_id=net.sender.pk
            ),
        )
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("who", ["gp", "supporter", "zb", "clinician"])
def test_gp_supporter_zorgbemiddeling_and_clinician_put_forward(net: Net, who: str):
    c = services.candidate_put_forward(
        actor=actor(getattr(net, who)), data=candidate_input(current_provider_id=net.sender.pk)
    )
    assert c.put_forward_by == getattr(net, who)


def test_others_cannot_put_forward(net: Net):
    with pytest.raises(NotAllowed):
        services.candidate_put_forward(actor=actor(net.analyst), data=candidate_input())
    with pytest.raises(NotAllowed):
        services.candidate_put_forward(actor=actor(net.desk), data=candidate_input())


def test_bad_candidate_input_is_reported_field_by_field(net: Net):
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        services.candidate_put_forward(
            actor=actor(net.data_officer),
            data=candidate_input(
                municipality_code="GM9999",
                diagnosis_group="x",
                waiting_since=today + timedelta(days=3),
                travel_radius_km=0,
                waiting_for=" ",
            ),
        )
    fields = {e.field for e in getattr(exc.value, "errors", [exc.value])}
    assert {
        "municipality_code",
        "diagnosis_group",
        "waiting_since",
        "travel_radius_km",
        "waiting_for",
    } <= fields


# --- four eyes ------------------------------------------------------------------------------


def test_four_eyes_screening_by_another_organisation(net: Net):
    c = put_forward(net)
    done = services.candidate_screen(
        actor=actor(net.screener), candidate=c, suitable=True, note="past bij angstbehandeling"
    )
    assert done.state == CandidateState.SUITABLE
    assert done.screened_organisation == net.screen_org


def test_the_same_person_never_screens_what_they_put_forward(net: Net):
    from vangnet.accounts.models import Membership, Role

    Membership.objects.create(user=net.gp, organisation=net.screen_org, role=Role.TRANSFER_SCREENER)
    c = services.candidate_put_forward(
        actor=actor(net.gp), data=candidate_input(current_provider_id=net.sender.pk)
    )
    with pytest.raises(NotAllowed, match="Vier ogen"):
        services.candidate_screen(actor=actor(net.gp), candidate=c, suitable=True, note="")
    assert Candidate.objects.get(pk=c.pk).state == CandidateState.AWAITING_SCREENING


def test_a_screener_of_the_same_organisation_is_refused(net: Net):
    c = put_forward(net)
    with pytest.raises(NotAllowed, match="dezelfde organisatie"):
        services.candidate_screen(
            actor=actor(net.sender_screener), candidate=c, suitable=True, note=""
        )
    assert AccessLogEntry.objects.filter(outcome=Outcome.DENIED, detail="screening").exists()


def test_unsuitable_needs_a_reason_and_a_second_screening_is_a_409(net: Net):
    c = put_forward(net)
    with pytest.raises(DomainError, match="reden"):
        services.candidate_screen(actor=actor(net.screener), candidate=c, suitable=False, note="")
    services.candidate_screen(
        actor=actor(net.screener), candidate=c, suitable=False, note="Crisis: eerst stabiliseren"
    )
    with pytest.raises(InvalidTransition, match="Niet geschikt"):
        services.candidate_screen(actor=actor(net.screener), candidate=c, suitable=True, note="")
    c.refresh_from_db()  # no longer awaiting screening: no longer visible to the screener
    with pytest.raises(NotAllowed):
        services.candidate_screen(actor=actor(net.screener), candidate=c, suitable=True, note="")


# --- proposals ------------------------------------------------------------------------------


def test_a_region_without_candidates_gets_a_clear_message(net: Net):
    with pytest.raises(DomainError, match="geen gescreende kandidaten"):
        proposals.proposal_run(actor=actor(net.desk), region=REGION)


def test_only_the_regions_desk_runs_a_proposal(net: Net):
    suitable(net)
    with pytest.raises(NotAllowed):
        proposals.proposal_run(actor=actor(net.other_desk), region=REGION)


def test_proposal_sends_a_long_waiter_to_capacity_and_records_reasons(net: Net):
    c = suitable(net)
    row = publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    [line] = p.lines.all()
    assert line.candidate == c and line.capacity == row
    assert line.days_saved == 16 * 7 - (7 + 7)
    assert 0 < line.distance_km < 20  # Amsterdam → Diemen
    assert p.certificate_ok and p.objective <= p.greedy_objective <= p.stay_objective


def test_stale_capacity_is_not_used(net: Net):
    suitable(net)
    row = publish(net, net.loc_receiver)
    Capacity.objects.filter(pk=row.pk).update(published_at=timezone.now() - timedelta(days=15))
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    assert [line.location for line in p.lines.all()] == [None]


def test_stay_is_chosen_when_no_transfer_helps(net: Net):
    suitable(net, expected_home_wait_weeks=1)
    publish(net, net.loc_receiver, wait_weeks=10)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    assert [line.location for line in p.lines.all()] == [None]


def test_radius_refusals_group_region_and_ehealth_are_respected(net: Net):
    publish(net, net.loc_far, wait_weeks=0)  # Utrecht, outside VR13 and ~35 km
    publish(net, net.loc_online, wait_weeks=0)  # e-health, national
    publish(net, net.loc_receiver, wait_weeks=0, group="depressief")  # another group
    refuses = suitable(net, refused_provider_ids=[net.receiver.pk])
    m = proposals.build_matching(REGION)
    assert m.problem.ptr[-1] == 0  # no option: far away, other region, no e-health
    # With e-health and neighbouring regions allowed, both become options.
    Candidate.objects.filter(pk=refuses.pk).update(
        ehealth_ok=True, neighbouring_regions_ok=True, travel_radius_km=100
    )
    m = proposals.build_matching(REGION)
    options = {m.rows[j].location for j in m.problem.loc}
    assert options == {net.loc_far, net.loc_online}


def test_capacity_limits_the_transfers_and_the_slot_goes_where_it_saves_most(net: Net):
    # One slot, two candidates: the long waiter saves 98 days beyond the norm, the recent one
    # only 64 (the first 34 days of their wait are within the norm anyway).
    today = timezone.localdate()
    old = suitable(net, waiting_since=today - timedelta(days=200))
    suitable(net, waiting_since=today - timedelta(days=50))
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    moved = [line.candidate for line in p.lines.all() if line.location_id]
    assert moved == [old]


def test_age_limits_and_financing_of_offers_apply(net: Net):
    offer = Offer.objects.create(
        location=net.loc_receiver, kind=OfferKind.SGGZ, name="Angst 18-", age_max=17,
        financing=OfferFinancing.ZVW, access=Access.REFERRAL, confirmed_at=timezone.now(),
    )  # fmt: skip
    from vangnet.waitlists.models import DiagnosisGroup

    offer.diagnosis_groups.add(DiagnosisGroup.objects.get(code="angst"))
    suitable(net)  # born 1990: too old for this offer
    publish(net, net.loc_receiver)
    assert proposals.build_matching(REGION).problem.ptr[-1] == 0
    Offer.objects.filter(pk=offer.pk).update(age_max=None)
    assert proposals.build_matching(REGION).problem.ptr[-1] == 1


# --- transfers ------------------------------------------------------------------------------


def accepted_line(net: Net):
    c = suitable(net)
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    return c, p.lines.get()


def test_the_whole_transfer_with_its_history(net: Net):
    c, line = accepted_line(net)
    t = proposals.line_accept(actor=actor(net.desk), line=line)
    assert t.state == TransferState.PROPOSED
    assert Candidate.objects.get(pk=c.pk).state == CandidateState.IN_TRANSFER
    t = services.transfer_offer(actor=actor(net.data_officer), transfer=t)
    assert t.answer_due is not None and t.answer_due.weekday() < 5
    t = services.transfer_answer(actor=actor(net.data_officer), transfer=t, accepted=True)
    services.handover_contact_record(
        actor=actor(net.data_officer), transfer=t, spoke_with="intaker ontvanger",
        spoke_on=timezone.localdate(),
    )  # fmt: skip
    t.refresh_from_db()
    assert t.state == TransferState.HANDOVER
    services.handover_contact_record(
        actor=actor(net.receiver_officer), transfer=t, spoke_with="behandelaar zender",
        spoke_on=timezone.localdate(),
    )  # fmt: skip
    t = services.transfer_intake_plan(
        actor=actor(net.receiver_officer), transfer=t,
        intake_date=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    with pytest.raises(NotAllowed):  # only the receiving provider (or the desk) confirms it
        services.transfer_intake_done(actor=actor(net.data_officer), transfer=t)
    t = services.transfer_intake_done(actor=actor(net.receiver_officer), transfer=t)
    assert t.state == TransferState.INTAKE_DONE
    assert Candidate.objects.get(pk=c.pk).state == CandidateState.TRANSFERRED
    assert [e.to_state for e in t.events.all()] == [
        "proposed", "offered", "accepted", "handover", "intake_planned", "intake_done",
    ]  # fmt: skip
    assert Transfer.objects.get(pk=t.pk).contacts.count() == 2


def test_a_decline_marks_waiting_at_the_preferred_provider(net: Net):
    c, line = accepted_line(net)
    t = proposals.line_accept(actor=actor(net.desk), line=line)
    t = services.transfer_offer(actor=actor(net.desk), transfer=t)
    with pytest.raises(DomainError, match="reden"):
        services.transfer_answer(actor=actor(net.data_officer), transfer=t, accepted=False)
    services.transfer_answer(
        actor=actor(net.data_officer),
        transfer=t,
        accepted=False,
        reason="Wil bij eigen behandelaar blijven",
    )
    c.refresh_from_db()
    assert c.state == CandidateState.WAITING_AT_PREFERRED
    assert c.waiting_at_preferred_since == timezone.localdate()
    assert c.decline_reason == "Wil bij eigen behandelaar blijven"


def test_a_failed_intake_puts_the_client_back_on_the_list(net: Net):
    c, line = accepted_line(net)
    t = proposals.line_accept(actor=actor(net.desk), line=line)
    t = services.transfer_offer(actor=actor(net.desk), transfer=t)
    t = services.transfer_answer(actor=actor(net.desk), transfer=t, accepted=True)
    services.handover_contact_record(
        actor=actor(net.receiver_officer), transfer=t, spoke_with="x", spoke_on=timezone.localdate()
    )
    t.refresh_from_db()
    services.transfer_intake_failed(
        actor=actor(net.receiver_officer), transfer=t, reason="Niet verschenen"
    )
    c.refresh_from_db()
    assert c.state == CandidateState.SUITABLE
    # The slot is free again: a new proposal may use it.
    assert proposals.capacity_left([t.capacity])[t.capacity_id] == 1


def test_a_step_not_allowed_from_the_state_is_refused_and_nothing_changes(net: Net):
    _c, line = accepted_line(net)
    t = proposals.line_accept(actor=actor(net.desk), line=line)
    with pytest.raises(InvalidTransition, match="staat op 'Voorgesteld'"):
        services.transfer_answer(actor=actor(net.data_officer), transfer=t, accepted=True)
    with pytest.raises(InvalidTransition):
        services.handover_contact_record(
            actor=actor(net.data_officer), transfer=t, spoke_with="x", spoke_on=timezone.localdate()
        )
    t.refresh_from_db()
    assert t.state == TransferState.PROPOSED and t.events.count() == 1


def test_line_change_and_drop(net: Net):
    today = timezone.localdate()
    c1 = suitable(net, waiting_since=today - timedelta(days=200))
    c2 = suitable(net, waiting_since=today - timedelta(days=150))
    publish(net, net.loc_receiver, slots=2, wait_weeks=1)
    other_loc = location(net.receiver, AMSTERDAM, name="Ontvanger West")
    other = publish(net, other_loc, slots=1, wait_weeks=3)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    l1, l2 = p.lines.get(candidate=c1), p.lines.get(candidate=c2)
    t = proposals.line_change(actor=actor(net.desk), line=l1, capacity_id=other.pk)
    assert t.receiving_location == other_loc
    proposals.line_drop(actor=actor(net.desk), line=l2)
    l1.refresh_from_db()
    l2.refresh_from_db()
    assert (l1.decision, l2.decision) == (LineDecision.CHANGED, LineDecision.DROPPED)
    with pytest.raises(InvalidTransition, match="al besloten"):
        proposals.line_accept(actor=actor(net.desk), line=l2)


def test_zorgbemiddeling_is_attached_and_records_what_it_arranged(net: Net):
    _c, line = accepted_line(net)
    t = proposals.line_accept(actor=actor(net.desk), line=line)
    with pytest.raises(NotAllowed):
        services.transfer_zorgbemiddeling_record(actor=actor(net.zb), transfer=t, note="x")
    services.transfer_attach_zorgbemiddeling(actor=actor(net.desk), transfer=t)
    t = services.transfer_zorgbemiddeling_record(
        actor=actor(net.zb), transfer=t, note="Extra plek ingekocht bij Online GGZ"
    )
    assert t.zorgbemiddeling == net.insurer
    with pytest.raises(NotAllowed):  # another insurer's zorgbemiddeling sees nothing
        services.transfer_zorgbemiddeling_record(actor=actor(net.other_zb), transfer=t, note="x")
