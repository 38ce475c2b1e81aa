"""The report PDF is rendered outside the page request and stored for every app server: a PDF
not rendered yet answers with a progress page whose poll renders it, a stored one is served
at once, a record change asks for a new render, and `monitor render-pdfs` renders ahead."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from vangnet.audit.models import AccessLogEntry, Action
from vangnet.monitor import pdfs, services
from vangnet.monitor.models import RenderedReport

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "testdata" / "seed001_2020_2021.csv"
PDF = "/monitor/rapport.pdf?van=2020&tot=2021"
POLL = "/monitor/rapport/pdf-maken/?van=2020&tot=2021"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seeded(db):
    services.monitor_import(content=SEED_FILE.read_bytes())


def _exports(user) -> int:
    return AccessLogEntry.objects.filter(
        user=user, action=Action.EXPORT, detail__contains="(pdf)"
    ).count()


def _one_more_record() -> None:
    header, first = SEED_FILE.read_text(encoding="utf-8").splitlines()[:2]
    line = "EXTRA-2021-001," + first.split(",", 1)[1]
    result = services.monitor_import(content=f"{header}\n{line}\n".encode())
    assert result.created == 1, result


def test_a_pdf_not_rendered_yet_answers_at_once_with_the_progress_page(
    world, seeded, verified_client
):
    before = pdfs.renders
    response = verified_client(world.monitor_analyst).get(PDF)
    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Het rapport wordt gemaakt…" in page
    assert 'hx-post="/monitor/rapport/pdf-maken/?van=2020&amp;tot=2021"' in page
    assert "<progress" in page
    assert not response.content.startswith(b"%PDF")
    assert pdfs.renders == before and not RenderedReport.objects.exists()
    assert _exports(world.monitor_analyst) == 0  # nothing handed out yet


def test_the_poll_renders_and_stores_the_pdf_which_is_then_served_without_rendering(
    world, seeded, verified_client
):
    client = verified_client(world.monitor_analyst)
    before = pdfs.renders
    poll = client.post(POLL, **HTMX)
    assert poll.status_code == 200
    assert 'id="pdf-ready"' in poll.content.decode()
    assert 'href="/monitor/rapport.pdf?van=2020&amp;tot=2021"' in poll.content.decode()
    assert pdfs.renders == before + 1
    row = RenderedReport.objects.get()
    assert (row.year_from, row.year_to, row.table, row.public) == (2020, 2021, None, True)

    for _ in range(2):
        response = client.get(PDF)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "monitor-2020-2021-landelijk-openbaar.pdf" in response["Content-Disposition"]
        assert response.content == bytes(row.pdf) and response.content.startswith(b"%PDF")
    assert pdfs.renders == before + 1  # served from the stored row, twice
    assert RenderedReport.objects.get().rendered_at == row.rendered_at
    assert _exports(world.monitor_analyst) == 2  # every download is logged
    # Another poll for the same choice keeps the stored PDF.
    client.post(POLL, **HTMX)
    assert pdfs.renders == before + 1


def test_a_record_change_needs_a_new_render_and_prunes_the_old_one(world, seeded, verified_client):
    client = verified_client(world.monitor_analyst)
    client.post(POLL, **HTMX)
    first = client.get(PDF).content
    old = RenderedReport.objects.get()
    _one_more_record()
    assert client.get(PDF).status_code == 202  # the stored PDF is of older records
    before = pdfs.renders
    client.post(POLL, **HTMX)
    assert pdfs.renders == before + 1
    new = RenderedReport.objects.get()  # the old version is pruned
    assert new.version != old.version
    after = client.get(PDF)
    assert after.status_code == 200 and after.content.startswith(b"%PDF")
    assert after.content != first


def test_each_choice_has_its_own_pdf(world, seeded, verified_client):
    client = verified_client(world.monitor_analyst)
    client.post(POLL, **HTMX)
    assert client.get(PDF + "&versie=intern").status_code == 202
    client.post(POLL + "&versie=intern", **HTMX)
    assert RenderedReport.objects.count() == 2
    assert client.get(PDF + "&versie=intern").content != client.get(PDF).content


def test_without_javascript_the_button_renders_and_sends_on_to_the_pdf(
    world, seeded, verified_client
):
    client = verified_client(world.monitor_analyst)
    page = client.get(PDF).content.decode()
    assert "<noscript>" in page and 'id="pdf-make"' in page
    response = client.post(POLL, follow=True)
    assert response.redirect_chain == [(PDF, 302)]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("referrer", "?van=2020&tot=2021"),
        ("table_member", "?van=2020&tot=2021&tafel=3"),
        ("coordinator", "?van=2020&tot=2021&tafel=1"),  # another table's report
    ],
)
def test_a_user_without_access_gets_403_on_the_progress_page_and_the_poll(
    world, seeded, verified_client, who, query
):
    client = verified_client(getattr(world, who))
    assert client.get(f"/monitor/rapport.pdf{query}").status_code == 403
    assert client.post(f"/monitor/rapport/pdf-maken/{query}", **HTMX).status_code == 403
    assert not RenderedReport.objects.exists()


def test_a_stored_pdf_is_still_refused_to_a_user_without_access(world, seeded, verified_client):
    verified_client(world.monitor_analyst).post(POLL + "&tafel=1", **HTMX)
    assert RenderedReport.objects.filter(table=1).exists()
    coordinator = verified_client(world.coordinator)  # of table 3
    assert coordinator.get(PDF + "&tafel=1").status_code == 403


def test_the_poll_takes_no_get(world, seeded, verified_client):
    assert verified_client(world.monitor_analyst).get(POLL).status_code == 405


def test_the_standard_choices_are_national_and_every_table_for_all_years_and_the_latest(seeded):
    choices = pdfs.standard_choices()
    assert len(choices) == 2 * (2 + 8)
    assert {(c["year_from"], c["year_to"]) for c in choices} == {(2020, 2021), (2021, 2021)}
    national = [(c["year_to"], c["public"]) for c in choices if c["table"] is None]
    assert sorted(national) == [(2021, False), (2021, False), (2021, True), (2021, True)]
    assert all(not c["public"] for c in choices if c["table"] is not None)  # tables: internal
    assert len(pdfs.standard_choices(tables=[3])) == 2 * 3


def test_render_pdfs_renders_each_choice_once_and_the_link_serves_it(world, verified_client, db):
    """Run after an import, the command renders the standard choices; run again without
    changes it renders nothing; the PDF link then serves the stored PDF at once. (One year of
    records and one table keep the renders few: each takes a second or two.)"""
    header, *lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    one_year = "\n".join([header, *(line for line in lines if ",2021-" in line)]) + "\n"
    services.monitor_import(content=one_year.encode())
    assert len(pdfs.standard_choices(tables=[3])) == 3  # national public, internal, table 3

    before = pdfs.renders
    out = io.StringIO()
    call_command("monitor", "render-pdfs", "--table", "3", stdout=out)
    assert "3 gemaakt, 0 waren al actueel" in out.getvalue()
    assert pdfs.renders == before + 3 and RenderedReport.objects.count() == 3

    out = io.StringIO()
    call_command("monitor", "render-pdfs", "--table", "3", stdout=out)
    assert "0 gemaakt, 3 waren al actueel" in out.getvalue()
    assert pdfs.renders == before + 3 and RenderedReport.objects.count() == 3

    client = verified_client(world.coordinator)  # of table 3
    for query in ("tafel=3", "tafel=&versie=intern"):
        response = client.get(f"/monitor/rapport.pdf?van=2021&tot=2021&{query}")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert pdfs.renders == before + 3
