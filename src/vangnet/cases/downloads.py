"""A case document's stored file as a download, the same for the page and the API."""

from __future__ import annotations

from django.http import FileResponse

from .models import Document
from .services import document_path


def document_response(document: Document) -> FileResponse | None:
    """The stored file of `document`, or None when the file is missing. Always an attachment
    under its original name with nosniff: an uploaded file is never shown inline, nor sniffed
    by the browser into something it may run."""
    path = document_path(document)
    if not path.exists():
        return None
    response = FileResponse(
        path.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
