"""Data minimisation (issue 10 §8): the BSN is encrypted at rest, shown only to the table and the
referrer, found by its keyed hash, and its keys rotate; the privacy officer's lookup keeps the case
reference out of URLs."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from vangnet.accounts.models import Role
from vangnet.accounts.selectors import actor_for
from vangnet.cases import selectors
from vangnet.cases.models import Case
from vangnet.common import crypto
from vangnet.testing import factories
from vangnet.testing import followup as fu

pytestmark = pytest.mark.django_db
BSN = "123456782"


def stored_bsn(case: Case) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT patient_bsn FROM cases_case WHERE id = %s", [case.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_bsn_in_plain_text(world):
    case = factories.register_case(world.referrer, patient_bsn=BSN)
    raw = stored_bsn(case)
    assert raw and BSN not in raw
    assert crypto.decrypt(raw) == BSN
    assert Case.objects.get(pk=case.pk).patient_bsn == BSN  # the application sees the number
    # Every write encrypts anew: equal numbers do not give equal tokens.
    other = factories.register_case(world.referrer, patient_bsn=BSN, patient_name="Ander")
    assert stored_bsn(other) != raw


def test_bsn_search_finds_the_case_by_its_keyed_hash(world):
    case = factories.register_case(world.referrer, patient_bsn=BSN)
    found = selectors.case_search(actor_for(world.referrer), bsn=BSN)
    assert list(found) == [case]


def test_invited_organisations_see_name_and_birth_date_but_not_the_bsn(world, verified_client):
    case = fu.admitted_case(world)
    Case.objects.filter(pk=case.pk).update(patient_bsn=BSN)
    url = reverse("cases:detail", args=[case.reference])
    member_org = fu.ms(world.table_member, Role.TABLE_MEMBER).organisation
    fu.invite_with_consent(world, case, member_org)
    member_page = verified_client(world.table_member).get(url)
    assert member_page.status_code == 200
    html = member_page.content.decode()
    assert case.patient_name in html and BSN not in html
    assert BSN in verified_client(world.coordinator).get(url).content.decode()
    assert BSN in verified_client(world.referrer).get(url).content.decode()


def test_rotating_the_keys_reencrypts_with_the_newest_key(world, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(VANGNET_FIELD_KEYS=[old]):
        case = factories.register_case(world.referrer, patient_bsn=BSN)
        before = stored_bsn(case)
    with override_settings(VANGNET_FIELD_KEYS=[new, old]):
        call_command("rotate_field_keys", verbosity=0)
        after = stored_bsn(case)
    assert after != before
    with override_settings(VANGNET_FIELD_KEYS=[new]):  # the old key can now be dropped
        assert Case.objects.get(pk=case.pk).patient_bsn == BSN
    with override_settings(VANGNET_FIELD_KEYS=[old]), pytest.raises(ValueError, match="sleutels"):
        Case.objects.get(pk=case.pk)


def test_the_privacy_officers_lookup_keeps_the_reference_out_of_the_url(world, verified_client):
    case = factories.register_case(world.referrer)
    client = verified_client(world.privacy_officer)
    page = client.get(reverse("audit:log")).content.decode()
    assert '<form method="post" novalidate data-testid="log-filter">' in page
    # A reference in the query string is not looked up (and so never invited into URLs).
    via_url = client.get(reverse("audit:log"), {"reference": case.reference}).content.decode()
    assert 'data-testid="log"' not in via_url
    via_post = client.post(reverse("audit:log"), {"reference": case.reference})
    assert 'data-testid="log"' in via_post.content.decode()
