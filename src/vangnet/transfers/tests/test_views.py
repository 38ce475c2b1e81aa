"""Pages of the desk: who sees which candidate (role × page), every read logged, every refusal a
403 with a denied row; the forms answer bad input in Dutch and save nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.testing.access import last_log_id, log_rows
from vangnet.transfers import proposals, services
from vangnet.transfers.models import Candidate, Capacity, Transfer, TransferState
from vangnet.waitlists.models import RegionKind

from .conftest import Net, actor, monday, publish, put_forward, suitable

REGION = (RegionKind.SAFETY_REGION, "VR13")


def get(verified_client, user, url: str) -> tuple[int, list[AccessLogEntry]]:
    since = last_log_id()
    response = verified_client(user).get(url)
    return response.status_code, log_rows(since)


def cand_url(c: Candidate) -> str:
    return reverse("transfers:candidate", args=[c.reference])


def assert_sees(verified_client, user, url: str, reference: str) -> None:
    status, rows = get(verified_client, user, url)
    assert status == 200, (user, url)
    assert any(r.case_reference == reference and r.outcome == Outcome.ALLOWED for r in rows)


def assert_refused(verified_client, user, url: str, reference: str = "") -> None:
    status, rows = get(verified_client, user, url)
    assert status == 403, (user, url)
    assert any(r.outcome == Outcome.DENIED for r in rows)
    if reference:
        assert all(r.case_reference in ("", reference) for r in rows)


def test_who_sees_a_candidate_awaiting_screening(net: Net, verified_client):
    c = put_forward(net)
    url = cand_url(c)
    for user in (net.desk, net.data_officer, net.clinician, net.screener):
        assert_sees(verified_client, user, url, c.reference)
    for user in (
        net.other_desk,  # another region's desk
        net.sender_screener,  # same organisation as who put forward
        net.receiver_officer,  # not matched yet
        net.zb,  # not attached
        net.outsider,
        net.analyst,
        net.gp,
    ):
        assert_refused(verified_client, user, url, c.reference)


def test_who_sees_a_candidate_once_matched_and_attached(net: Net, verified_client):
    c = suitable(net)
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    t = proposals.line_accept(actor=actor(net.desk), line=p.lines.get())
    url = cand_url(c)
    transfer_url = reverse("transfers:transfer", args=[t.pk])
    assert_refused(verified_client, net.receiver_officer, url)  # proposed: not matched yet
    assert_refused(verified_client, net.screener, url)  # screened: no longer the screener's
    t = services.transfer_offer(actor=actor(net.desk), transfer=t)
    services.transfer_answer(actor=actor(net.data_officer), transfer=t, accepted=True)
    for user in (net.receiver_officer, net.desk, net.data_officer):
        assert_sees(verified_client, user, url, c.reference)
        assert_sees(verified_client, user, transfer_url, c.reference)
    assert_refused(verified_client, net.zb, transfer_url)
    services.transfer_attach_zorgbemiddeling(actor=actor(net.desk), transfer=t)
    assert_sees(verified_client, net.zb, transfer_url, c.reference)
    assert_refused(verified_client, net.other_zb, transfer_url)
    assert_refused(verified_client, net.outsider, transfer_url)


def test_the_desk_page_is_only_for_the_regions_process_owner(net: Net, verified_client):
    suitable(net)
    publish(net, net.loc_receiver)
    url = reverse("transfers:desk", args=list(REGION))
    response = verified_client(net.desk).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Voorstel maken" in html and "GGZ Ontvanger" in html
    for user in (net.other_desk, net.data_officer, net.screener, net.analyst):
        assert_refused(verified_client, user, url)


def test_stale_capacity_is_marked_on_the_desk(net: Net, verified_client):
    suitable(net)
    row = publish(net, net.loc_receiver)
    Capacity.objects.filter(pk=row.pk).update(published_at=timezone.now() - timedelta(days=20))
    html = verified_client(net.desk).get(reverse("transfers:desk", args=list(REGION))).content
    assert "verouderd" in html.decode()


def test_desk_runs_a_proposal_and_takes_a_line_over(net: Net, verified_client):
    c = suitable(net)
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    client = verified_client(net.desk)
    response = client.post(reverse("transfers:desk", args=list(REGION)))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert c.reference in html and "Overnemen" in html and "bewezen" in html
    line = proposals.ProposalLine.objects.get()
    client.post(reverse("transfers:line_decide", args=[line.pk, "overnemen"]))
    t = Transfer.objects.get()
    assert t.state == TransferState.PROPOSED
    # The steps on the transfer page.
    client.post(
        reverse("transfers:transfer_step", args=[t.pk, "aanbieden"]), {"aanbieden-note": ""}
    )
    t.refresh_from_db()
    assert t.state == TransferState.OFFERED
    # A step not allowed from the state: a Dutch message, nothing changes.
    r = client.post(
        reverse("transfers:transfer_step", args=[t.pk, "intake"]),
        {"intake-intake_date": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "U kunt niet" in r.content.decode() or "geen toegang" in r.content.decode()
    t.refresh_from_db()
    assert t.state == TransferState.OFFERED


def test_an_empty_region_gets_a_message_not_an_error(net: Net, verified_client):
    r = verified_client(net.desk).post(reverse("transfers:desk", args=list(REGION)), follow=True)
    assert r.status_code == 200
    assert "geen gescreende kandidaten" in r.content.decode()


def test_put_forward_form_refuses_without_consent(net: Net, verified_client):
    client = verified_client(net.data_officer)
    assert client.get(reverse("transfers:put_forward")).status_code == 200
    today = timezone.localdate()
    data = {
        "municipality": "GM0363",
        "diagnosis_group": "angst",
        "financing": "zvw",
        "urgency": "regular",
        "waiting_for": "Intake",
        "waiting_since": (today - timedelta(days=90)).isoformat(),
        "expected_home_wait_weeks": "12",
        "birth_date": "1980-01-01",
        "travel_radius_km": "30",
    }
    r = client.post(reverse("transfers:put_forward"), data)
    assert r.status_code == 200 and "Zonder toestemming" in r.content.decode()
    assert not Candidate.objects.exists()
    r = client.post(
        reverse("transfers:put_forward"),
        {**data, "consent": "on", "consent_given_on": today.isoformat()},
    )
    c = Candidate.objects.get()
    assert r.status_code == 302 and r["Location"] == cand_url(c)
    assert c.reference in r["Location"] and "1980" not in r["Location"]
    assert verified_client(net.analyst).get(reverse("transfers:put_forward")).status_code == 403


def test_screening_page_and_four_eyes(net: Net, verified_client):
    c = put_forward(net)
    client = verified_client(net.screener)
    html = client.get(reverse("transfers:screening")).content.decode()
    assert c.reference in html
    r = client.post(
        reverse("transfers:screen", args=[c.reference]),
        {f"{c.reference}-suitable": "ja", f"{c.reference}-note": ""},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == "suitable"
    other = put_forward(net)
    r = verified_client(net.sender_screener).post(
        reverse("transfers:screen", args=[other.reference]),
        {f"{other.reference}-suitable": "ja"},
    )
    assert r.status_code == 403
    assert (
        other.reference
        not in verified_client(net.sender_screener)
        .get(reverse("transfers:screening"))
        .content.decode()
    )


def test_capacity_page_single_row_and_csv(net: Net, verified_client):
    client = verified_client(net.receiver_officer)
    assert client.get(reverse("transfers:capacity")).status_code == 200
    r = client.post(
        reverse("transfers:capacity"),
        {
            "form": "capaciteit",
            "location": net.loc_receiver.pk,
            "diagnosis_group": "angst",
            "week": monday().isoformat(),
            "free_slots": "-3",
            "expected_wait_weeks": "2",
            "valid_until": monday(2).isoformat(),
        },
    )
    assert r.status_code == 200 and "niet negatief" in r.content.decode()
    assert not Capacity.objects.exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = (
        "location_id,diagnosis_group,week,free_slots,expected_wait_weeks,valid_until\n"
        f"{net.loc_receiver.pk},angst,{monday().isoformat()},3,2,{monday(2).isoformat()}\n"
        f"{net.loc_receiver.pk},angst,{monday(1).isoformat()},9999,2,{monday(2).isoformat()}\n"
    ).encode()
    r = client.post(
        reverse("transfers:capacity"),
        {"form": "bestand", "file": SimpleUploadedFile("c.csv", bad, "text/csv")},
    )
    assert r.status_code == 200 and "Regel 3" in r.content.decode()
    assert not Capacity.objects.exists()
    assert verified_client(net.gp).get(reverse("transfers:capacity")).status_code == 403


@pytest.mark.parametrize(
    "user", ["desk", "data_officer", "screener", "gp", "zb", "receiver_manager"]
)
def test_the_overview_page_opens_for_every_transfer_role(net: Net, verified_client, user):
    put_forward(net)
    assert verified_client(getattr(net, user)).get(reverse("transfers:index")).status_code == 200


def test_line_decisions_answer_only_the_row_with_htmx(net: Net, verified_client):
    suitable(net)
    publish(net, net.loc_receiver, slots=1, wait_weeks=1)
    p = proposals.proposal_run(actor=actor(net.desk), region=REGION)
    line = p.lines.get()
    client = verified_client(net.desk)
    r = client.post(
        reverse("transfers:line_decide", args=[line.pk, "overnemen"]), HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert r.status_code == 200 and html.strip().startswith(f'<tr id="regel-{line.pk}">')
    assert "Overgenomen" in html and "aangemaakt" in html
    r = client.post(
        reverse("transfers:line_decide", args=[line.pk, "vervallen"]), HTTP_HX_REQUEST="true"
    )
    assert "al besloten" in r.content.decode()
    assert (
        verified_client(net.other_desk)
        .post(reverse("transfers:line_decide", args=[line.pk, "vervallen"]), HTTP_HX_REQUEST="true")
        .status_code
        == 403
    )
