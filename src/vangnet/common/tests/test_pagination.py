"""`page_or_redirect`: the one place a list view turns a refused cursor into a message and a way
back to the list's first page (before, five views each caught the error themselves)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponseRedirect
from django.test import RequestFactory

from vangnet.common.errors import DomainError
from vangnet.common.pagination import BAD_CURSOR, Page, keyset_page, page_or_redirect


def _request(query: str = "") -> HttpRequest:
    request = RequestFactory().get(f"/lijst/{query}")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_good_cursor_gives_what_the_read_returns_and_no_message():
    request = _request("?na=abc")
    page: Page[Group] = Page([], None)
    assert page_or_redirect(request, lambda: page, sort="-datum") is page
    assert page_or_redirect(request, lambda: (page, page), sort="-datum") == (page, page)
    assert _messages(request) == []


def test_a_refused_cursor_goes_back_to_the_first_page_of_the_same_sort():
    request = _request("?sorteer=casus&na=vervalst")
    # A tampered cursor is refused before the database is asked.
    response = page_or_redirect(
        request,
        lambda: keyset_page(Group.objects.all(), field="name", cursor="vervalst", size=5),
        sort="casus",
    )
    assert isinstance(response, HttpResponseRedirect)
    assert response.status_code == 302
    assert response.url == "/lijst/?sorteer=casus"
    assert _messages(request) == [BAD_CURSOR]


def test_kept_parameters_come_first_and_stay_even_when_empty():
    """The case list keeps its status filter, as `?status={state}&sorteer={sort}` did."""

    def refused() -> Page[Group]:
        raise DomainError(BAD_CURSOR, field="cursor")

    response = page_or_redirect(_request(), refused, sort="-aangemeld", keep={"status": ""})
    assert isinstance(response, HttpResponseRedirect)
    assert response.url == "/lijst/?status=&sorteer=-aangemeld"
    response = page_or_redirect(_request(), refused, sort="status", keep={"status": "plan"})
    assert isinstance(response, HttpResponseRedirect)
    assert response.url == "/lijst/?status=plan&sorteer=status"


def test_other_errors_are_not_swallowed():
    def broken() -> Page[Group]:
        raise ValueError("a bug, not a bad cursor")

    with pytest.raises(ValueError):
        page_or_redirect(_request(), broken, sort="-datum")
