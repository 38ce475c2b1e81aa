"""Role × operation for the case journey's API (issue 16 §5): a table member whose organisation is
not invited, the case's own referrer and a monitor analyst call every operation of the journey.
Each refusal is a 403 in problem+json, taken before the body is read (an empty body is refused,
not answered 422), and leaves a "denied" access-log row for that user — with the case's reference
where the operation concerns a case. What a role may do on the page it may do here (the referrer
reads the case file and downloads documents): those calls are not refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from vangnet.accounts.models import ApiToken, Role
from vangnet.audit.models import AccessLogEntry
from vangnet.cases import services
from vangnet.directory.models import OrganisationType
from vangnet.meetings.models import AgendaItem
from vangnet.plans import services as plan_services
from vangnet.testing import factories
from vangnet.testing import followup as fu
from vangnet.testing.casework import PDF

pytestmark = pytest.mark.django_db

API = "/api/v1"


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # placeholders filled from the journey's objects
    needs: str  # what grants it: the case permission, or "meeting", "coordinator", ...
    case: bool = True  # the denied row names the case


OPS = [
    # the case file, section by section
    Op("get", "/cases/{ref}/file/overview", "read"),
    Op("get", "/cases/{ref}/file/preparation", "read"),
    Op("get", "/cases/{ref}/file/meetings", "read"),
    Op("get", "/cases/{ref}/file/plan", "read"),
    Op("get", "/cases/{ref}/file/follow-up", "read"),
    Op("get", "/cases/{ref}/file/closure", "table_or_referrer"),
    Op("get", "/cases/{ref}/documents/{document}", "document"),
    # preparation
    Op("post", "/cases/{ref}/timeline", "manage"),
    Op("post", "/cases/{ref}/parties", "manage"),
    Op("post", "/cases/{ref}/parties/{party}/invite", "manage"),
    Op("post", "/cases/{ref}/consents", "manage"),
    Op("post", "/cases/{ref}/consents/{consent}/withdraw", "manage"),
    Op("post", "/cases/{ref}/questions", "manage"),
    Op("post", "/cases/{ref}/documents", "manage"),
    # meetings
    Op("post", "/meetings", "coordinator", case=False),
    Op("get", "/meetings/{meeting}", "meeting", case=False),
    Op("post", "/meetings/{meeting}/agenda", "meeting_change", case=False),
    Op("post", "/meetings/{meeting}/items/{item}/participants", "meeting_change", case=False),
    Op("post", "/meetings/{meeting}/items/{item}/minutes", "meeting_change", case=False),
    Op("post", "/meetings/{meeting}/items/{item}/adopt", "meeting_change", case=False),
    Op("post", "/cases/{ref}/agenda-items/{item}/share", "manage"),
    Op("post", "/cases/{ref}/tasks/1/done", "read_and_act"),
    # the plan and financing
    Op("post", "/cases/{ref}/plan", "manage"),
    Op("post", "/cases/{ref}/plan/goals", "manage"),
    Op("put", "/cases/{ref}/plan/goals/{goal}", "manage"),
    Op("post", "/cases/{ref}/plan/goals/{goal}/response", "goal_respond"),
    Op("post", "/cases/{ref}/plan/goals/{goal}/status", "manage"),
    Op("post", "/cases/{ref}/plan/goals/{goal}/remove", "manage"),
    Op("post", "/cases/{ref}/plan/goals/{goal}/confirm", "manage"),
    Op("get", "/cases/{ref}/plan/revisions", "manage"),
    Op("post", "/cases/{ref}/plan/goals/{goal}/offer", "manage"),
    Op("post", "/cases/{ref}/shortages", "manage"),
    Op("post", "/cases/{ref}/financing", "manage"),
    Op("get", "/cases/{ref}/financing/{financing}", "adviser"),
    Op("post", "/cases/{ref}/financing/{financing}/decision", "adviser"),
    Op("get", "/financing/requests", "adviser", case=False),
    Op("get", "/financing/decisions", "adviser", case=False),
    # follow-up, term, escalation
    Op("post", "/cases/{ref}/plan/adopt", "manage"),
    Op("post", "/cases/{ref}/phases", "manage"),
    Op("post", "/cases/{ref}/check-ins/{checkin}", "check_in"),
    Op("post", "/cases/{ref}/suspensions", "manage"),
    Op("post", "/cases/{ref}/suspensions/1/resume", "manage"),
    Op("post", "/cases/{ref}/escalations", "manage"),
    Op("post", "/cases/{ref}/escalations/1/result", "manage"),
    # closure and reopening
    Op("post", "/cases/{ref}/close", "manage"),
    Op("post", "/cases/{ref}/end", "manage"),
    Op("post", "/cases/{ref}/reopen", "manage"),
    Op("post", "/cases/{ref}/withdraw", "referrer_act"),
    # consultations
    Op("get", "/consultations", "table", case=False),
    Op("post", "/consultations", "table", case=False),
    Op("post", "/consultations/1/answer", "table", case=False),
]

# What each refused-by-default role is granted after all, exactly as on the pages.
GRANTED = {
    "not_invited_member": {"meeting", "table"},
    "referrer": {"read", "table_or_referrer", "document", "referrer_act", "read_and_act"},
    "analyst": set(),
}


@pytest.fixture
def journey(world):
    partners = [fu.partner("Arkin Behandeling")]
    case, goals = fu.follow_up_case(world, partners)
    coordinator, m = world.coordinator, fu.ms(world.coordinator)
    document = services.document_upload(
        case=case, actor=coordinator, membership=m, name="brief.pdf", content=PDF
    )
    insurer = factories.OrganisationFactory(organisation_type=OrganisationType.INSURER)
    financing = plan_services.financing_request(
        case=case, actor=coordinator, membership=m, insurer=insurer
    )
    item = AgendaItem.objects.get(case=case)
    values = {
        "ref": case.reference,
        "document": document.pk,
        "party": case.parties.first().pk,
        "consent": case.consents.first().pk,
        "meeting": item.meeting_id,
        "item": item.pk,
        "goal": goals[0].pk,
        "financing": financing.pk,
        "checkin": case.phases.first().checkins.first().pk,
    }
    return case, values


def _call(user, op: Op, values: dict[str, object]):
    _, raw = ApiToken.issue(user=user, name="matrix")
    client = Client()
    send = getattr(client, op.method)
    path = API + op.path.format(**values)
    if op.method == "get":
        return send(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
    return send(path, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("role", ["not_invited_member", "referrer", "analyst"])
def test_each_operation_refuses_and_logs_whom_the_pages_refuse(world, journey, role):
    case, values = journey
    user = {
        "not_invited_member": world.table_member,
        "referrer": world.referrer,
        "analyst": world.monitor_analyst,
    }[role]
    wrong = []
    for op in OPS:
        mark = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = _call(user, op, values)
        denied = AccessLogEntry.objects.filter(
            pk__gt=mark, user=user, outcome="denied", channel="api"
        )
        label = f"{op.method.upper()} {op.path}"
        if op.needs in GRANTED[role]:
            if response.status_code == 403:
                wrong.append(f"{label}: refused, but the page allows it")
            continue
        if response.status_code != 403:
            wrong.append(f"{label}: {response.status_code} instead of 403")
            continue
        if response["Content-Type"] != "application/problem+json" or not response.json()["detail"]:
            wrong.append(f"{label}: the refusal is not problem+json with a detail")
        if denied.count() != 1:
            wrong.append(f"{label}: {denied.count()} denied access-log rows instead of 1")
        elif op.case and denied.get().case_reference != case.reference:
            wrong.append(f"{label}: the denied row does not name the case")
    assert wrong == []


def test_the_referrer_reads_what_the_page_shows_and_no_more(world, journey):
    """The referrer opens the case file's sections (the closure too), not the plan's revisions."""
    _, values = journey
    for path, status in [
        ("/cases/{ref}/file/preparation", 200),
        ("/cases/{ref}/file/plan", 200),
        ("/cases/{ref}/file/closure", 200),
        ("/cases/{ref}/plan/revisions", 403),
    ]:
        assert _call(world.referrer, Op("get", path, ""), values).status_code == status, path


def test_an_invited_organisation_does_not_open_the_closure_section(world, journey):
    """The section rules of the case file: an invited organisation reads the plan but not the
    closure with its monitor codes; the refusal names its membership in the denied row."""
    case, values = journey
    partner = case.parties.first().organisation
    member = partner.memberships.get(role=Role.TABLE_MEMBER).user
    assert _call(member, Op("get", "/cases/{ref}/file/plan", ""), values).status_code == 200
    mark = AccessLogEntry.objects.order_by("-pk").first().pk
    response = _call(member, Op("get", "/cases/{ref}/file/closure", ""), values)
    assert response.status_code == 403
    row = AccessLogEntry.objects.get(pk__gt=mark)
    assert (row.outcome, row.detail, row.role) == (
        "denied",
        "dossier afsluiting",
        Role.TABLE_MEMBER,
    )
