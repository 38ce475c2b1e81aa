"""Case documents: checked for type, size and magic bytes, stored outside the web root."""

from __future__ import annotations

import codecs
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction

from vangnet.accounts.models import Membership, User
from vangnet.cases.models import Case, Document
from vangnet.cases.services.steps import SHORT, case_event
from vangnet.common.errors import DomainError
from vangnet.common.validators import clean_text

ALLOWED_DOCUMENT_TYPES = {
    # extension: (content type, magic prefix or None when plain text)
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".txt": ("text/plain", None),
}


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _sniff_ok(head: bytes, magic: bytes | None) -> bool:
    if magic is None:
        # Incremental decoding: the head may end inside a multi-byte character (ë, é).
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return False
        return b"\x00" not in head
    return head.startswith(magic)


@transaction.atomic
def document_upload(
    *, case: Case, actor: User, membership: Membership, name: str, content: bytes
) -> Document:
    """Store an attachment outside the web root under a random name, after type and size checks."""
    import secrets
    from pathlib import Path

    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_DOCUMENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_DOCUMENT_TYPES))
        raise DomainError(
            f"Dit bestandstype is niet toegestaan. Toegestaan: {allowed}.", field="file"
        )
    if len(content) == 0:
        raise DomainError("Het bestand is leeg.", field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DomainError(
            f"Het bestand is te groot: maximaal {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    content_type, magic = ALLOWED_DOCUMENT_TYPES[suffix]
    if not _sniff_ok(content[:2048], magic):
        raise DomainError("De inhoud van het bestand past niet bij de extensie.", field="file")
    storage_name = secrets.token_hex(16) + suffix
    directory = Path(settings.MEDIA_ROOT) / "cases"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / storage_name
    target.write_bytes(content)
    # The row refers to the file; if creating the row fails, remove the file: nothing half-saved.
    try:
        document = Document.objects.create(
            case=case,
            storage_name=storage_name,
            original_name=clean_text(
                Path(name).name,
                field="file",
                label="De bestandsnaam",
                max_length=SHORT,
                required=True,
            ),
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    case_event(
        case,
        actor,
        membership,
        "document_upload",
        f"Document toegevoegd ({suffix}, {len(content)} bytes)",
    )
    return document


def document_path(document: Document) -> Any:
    from pathlib import Path

    return Path(settings.MEDIA_ROOT) / "cases" / document.storage_name
