"""Pages the browser journeys do not reach, rendered with and without form errors: no duplicate
ids (two forms on a case page each with an id_reason), no aria-describedby or label pointing at
an id that is not there, no empty table header (issue 11 §5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vangnet.testing import followup as fu
from vangnet.testing.html_checks import html_problems

pytestmark = pytest.mark.django_db


def test_the_checker_finds_what_it_looks_for():
    html = (
        '<label for="id_x">x</label><input id="id_reason" aria-describedby="id_reason_helptext">'
        '<textarea id="id_reason"></textarea><table><tr><th></th></tr></table>'
    )
    assert html_problems(html) == [
        "duplicate id 'id_reason' (2×)",
        "label[for] names absent id 'id_x'",
        "input[aria-describedby] names absent id 'id_reason_helptext'",
        "1 empty table header(s)",
    ]


def _check(client, url, *, post=None):  # type: ignore[no-untyped-def]
    response = client.post(url, post) if post is not None else client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    problems = html_problems(response.content.decode())
    assert problems == [], (url, problems)


def test_case_pages_in_each_stage_and_with_errors(world, partners, verified_client):
    coordinator = verified_client(world.coordinator)
    referrer = verified_client(world.referrer)
    registered = fu.registered_case(world.referrer)
    admitted = fu.admitted_case(world)
    plan = fu.plan_case(world)
    follow_up, _ = fu.follow_up_case(world, partners)
    for case in (registered, admitted, plan, follow_up):
        _check(coordinator, reverse("cases:detail", args=[case.reference]))
    _check(referrer, reverse("cases:detail", args=[registered.reference]))
    # Bound forms with errors: Django adds <id>_error to aria-describedby.
    _check(referrer, reverse("cases:register"))
    _check(referrer, reverse("cases:register"), post={})
    _check(coordinator, reverse("cases:triage", args=[registered.reference]))
    _check(coordinator, reverse("cases:triage", args=[registered.reference]), post={})


def test_account_pages(world, verified_client):
    client = verified_client(world.coordinator)
    for name in ("accounts:notifications", "accounts:api_tokens", "accounts:password_change"):
        _check(client, reverse(name))
    _check(client, reverse("cases:dashboard"))
    _check(client, reverse("cases:list"))
