"""The waiting-list pages: permissions, dashboard content, exports, pauses, upload."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from vangnet.accounts.models import Membership, Role
from vangnet.audit.models import AccessLogEntry, Action
from vangnet.testing import factories
from vangnet.testing.pages import walk
from vangnet.waitlists.models import (
    DiagnosisGroup,
    ProcessOwnerRegion,
    RegistrationPause,
    Submission,
)

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("waitlists:dashboard", kwargs={"kind": "veiligheidsregio", "code": "VR13"})


@pytest.fixture
def history(providers, import_rows):
    """Jan-Mar 2024: provider a (Amsterdam) breaches for angst three months running."""
    for period, reg in (
        ("2024-01", "2023-12-01"),
        ("2024-02", "2024-01-01"),
        ("2024-03", "2024-02-01"),
    ):
        import_rows(
            [
                row(person_pseudonym="v1:secret-a1", registration_date=reg),
                row(person_pseudonym="v1:secret-a2", registration_date=reg, preferred_provider=1),
                row(
                    person_pseudonym="v1:secret-a1",
                    provider_agb="22222222",
                    registration_date=f"{period}-20",
                ),
                row(
                    person_pseudonym="v1:secret-c",
                    provider_agb="33333333",
                    municipality_code="GM0599",
                    registration_date=reg,
                ),
            ],
            period=period,
        )
    return providers


def test_dashboard_is_for_analysts_administrators_and_process_owners(
    history, world, verified_client
):
    assert verified_client(world.referrer).get(DASHBOARD).status_code == 403
    owner = factories.member(Role.PROCESS_OWNER)
    for user in (world.monitor_analyst, world.administrator, owner):
        assert verified_client(user).get(DASHBOARD).status_code == 200
    assert (
        verified_client(world.monitor_analyst)
        .get(reverse("waitlists:dashboard", kwargs={"kind": "veiligheidsregio", "code": "VR99"}))
        .status_code
        == 404
    )


def test_dashboard_shows_aggregates_hotspot_and_largest_breach_never_a_pseudonym(
    history, world, verified_client
):
    response = verified_client(world.monitor_analyst).get(DASHBOARD + "?van=2024-01&tot=2024-03")
    html = response.content.decode()
    assert "secret" not in html and "v1:" not in html
    board = response.context["board"]
    assert board.months == ["2024-01", "2024-02", "2024-03"]
    assert [p.persons for p in board.trend] == [2, 2, 2]  # a1 at two providers counts once
    assert [p.multi_provider for p in board.trend] == [1, 1, 1]
    (hot,) = board.hotspots
    assert (hot.row.provider_name, hot.row.diagnosis_group, hot.row.months, hot.propose_pause) == (
        "GGZ Amstel",
        "angst",
        3,
        True,
    )
    assert "Aanmeldpauze voorstellen" in html
    assert [(r.month, r.provider_name, r.over_norm) for r in board.largest] == [
        ("2024-01", "GGZ Amstel", 2),
        ("2024-02", "GGZ Amstel", 2),
        ("2024-03", "GGZ Amstel", 2),
    ]
    angst = next(cells for g, cells in board.heat_persons if g.code == "angst")
    assert [c.label for c in angst] == ["2", "2", "2"]
    share = next(cells for g, cells in board.heat_share if g.code == "angst")
    assert [c.css for c in share] == ["share-4"] * 3  # 2 of 3 registrations over the norm


def test_default_range_ends_at_latest_data(history, world, verified_client):
    board = verified_client(world.monitor_analyst).get(DASHBOARD).context["board"]
    assert (board.months[0], board.months[-1], len(board.months)) == ("2023-04", "2024-03", 12)


def test_csv_and_xlsx_exports_are_logged(history, world, verified_client):
    client = verified_client(world.monitor_analyst)
    url = reverse("waitlists:export_csv", kwargs={"kind": "veiligheidsregio", "code": "VR13"})
    response = client.get(url + "?van=2024-01&tot=2024-03")
    lines = response.content.decode().splitlines()
    assert (
        lines[0]
        == "month,region,diagnosis_group,registrations_waiting,persons_waiting,persons_multi_provider,persons_by_preference,over_norm_intake,over_norm_treatment"
    )
    assert lines[1:] == [f"2024-0{m},VR13,angst,3,2,1,1,2,0" for m in (1, 2, 3)]
    assert (
        'filename="wachtlijsten-veiligheidsregio-VR13-2024-01-2024-03.csv"'
        in response["Content-Disposition"]
    )

    url = reverse("waitlists:export_xlsx", kwargs={"kind": "veiligheidsregio", "code": "VR13"})
    response = client.get(url + "?van=2024-01&tot=2024-03")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Toelichting", "Wachtenden", "Instroom"]
    values = list(wb["Wachtenden"].values)
    assert values[0][:5] == (
        "month",
        "region",
        "diagnosis_group",
        "registrations_waiting",
        "persons_waiting",
    )
    assert values[1][:5] == ("2024-01", "VR13", "angst", 3, 2)
    exports = AccessLogEntry.objects.filter(action=Action.EXPORT)
    assert [e.detail[-6:] for e in exports.order_by("id")] == [
        "(csv)",
        "(xlsx)",
    ] or exports.count() == 2
    assert verified_client(world.referrer).get(url).status_code == 403


@freeze_time("2024-04-10")
def test_pause_page_for_referrers_and_recording_from_a_hotspot(history, world, verified_client):
    officer = factories.member(Role.DATA_OFFICER, organisation=history.a)
    client = verified_client(officer)
    form = client.get(reverse("waitlists:pause_new") + f"?aanbieder={history.a.pk}&groep=angst")
    assert form.status_code == 200 and "drie maanden" in form.context["form"].initial["reason"]
    response = client.post(
        reverse("waitlists:pause_new"),
        {
            "provider": history.a.pk,
            "diagnosis_group": DiagnosisGroup.objects.get(code="angst").pk,
            "starts_on": "2024-04-10",
            "planned_end_on": "2024-07-10",
            "reason": "Hotspot angst.",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(
        "/pauzes/veiligheidsregio/VR13/"
    )
    page = verified_client(world.referrer).get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "GGZ Amstel" in html and "Hotspot angst." in html
    (group,) = page.context["page"].groups
    assert [a.provider.name for a in group.alternatives] == ["GGZ IJ"]
    # The dashboard now shows the pause instead of proposing one.
    board = verified_client(world.monitor_analyst).get(DASHBOARD).context["board"]
    assert board.hotspots[0].paused and not board.hotspots[0].propose_pause

    pause = RegistrationPause.objects.get()
    assert (
        verified_client(world.referrer)
        .post(reverse("waitlists:pause_end", args=[pause.pk]), {"ended_on": "2024-04-10"})
        .status_code
        == 403
    )
    client.post(reverse("waitlists:pause_end", args=[pause.pk]), {"ended_on": "2024-04-10"})
    pause.refresh_from_db()
    assert pause.ended_on == date(2024, 4, 10)


def test_pause_form_errors_are_shown(history, verified_client):
    owner = factories.member(Role.PROCESS_OWNER)
    ProcessOwnerRegion.objects.create(
        membership=Membership.objects.get(user=owner), region_kind="province", region_code="PV27"
    )
    client = verified_client(owner)
    response = client.post(
        reverse("waitlists:pause_new"),
        {
            "provider": history.c.pk,  # Rotterdam: not in Noord-Holland
            "diagnosis_group": DiagnosisGroup.objects.get(code="angst").pk,
            "starts_on": "2024-04-10",
            "planned_end_on": "2024-04-01",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "provider" in response.context["form"].errors


def test_upload_page_for_data_officers(providers, world, verified_client):
    assert verified_client(world.referrer).get(reverse("waitlists:upload")).status_code == 403
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    client = verified_client(officer)
    bad = io.BytesIO(csv_bytes([row(person_pseudonym="v1:x", municipality_code="GM0000")]))
    bad.name = "lijst.csv"
    response = client.post(
        reverse("waitlists:upload"),
        {"membership": Membership.objects.get(user=officer).pk, "period": "2024-03", "file": bad},
    )
    assert (
        "regel 2, kolom municipality_code: onbekende gemeente GM0000" in response.content.decode()
    )
    assert not Submission.objects.exists()
    good = io.BytesIO(csv_bytes([row(person_pseudonym="v1:x")]))
    good.name = "lijst.csv"
    response = client.post(
        reverse("waitlists:upload"),
        {"membership": Membership.objects.get(user=officer).pk, "period": "2024-03", "file": good},
    )
    assert response.context["report"].submissions[0].status == "nieuw"
    entry = AccessLogEntry.objects.get(action=Action.CREATE, channel="web")
    assert entry.role == Role.DATA_OFFICER


def test_index_and_region_picker(history, world, verified_client):
    client = verified_client(world.monitor_analyst)
    assert "Toon wachtlijstoverzicht" in client.get(reverse("waitlists:index")).content.decode()
    response = client.get(
        reverse("waitlists:choose") + "?regio=veiligheidsregio/VR13&doel=overzicht"
    )
    assert response["Location"] == DASHBOARD
    response = client.get(reverse("waitlists:choose") + "?regio=table/3&doel=pauzes")
    assert response["Location"] == reverse(
        "waitlists:pauses", kwargs={"kind": "table", "code": "3"}
    )
    assert (
        verified_client(world.referrer)
        .get(reverse("waitlists:pauses", kwargs={"kind": "table", "code": "3"}))
        .status_code
        == 200
    )


def test_published_page(world, verified_client):
    from pathlib import Path

    from vangnet.waitlists import services

    data = (
        Path(__file__).parent.parent / "data" / "brondata_wachttijden_ggz_2016.csv"
    ).read_bytes()
    services.published_import(data=data, name="nza2016.csv", actor=services.command_line_actor())
    client = verified_client(world.monitor_analyst)
    html = client.get(reverse("waitlists:published") + "?indeling=province").content.decode()
    assert "2196 van 2578 rijen bruikbaar" in html and "Noord-Holland" in html
    assert verified_client(world.referrer).get(reverse("waitlists:published")).status_code == 403


def test_providers_with_submissions_but_no_municipality_are_listed(
    history, world, verified_client, import_rows
):
    unlocated = factories.OrganisationFactory(agb_code="44444444", name="GGZ Nergens")
    factories.OrganisationFactory(agb_code="55555555", name="Zonder aanlevering")
    import_rows([row(provider_agb="44444444", registration_date="2024-02-01")], period="2024-02")
    board = verified_client(world.monitor_analyst).get(DASHBOARD).context["board"]
    assert [(u.name, u.agb_code, u.latest_period) for u in board.unlocated] == [
        ("GGZ Nergens", "44444444", date(2024, 2, 1))
    ]
    pauses = verified_client(world.referrer).get(
        reverse("waitlists:pauses", kwargs={"kind": "veiligheidsregio", "code": "VR13"})
    )
    html = pauses.content.decode()
    assert "Aanbieders zonder vestigingsgemeente" in html
    assert "GGZ Nergens" in html and "Zonder aanlevering" not in html
    # Once located, the provider is no longer listed.
    unlocated.municipality = history.a.municipality
    unlocated.save()
    board = verified_client(world.monitor_analyst).get(DASHBOARD).context["board"]
    assert board.unlocated == []
    assert "Aanbieders zonder vestigingsgemeente" not in (
        verified_client(world.monitor_analyst).get(DASHBOARD).content.decode()
    )


def test_upload_page_lists_every_earlier_upload_paged_and_sorted(
    providers, world, verified_client, monkeypatch
):
    """Issue 11 §3: the data officer's earlier uploads, paginated and sortable, no cap; only
    their own organisation's."""
    import re

    from vangnet.waitlists import views

    monkeypatch.setattr(views, "UPLOADS_PER_PAGE", 4)
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    Submission.objects.bulk_create(
        [
            Submission(
                provider=providers.a,
                period=date(2020 + i // 12, i % 12 + 1, 1),
                content_sha256=f"{i:064d}",
                row_count=i,
            )
            for i in range(10)
        ]
        + [
            Submission(
                provider=providers.b, period=date(2024, 1, 1), content_sha256="b" * 64, row_count=1
            )
        ]
    )
    client = verified_client(officer)

    def periods(html: str) -> list[str]:
        table = re.search(r'data-testid="uploads">.*?</table>', html, re.S).group(0)
        assert providers.b.name not in table
        return re.findall(r"<td>(\d{4}-\d\d)</td>", table)

    seen, _ = walk(client, reverse("waitlists:upload") + "?sorteer=periode", periods)
    assert seen == [f"2020-{m:02d}" for m in range(1, 11)]


def test_rejected_upload_offers_every_problem_as_csv(providers, world, verified_client):
    """Issue 11 §3: the page shows the first 500 problems; the CSV has all, formula-safe."""
    import csv as csvlib

    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    rows = [row(person_pseudonym=f"v1:p{i}", municipality_code="GM0000") for i in range(520)]
    bad = io.BytesIO(csv_bytes(rows))
    bad.name = "lijst.csv"
    response = verified_client(officer).post(
        reverse("waitlists:upload"),
        {
            "membership": Membership.objects.get(user=officer).pk,
            "period": "2024-03",
            "file": bad,
            "problems_csv": "on",
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = list(
        csvlib.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";")
    )
    gemeente = [r for r in lines if "onbekende gemeente GM0000" in r[0]]
    assert len(gemeente) == 520
    assert not any(r[0][:1] in "=+-@" for r in lines if r and r[0])
    assert not Submission.objects.exists()


def test_partial_month_never_drives_the_headline_or_the_trend(history, world, verified_client):
    """April has only GGZ Amstel's file: GGZ IJ and GGZ Maas, who delivered March, are missing.
    The headline stays on March and names them; April is out of the chart's lines."""
    from vangnet.waitlists import services
    from vangnet.waitlists.importers import parse_period

    r = row
    history_import = Submission.objects.count()
    services.submission_import(
        data=csv_bytes([r(person_pseudonym="v1:secret-a9", registration_date="2024-04-02")]),
        name="april.csv",
        actor=services.command_line_actor(),
        period=parse_period("2024-04"),
    )
    assert Submission.objects.count() == history_import + 1
    response = verified_client(world.monitor_analyst).get(DASHBOARD + "?van=2024-01&tot=2024-04")
    board = response.context["board"]
    assert board.headline.month == "2024-03"
    assert [p.month for p in board.partial] == ["2024-04"]
    assert board.partial[0].missing == ["GGZ IJ", "GGZ Maas"]
    html = response.content.decode()
    assert "Laatste complete maand (2024-03)" in html
    assert "2024-04 is nog niet compleet" in html and "GGZ IJ, GGZ Maas" in html
    # Four months on the axis, three points per line: April is left out.
    assert len(board.trend_svg["persons"]["points"].split()) == 3
    assert len(board.trend_svg["share"]["points"].split()) == 3
    # Once the others deliver April, it is the headline.
    for agb, municipality in (("22222222", "GM0363"), ("33333333", "GM0599")):
        services.submission_import(
            data=csv_bytes(
                [
                    r(
                        person_pseudonym="v1:secret-b9",
                        provider_agb=agb,
                        municipality_code=municipality,
                        registration_date="2024-04-03",
                    )
                ]
            ),
            name="april.csv",
            actor=services.command_line_actor(),
            period=parse_period("2024-04"),
        )
    board = (
        verified_client(world.monitor_analyst)
        .get(DASHBOARD + "?van=2024-01&tot=2024-04")
        .context["board"]
    )
    assert (board.headline.month, board.partial) == ("2024-04", [])


def test_trend_series_each_have_their_own_labelled_axis(history, world, verified_client):
    response = verified_client(world.monitor_analyst).get(DASHBOARD + "?van=2024-01&tot=2024-03")
    svg = response.context["board"].trend_svg
    assert [t["label"] for t in svg["persons"]["ticks"]] == ["0", "1", "2"]
    assert [t["label"] for t in svg["share"]["ticks"]] == ["0%", "50%", "100%"]
    html = response.content.decode()
    assert html.count('<svg class="trend"') == 2
    assert "Verticale as: Unieke wachtenden" in html and "Verticale as: % boven de norm" in html


def test_data_officer_sees_their_own_regions_dashboard_only(history, world, verified_client):
    officer = factories.member(Role.DATA_OFFICER, organisation=history.a)  # Amsterdam, VR13
    client = verified_client(officer)
    response = client.get(DASHBOARD + "?van=2024-01&tot=2024-03")
    assert response.status_code == 200
    assert "secret" not in response.content.decode()
    assert [p.persons for p in response.context["board"].trend] == [2, 2, 2]
    export = reverse("waitlists:export_csv", kwargs={"kind": "veiligheidsregio", "code": "VR13"})
    assert client.get(export).status_code == 200
    rotterdam = reverse("waitlists:dashboard", kwargs={"kind": "veiligheidsregio", "code": "VR17"})
    assert client.get(rotterdam).status_code == 403
    index = client.get(reverse("waitlists:index")).content.decode()
    assert 'data-testid="own-regions"' in index
    assert (
        reverse("waitlists:dashboard", kwargs={"kind": "veiligheidsregio", "code": "VR13"}) in index
    )
    # An officer of an organisation without municipality has no region.
    homeless = factories.member(Role.DATA_OFFICER)
    assert verified_client(homeless).get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("sort", ["-periode", "periode", "aanbieder", "-aangeleverd"])
def test_upload_list_walks_each_upload_once_with_ties(
    providers, world, verified_client, monkeypatch, sort
):
    """Issue 12 §3: "Meer aanleveringen" reaches every upload once in every sort, with ties in
    the period, the provider and the time; the provider's name never goes into the URL; the
    page's queries do not grow with the uploads."""
    import re

    from django.utils import timezone

    from vangnet.waitlists import views

    monkeypatch.setattr(views, "UPLOADS_PER_PAGE", 3)
    officer = factories.member(Role.DATA_OFFICER, organisation=providers.a)
    factories.member(Role.DATA_OFFICER, organisation=providers.b, user=officer)

    def make(count: int, offset: int) -> list[Submission]:
        made = Submission.objects.bulk_create(
            [
                Submission(
                    provider=(providers.a, providers.b)[i % 2],
                    period=date(2020 + i // 24, 1 + (i // 2) % 12, 1),  # two a month
                    content_sha256=f"{i:064d}",
                    row_count=i,
                    source_name=f"bestand-{i:03d}.csv",
                )
                for i in range(offset, offset + count)
            ]
        )
        Submission.objects.update(updated_at=timezone.now().replace(microsecond=0))
        return made

    def files(html: str) -> list[str]:
        table = re.search(r'data-testid="uploads">.*?</table>', html, re.S).group(0)
        return re.findall(r"bestand-(\d{3})\.csv", table)

    client = verified_client(officer)
    url = reverse("waitlists:upload") + f"?sorteer={sort}"
    make(4, 0)
    _, few = walk(client, url, files)  # two pages: a first and a later one
    made = make(11, 4)
    seen, many = walk(client, url, files)
    assert sorted(seen) == [f"{i:03d}" for i in range(15)] and len(made) == 11
    assert len(few) == 2 and len(many) == 5 and max(many) <= max(few)
    for link in re.findall(r'href="([^"]*na=[^"]*)"', client.get(url).content.decode()):
        assert providers.a.name not in link and providers.b.name not in link
