"""Issue 11 §5: the administrator's menu links to the admin site (/beheer/)."""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_menu_links_to_beheer_for_staff_only(world, verified_client):
    admin = world.administrator
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    assert 'href="/beheer/"' in verified_client(admin).get("/tafels/").content.decode()
    assert (
        'href="/beheer/"' not in verified_client(world.coordinator).get("/tafels/").content.decode()
    )
