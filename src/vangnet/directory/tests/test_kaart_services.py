"""Editing the sociale kaart: who may edit what, versioning, validation, staleness, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from vangnet.accounts.models import Notification, Role
from vangnet.accounts.selectors import actor_for
from vangnet.audit.models import AccessLogEntry, Outcome
from vangnet.casework import reminders
from vangnet.common.errors import NotAllowed
from vangnet.directory import services
from vangnet.directory.models import EntryChange, Location, Offer
from vangnet.directory.validation import EntryInvalid
from vangnet.testing import factories

from .conftest import location_input, offer_input

pytestmark = pytest.mark.django_db


def test_editor_creates_entries_with_point_and_first_version(kaart):
    loc = kaart.location
    assert (loc.municipality.code, loc.postcode) == ("GM0363", "1033 NN")
    assert loc.latitude == pytest.approx(52.374, abs=0.01)
    assert not loc.is_stale() and not kaart.offer.is_stale()
    created = EntryChange.objects.get(entity="offer", entity_id=kaart.offer.pk)
    assert created.action == "create" and created.changed_by == kaart.editor
    assert created.changes["name"] == [None, "Dubbele diagnose ambulant"]
    assert created.changes["diagnosis_groups"] == [[], ["psychotisch"]]


def test_every_change_is_versioned_old_to_new(kaart):
    actor = actor_for(kaart.editor)
    services.offer_save(
        actor=actor,
        location=kaart.location,
        offer=kaart.offer,
        data=offer_input(stated_wait_weeks=3, diagnosis_groups=["psychotisch", "alcohol"]),
    )
    change = EntryChange.objects.filter(entity="offer", entity_id=kaart.offer.pk).first()
    assert change is not None and change.action == "update"
    assert change.changes == {
        "stated_wait_weeks": [6, 3],
        "diagnosis_groups": [["psychotisch"], ["alcohol", "psychotisch"]],
    }
    assert change.changed_by == kaart.editor


@pytest.mark.parametrize("who", ["other_editor", "coordinator"])
def test_only_the_organisations_own_editor_may_edit_and_refusals_are_logged(kaart, who):
    actor = actor_for(getattr(kaart, who))
    before = Offer.objects.get(pk=kaart.offer.pk)
    with pytest.raises(NotAllowed, match="eigen organisatie"):
        services.offer_save(
            actor=actor,
            location=kaart.location,
            offer=kaart.offer,
            data=offer_input(name="Gekaapt"),
        )
    with pytest.raises(NotAllowed):
        services.location_save(
            actor=actor, organisation=kaart.org, location=kaart.location, data=location_input()
        )
    with pytest.raises(NotAllowed):
        services.entry_confirm(actor=actor, entry=kaart.offer)
    with pytest.raises(NotAllowed):
        services.offer_delete(actor=actor, offer=kaart.offer)
    assert Offer.objects.get(pk=kaart.offer.pk).name == before.name
    denied = AccessLogEntry.objects.filter(outcome=Outcome.DENIED, user=getattr(kaart, who))
    assert denied.count() == 4
    assert {d.detail for d in denied} >= {
        f"sociale kaart: aanbod {kaart.offer.pk}",
        f"sociale kaart: locatie {kaart.location.pk}",
    }


def test_an_editor_cannot_move_an_offer_to_another_organisations_location(kaart):
    other_loc = services.location_save(
        actor=actor_for(kaart.other_editor), organisation=kaart.other_org, data=location_input()
    )
    with pytest.raises(NotAllowed):
        services.offer_save(
            actor=actor_for(kaart.editor), location=other_loc, offer=kaart.offer, data=offer_input()
        )
    assert Offer.objects.get(pk=kaart.offer.pk).location_id == kaart.location.pk


def test_an_inactive_editor_membership_grants_nothing(kaart):
    kaart.editor.memberships.update(active=False)
    with pytest.raises(NotAllowed):
        services.entry_confirm(actor=actor_for(kaart.editor), entry=kaart.offer)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"age_min": 65, "age_max": 18}, "age_max", "omgedraaid"),
        ({"diagnosis_groups": ["hoogtevrees"]}, "diagnosis_groups", "Onbekende hoofddiagnosegroep"),
        ({"financing": "pgb"}, "financing", "Financiering 'pgb' bestaat niet"),
        ({"kind": "wellness"}, "kind", "Soort aanbod"),
        ({"name": "<script>alert(1)</script>"}, "name", "HTML of script"),
        ({"description": "<b>vet</b>"}, "description", "HTML of script"),
        ({"age_min": 200}, "age_min", "tussen 0 en 120"),
    ],
)
def test_bad_offer_input_is_refused_in_dutch_and_nothing_changes(kaart, overrides, field, words):
    with pytest.raises(EntryInvalid) as exc:
        services.offer_save(
            actor=actor_for(kaart.editor),
            location=kaart.location,
            offer=kaart.offer,
            data=offer_input(**overrides),
        )
    assert any(p.field == field and words in p.message for p in exc.value.problems)
    offer = Offer.objects.get(pk=kaart.offer.pk)
    assert (offer.name, offer.age_min, offer.financing) == ("Dubbele diagnose ambulant", 18, "zvw")
    assert EntryChange.objects.filter(entity="offer", entity_id=offer.pk).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"municipality": "GM9999"}, "municipality", "Onbekende gemeente"),
        ({"municipality": "Atlantis"}, "municipality", "Onbekende gemeente"),
        ({"postcode": "1033"}, "postcode", "geen Nederlandse postcode"),
        ({"postcode": "0123 AB"}, "postcode", "geen Nederlandse postcode"),
        ({"phone": "bel ons"}, "phone", "geen telefoonnummer"),
        ({"phone": "12345"}, "phone", "geen telefoonnummer"),
        ({"website": "www example"}, "website", "geen webadres"),
        ({"website": "javascript:alert(1)"}, "website", "geen webadres"),
        ({"email": "info@"}, "email", "geen e-mailadres"),
        ({"accessibility": "<img src=x onerror=alert(1)>"}, "accessibility", "HTML"),
        ({"municipality": ""}, "municipality", "Een vestiging heeft een gemeente"),
        ({"remote": True, "municipality": ""}, "served_area", "werkgebied"),
    ],
)
def test_bad_location_input_is_refused(kaart, overrides, field, words):
    with pytest.raises(EntryInvalid) as exc:
        services.location_save(
            actor=actor_for(kaart.editor),
            organisation=kaart.org,
            location=kaart.location,
            data=location_input(**overrides),
        )
    assert any(p.field == field and words in p.message for p in exc.value.problems), (
        exc.value.problems
    )
    assert Location.objects.get(pk=kaart.location.pk).municipality.code == "GM0363"


def test_good_phone_numbers_and_names_are_accepted(kaart):
    actor = actor_for(kaart.editor)
    for phone in ("113", "0800-0113", "+31 20 590 5555", "(020) 590 55 55", "0900-1450"):
        services.location_save(
            actor=actor,
            organisation=kaart.org,
            location=kaart.location,
            data=location_input(phone=phone, municipality="Amsterdam", postcode="1033nn"),
        )
    loc = Location.objects.get(pk=kaart.location.pk)
    assert (loc.phone, loc.postcode) == ("0900-1450", "1033 NN")


def test_remote_service_with_a_served_area(kaart):
    loc = services.location_save(
        actor=actor_for(kaart.editor),
        organisation=kaart.org,
        data=location_input(
            name="Online",
            remote=True,
            municipality="",
            served_area="province",
            served_province="Noord-Holland",
        ),
    )
    assert loc.remote and loc.served_province.code == "PV27" and loc.latitude is None


def test_staleness_after_six_months_and_confirm(kaart):
    old = timezone.now() - timedelta(days=200)
    Offer.objects.filter(pk=kaart.offer.pk).update(confirmed_at=old)
    offer = Offer.objects.get(pk=kaart.offer.pk)
    assert offer.is_stale()
    assert not offer.is_stale(now=old + timedelta(days=182))
    services.entry_confirm(actor=actor_for(kaart.editor), entry=offer)
    assert not Offer.objects.get(pk=offer.pk).is_stale()
    assert EntryChange.objects.filter(entity="offer", entity_id=offer.pk, action="confirm").exists()


def test_reminders_run_reminds_editors_of_stale_entries_once(kaart):
    second_editor = factories.member(Role.DIRECTORY_EDITOR, organisation=kaart.org)
    Offer.objects.filter(pk=kaart.offer.pk).update(
        confirmed_at=timezone.now() - timedelta(days=200)
    )
    today = timezone.localdate()
    first = reminders.run(today=today)
    assert first.kinds["sociale_kaart"] == 2  # both editors, one stale offer
    notes = Notification.objects.filter(dedup_key__startswith="kaart:offer:")
    assert {n.user for n in notes} == {kaart.editor, second_editor}
    assert "Dubbele diagnose ambulant" in notes[0].subject
    # Idempotent: the second run sends nothing; the other organisation's editor got nothing.
    assert reminders.run(today=today).kinds.get("sociale_kaart", 0) == 0
    assert not Notification.objects.filter(user=kaart.other_editor).exists()
    # After a confirmation the entry is current; six months later it reminds again.
    services.entry_confirm(
        actor=actor_for(kaart.editor), entry=Offer.objects.get(pk=kaart.offer.pk)
    )
    assert reminders.run(today=today).kinds.get("sociale_kaart", 0) == 0
    later = today + timedelta(days=200)
    assert reminders.run(today=later).kinds["sociale_kaart"] >= 2


def test_reminders_command_reports_the_kaart(kaart, capsys):
    Location.objects.filter(pk=kaart.location.pk).update(
        confirmed_at=timezone.now() - timedelta(days=365)
    )
    call_command("reminders")
    assert "sociale_kaart: 1" in capsys.readouterr().out


def test_delete_is_versioned(kaart):
    pk = kaart.offer.pk
    services.offer_delete(actor=actor_for(kaart.editor), offer=kaart.offer)
    assert not Offer.objects.filter(pk=pk).exists()
    assert EntryChange.objects.filter(entity="offer", entity_id=pk, action="delete").exists()
