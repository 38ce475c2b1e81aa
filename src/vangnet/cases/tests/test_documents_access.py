"""Case documents: who may upload and download, and every download logged."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vangnet.cases import services
from vangnet.cases.models import Document
from vangnet.testing import followup as fu
from vangnet.testing.access import PDF, last_log_id, log_rows
from vangnet.testing.followup import ms

pytestmark = pytest.mark.django_db


# --- documents -------------------------------------------------------------------------------


@pytest.fixture
def document(world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.document_upload(
        case=case,
        actor=world.coordinator,
        membership=ms(world.coordinator),
        name="brief.pdf",
        content=PDF,
    )


def doc_url(case, document) -> str:
    return reverse("cases:document", args=[case.reference, document.pk])


def test_document_download_is_logged_for_readers(
    world, case, document, member_org, verified_client
):
    fu.invite_with_consent(world, case, member_org)
    for user in (world.coordinator, world.referrer, world.table_member):
        mark = last_log_id()
        response = verified_client(user).get(doc_url(case, document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert 'attachment; filename="brief.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        rows = log_rows(mark)
        assert [(r.action, r.outcome, r.case_reference, r.detail) for r in rows] == [
            ("download", "allowed", case.reference, f"document {document.pk}")
        ]


def test_document_download_stops_when_consent_is_withdrawn(
    world, case, document, member_org, verified_client
):
    _, consent = fu.invite_with_consent(world, case, member_org)
    client = verified_client(world.table_member)
    assert client.get(doc_url(case, document)).status_code == 200
    services.consent_withdraw(
        consent=consent, actor=world.coordinator, membership=ms(world.coordinator)
    )
    mark = last_log_id()
    assert client.get(doc_url(case, document)).status_code == 403
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("download", "denied")]


def test_document_download_refused_for_outsiders_and_logged_as_denied(
    world, case, document, verified_client
):
    uninvited = world.table_member
    for user in (
        world.other_referrer,
        uninvited,
        world.medical_adviser,
        world.other_table_coordinator,
    ):
        mark = last_log_id()
        response = verified_client(user).get(doc_url(case, document))
        assert response.status_code == 403
        assert PDF not in response.content
        assert [(r.action, r.outcome) for r in log_rows(mark)] == [("download", "denied")]


def test_document_upload_through_the_page(world, case, settings, tmp_path, verified_client):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("cases:document_upload", args=[case.reference])
    client = verified_client(world.coordinator)
    mark = last_log_id()
    response = client.post(url, {"file": SimpleUploadedFile("plan.pdf", PDF)}, follow=True)
    assert "Document toegevoegd." in response.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile("plan.exe", b"MZ")}, follow=True)
    assert "Niet opgeslagen. Dit bestandstype is niet toegestaan" in bad.content.decode()
    assert Document.objects.filter(case=case).count() == 1
    assert [(r.action, r.outcome) for r in log_rows(mark) if r.case_reference] == [
        ("update", "allowed"),
        ("read", "allowed"),
        ("update", "allowed"),
        ("read", "allowed"),
    ]
    # The referrer may download but not attach.
    mark = last_log_id()
    denied = verified_client(world.referrer).post(url, {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert denied.status_code == 403
    assert [(r.action, r.outcome) for r in log_rows(mark)] == [("update", "denied")]
    assert Document.objects.filter(case=case).count() == 1
