"""Every main page renders for its intended user (a quick guard against template errors)."""

import pytest
from django.urls import reverse

from vangnet.testing import factories

pytestmark = pytest.mark.django_db


def test_public_table_pages_render(client):
    assert "Tafel 3" in client.get(reverse("regions:table_list")).content.decode()
    page = client.get(reverse("regions:table_detail", args=[3])).content.decode()
    assert "Arkin" in page and "vervlochten psychiatrische aandoeningen" in page


def test_case_pages_render_for_coordinator(world, verified_client):
    case = factories.register_case(world.referrer)
    c = verified_client(world.coordinator)
    for name, args in [
        ("cases:dashboard", []),
        ("cases:list", []),
        ("cases:detail", [case.reference]),
        ("cases:triage", [case.reference]),
    ]:
        response = c.get(reverse(name, args=args))
        assert response.status_code == 200, name
    r = verified_client(world.referrer)
    assert r.get(reverse("cases:register")).status_code == 200
