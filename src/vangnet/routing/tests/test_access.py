"""Role × page and API matrix for the routing steps: who may see and do what, and that every
refusal is a 403 with a "denied" row in the access log (and every allowed read an "allowed" row)."""

from __future__ import annotations

import pytest
from django.test import Client

from vangnet.accounts.models import ApiToken, Role
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry
from vangnet.cases.access import Permission, case_access
from vangnet.common.errors import NotAllowed
from vangnet.routing import services
from vangnet.routing.models import Signal

from .conftest import handed_over, in_progress, table_input

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def users(net, world) -> dict[str, object]:
    return {
        "ucz": net.ucz,
        "other_ucz": net.other_ucz,
        "zb": net.zb,
        "zb_other_insurer": net.zb_other_insurer,
        "coordinator": world.coordinator,
        "referrer": world.referrer,
        "medical_adviser": world.medical_adviser,
        "administrator": world.administrator,
    }


QUESTION_READERS = {"ucz", "zb"}


@pytest.mark.parametrize(
    "who",
    [
        "ucz",
        "other_ucz",
        "zb",
        "zb_other_insurer",
        "coordinator",
        "referrer",
        "medical_adviser",
        "administrator",
    ],
)
def test_question_page_and_api_matrix(net, world, verified_client, who):
    q = handed_over(net)
    user = users(net, world)[who]
    allowed = who in QUESTION_READERS
    before = AccessLogEntry.objects.count()
    page = verified_client(user).get(f"/vragen/{q.reference}/")
    assert page.status_code == (200 if allowed else 403)
    row = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert row.outcome == ("allowed" if allowed else "denied") and q.reference in row.detail
    if allowed:
        assert "Karin Jansen" in page.content.decode()
    else:
        assert "Karin" not in page.content.decode()
    api = Client().get(f"/api/v1/routing/questions/{q.reference}", **bearer(user))
    assert api.status_code == (200 if allowed else 403)
    if not allowed:
        assert api["Content-Type"] == "application/problem+json"
        assert AccessLogEntry.objects.order_by("-id").first().outcome == "denied"


@pytest.mark.parametrize(
    ("who", "status"),
    [("ucz", 200), ("zb", 200), ("zb_other_insurer", 200), ("coordinator", 403), ("referrer", 403)],
)
def test_question_list_shows_only_own(net, world, verified_client, who, status):
    q = handed_over(net)
    response = verified_client(users(net, world)[who]).get("/vragen/")
    assert response.status_code == status
    if status == 200:
        assert (q.reference in response.content.decode()) == (who in QUESTION_READERS)
    else:
        assert AccessLogEntry.objects.order_by("-id").first().outcome == "denied"


def test_zorgbemiddeling_of_another_insurer_is_denied_steps_and_logged(net, verified_client):
    q = handed_over(net)
    client = verified_client(net.zb_other_insurer)
    assert client.post(f"/vragen/{q.reference}/stap/take_up/").status_code == 403
    row = AccessLogEntry.objects.order_by("-id").first()
    assert row.outcome == "denied" and q.reference in row.detail
    api = Client().post(
        f"/api/v1/routing/questions/{q.reference}/take-up",
        content_type="application/json",
        **bearer(net.zb_other_insurer),
    )
    assert api.status_code == 403
    q.refresh_from_db()
    assert q.state == "handed_over"


def test_ucz_cannot_do_zorgbemiddeling_steps_and_vice_versa(net, verified_client):
    q = handed_over(net)
    assert verified_client(net.ucz).post(f"/vragen/{q.reference}/stap/take_up/").status_code == 403
    assert (
        verified_client(net.zb)
        .post(f"/vragen/{q.reference}/stap/withdraw/", {"withdraw-reason": "x"})
        .status_code
        == 403
    )


def test_unauthorised_api_call_with_invalid_body_is_403_not_422(net):
    q = handed_over(net)
    r = Client().post(
        f"/api/v1/routing/questions/{q.reference}/attempts",
        {"nonsense": True},
        content_type="application/json",
        **bearer(net.zb_other_insurer),
    )
    assert r.status_code == 403


def test_zorgbemiddeling_reads_the_case_it_routed_but_not_other_insurers(net, world):
    q = in_progress(net, attempts=1)
    case = services.question_register(
        question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=table_input()
    )
    case_access(actor_for(net.zb), case, permission=Permission.READ, action="read")
    with pytest.raises(NotAllowed):
        case_access(
            actor_for(net.zb_other_insurer), case, permission=Permission.READ, action="read"
        )
    assert AccessLogEntry.objects.filter(case_id=case.pk, outcome="denied").count() == 1
    # Nor may it triage or manage: least privilege.
    with pytest.raises(NotAllowed):
        case_access(actor_for(net.zb), case, permission=Permission.TRIAGE, action="update")
    # A case of its insured registered by someone else is not "routed to it".
    other = __import__("vangnet.testing.factories", fromlist=["register_case"]).register_case(
        world.referrer
    )
    assert other.insurer == net.zk
    with pytest.raises(NotAllowed):
        case_access(actor_for(net.zb), other, permission=Permission.READ, action="read")


def test_case_page_for_routed_case_allowed_for_zb_denied_for_other(net, verified_client):
    q = in_progress(net, attempts=1)
    case = services.question_register(
        question=q, user=net.zb, membership=net.m(net.zb, Role.ZORGBEMIDDELING), data=table_input()
    )
    assert verified_client(net.zb).get(f"/casussen/{case.reference}/").status_code == 200
    assert (
        verified_client(net.zb_other_insurer).get(f"/casussen/{case.reference}/").status_code == 403
    )
    assert AccessLogEntry.objects.filter(case_reference=case.reference, outcome="denied").exists()


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator", 200), ("referrer", 403), ("zb", 403), ("ucz", 403)]
)
def test_signal_pages_for_coordinator_of_the_table_only(net, world, verified_client, who, status):
    signal, _ = services.signal_submit(
        data=services.SignalInput(
            table_number=3, relation="relative", message="Vast.", contact="06 1"
        )
    )
    client = verified_client(users(net, world)[who])
    assert client.get("/vragen/signalen/").status_code == status
    assert client.get(f"/vragen/signalen/{signal.reference}/").status_code == status
    api = Client().get(
        f"/api/v1/routing/signals/{signal.reference}", **bearer(users(net, world)[who])
    )
    assert api.status_code == status


def test_coordinator_of_another_table_is_denied_a_signal(net, world, verified_client):
    signal, _ = services.signal_submit(
        data=services.SignalInput(
            table_number=3, relation="patient", message="Vast.", contact="06 1"
        )
    )
    assert (
        verified_client(world.other_table_coordinator)
        .get(f"/vragen/signalen/{signal.reference}/")
        .status_code
        == 403
    )
    assert AccessLogEntry.objects.order_by("-id").first().outcome == "denied"
    assert Signal.objects.get().state == "new"
