"""Case documents: type, size and magic bytes, stored outside the web root."""

from __future__ import annotations

import hashlib

import pytest

from vangnet.cases import services
from vangnet.testing.casework import PDF, PNG, refused

pytestmark = pytest.mark.django_db


# --- documents -------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "cases"


def stored_files(media) -> list:
    return sorted(media.iterdir()) if media.exists() else []


def test_document_stored_under_a_random_name_outside_the_web_root(world, admitted, coord, media):
    doc = services.document_upload(
        case=admitted,
        actor=world.coordinator,
        membership=coord,
        name="../../verslag.pdf",
        content=PDF,
    )
    path = services.document_path(doc)
    assert path.parent == media and path.read_bytes() == PDF
    assert doc.storage_name != "verslag.pdf" and doc.storage_name.endswith(".pdf")
    assert "verslag" not in doc.storage_name
    assert doc.original_name == "verslag.pdf"  # no directories from the upload name
    assert (doc.content_type, doc.size) == ("application/pdf", len(PDF))
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert admitted.events.last().transition == "document_upload"
    assert "verslag" not in admitted.events.last().note


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Dit bestandstype is niet toegestaan"),
        ("pagina.html", b"<html></html>", "Dit bestandstype is niet toegestaan"),
        ("zonder-extensie", PDF, "Dit bestandstype is niet toegestaan"),
        ("leeg.pdf", b"", "Het bestand is leeg"),
        ("nep.pdf", PNG, "past niet bij de extensie"),
        ("nep.png", PDF, "past niet bij de extensie"),
        ("nep.docx", PDF, "past niet bij de extensie"),
        ("binair.txt", b"tekst\x00met nul", "past niet bij de extensie"),
    ],
)
def test_document_refused_by_type_or_magic_bytes(
    world, admitted, coord, media, name, content, message
):
    refused(
        lambda: services.document_upload(
            case=admitted, actor=world.coordinator, membership=coord, name=name, content=content
        ),
        message,
    )
    assert stored_files(media) == []


def test_document_too_large_refused_and_nothing_stored(world, admitted, coord, media):
    limit = services.MAX_DOCUMENT_BYTES
    big = PDF + b"0" * (limit - len(PDF) + 1)
    refused(
        lambda: services.document_upload(
            case=admitted, actor=world.coordinator, membership=coord, name="groot.pdf", content=big
        ),
        "Het bestand is te groot: maximaal 10 MB",
    )
    assert stored_files(media) == []
    exact = PDF + b"0" * (limit - len(PDF))
    services.document_upload(
        case=admitted, actor=world.coordinator, membership=coord, name="precies.pdf", content=exact
    )
    assert len(stored_files(media)) == 1


def test_plain_text_with_dutch_accents_beyond_two_kilobytes_is_accepted(
    world, admitted, coord, media
):
    text = ("Verslag. " * 227 + "Dus één patiënt wil wonen.").encode()
    assert text[2047:2049] == "é".encode()  # the 2048th byte starts a two-byte character
    text.decode("utf-8")  # valid UTF-8
    services.document_upload(
        case=admitted, actor=world.coordinator, membership=coord, name="notitie.txt", content=text
    )
