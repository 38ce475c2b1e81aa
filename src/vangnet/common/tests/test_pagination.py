"""`page_or_redirect`: the one place a list view turns a refused cursor into a message and a way
back to the list's first page (before, five views each caught the error themselves)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponseRedirect
from django.test import RequestFactory

from vangnet.common.errors import DomainError, NotAllowed
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


def _refused() -> Page[Group]:
    raise DomainError(BAD_CURSOR, field="cursor")


def test_a_list_without_a_sort_goes_back_to_its_path_with_its_filters():
    """Lists with no `sorteer` (a GP's inbox, the screening queue) pass no sort: the first page
    is the bare path, or the path with the list's own filters."""
    request = _request("?na=vervalst")
    response = page_or_redirect(request, _refused)
    assert isinstance(response, HttpResponseRedirect)
    assert response.url == "/lijst/"
    assert _messages(request) == [BAD_CURSOR]
    response = page_or_redirect(_request(), _refused, keep={"status": "open"})
    assert isinstance(response, HttpResponseRedirect)
    assert response.url == "/lijst/?status=open"


def test_other_errors_are_not_swallowed():
    def broken() -> Page[Group]:
        raise ValueError("a bug, not a bad cursor")

    with pytest.raises(ValueError):
        page_or_redirect(_request(), broken, sort="-datum")


def test_a_domain_error_that_is_not_about_the_cursor_goes_on_to_the_view():
    """A read may call a selector that refuses access: that must stay a 403, not a redirect."""

    def forbidden() -> Page[Group]:
        raise NotAllowed()

    request = _request("?na=abc")
    with pytest.raises(NotAllowed):
        page_or_redirect(request, forbidden, sort="-datum")
    assert _messages(request) == []
