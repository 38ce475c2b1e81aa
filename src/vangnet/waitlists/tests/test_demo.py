"""The demo (`python -m vangnet demo`) gives the region pages something to show: its providers
are located in Amsterdam or Haarlem, so the VR13 dashboard has the GGZ inGeest × eetstoornis
hotspot and the demo process owner can record a pause for it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from vangnet.accounts.models import User
from vangnet.directory.models import Organisation
from vangnet.ops.management.commands.demo import DEMO_PASSWORD
from vangnet.waitlists import demo
from vangnet.waitlists.models import DiagnosisGroup, RegistrationPause, Submission

pytestmark = pytest.mark.django_db

VR13 = {"kind": "veiligheidsregio", "code": "VR13"}


def test_demo_process_owner_sees_the_hotspot_and_records_a_pause(verified_client):
    call_command("demo", stdout=io.StringIO())
    located = dict(
        Organisation.objects.exclude(agb_code="").values_list("agb_code", "municipality__code")
    )
    for _name, agb, municipality in demo.PROVIDERS:
        assert located[agb] == municipality
    assert located["06290101"] == "GM0363"  # Arkin existed before the waiting-list demo

    owner = User.objects.get(username="proces")
    assert owner.check_password(DEMO_PASSWORD)
    client = verified_client(owner)
    board = client.get(reverse("waitlists:dashboard", kwargs=VR13)).context["board"]
    assert board.unlocated == []
    hot = [
        h
        for h in board.hotspots
        if (h.row.provider_name, h.row.diagnosis_group) == ("GGZ inGeest Amsterdam", "eetstoornis")
    ]
    assert hot and hot[0].current and hot[0].propose_pause

    inGeest = Organisation.objects.get(agb_code="06290707")
    form = client.get(reverse("waitlists:pause_new") + f"?aanbieder={inGeest.pk}&groep=eetstoornis")
    assert form.status_code == 200
    assert inGeest in form.context["form"].fields["provider"].queryset
    today = timezone.localdate()
    response = client.post(
        reverse("waitlists:pause_new"),
        {
            "provider": inGeest.pk,
            "diagnosis_group": DiagnosisGroup.objects.get(code="eetstoornis").pk,
            "starts_on": today.isoformat(),
            "planned_end_on": today.replace(year=today.year + 1).isoformat(),
            "reason": "Hotspot eetstoornissen: drie maanden boven de Treeknorm.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("waitlists:pauses", kwargs=VR13)
    pause = RegistrationPause.objects.get()
    assert (pause.provider, pause.recorded_as) == (inGeest, "process_owner")
    page = client.get(response["Location"]).context["page"]
    assert [p.provider for g in page.groups for p in g.pauses] == [inGeest]


def test_demo_providers_get_their_municipality_when_they_already_exist():
    Organisation.objects.create(name="Arkin", agb_code="06290101")
    assert demo.load_demo(months=1, persons=20) == 6  # one submission per provider
    assert Organisation.objects.get(agb_code="06290101").municipality.code == "GM0363"
    # Loaded again (submissions exist): nothing is imported, a missing municipality is still set.
    Organisation.objects.filter(agb_code="06290909").update(municipality=None)
    assert demo.load_demo() == 0
    assert Organisation.objects.get(agb_code="06290909").municipality.code == "GM0392"
    assert Submission.objects.count() == 6


def test_demo_prints_its_url_and_fills_published_times_and_the_data_officers_region(
    verified_client,
):
    out = io.StringIO()
    call_command("demo", "--url", "http://127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert "Inloggen op http://127.0.0.1:8123 met wachtwoord" in text
    assert "proces" in text and "Arkin" in text
    analyst = verified_client(User.objects.get(username="analist"))
    published = analyst.get(reverse("waitlists:published"))
    assert published.context["rows"], "Gepubliceerde wachttijden is empty in the demo"
    officer = verified_client(User.objects.get(username="data"))  # GGZ inGeest, Amsterdam
    board = officer.get(reverse("waitlists:dashboard", kwargs=VR13)).context["board"]
    assert board.headline is not None and board.partial == []
    call_command("demo", stdout=io.StringIO())  # idempotent: the file is not imported twice
    from vangnet.waitlists.models import PublishedImport

    assert PublishedImport.objects.count() == 1
