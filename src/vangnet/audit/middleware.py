"""Per request: keep refused or failed requests' log rows, and seal new rows opportunistically."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from . import context
from .services import access_log_rescue, access_log_seal


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        credential_token = context.credential.set(None)
        rows: list = []
        pending_token = context.pending.set(rows)
        try:
            return self.get_response(request)
        finally:
            context.pending.reset(pending_token)
            context.credential.reset(credential_token)
            rescued = access_log_rescue(
                [(pk, fields) for pk, fields, in_transaction in rows if in_transaction]
            )
            # Sealing runs in its own transaction; inside an enclosing one (tests) it would seal
            # rows that may still roll back, so it leaves them to the continuous sealer. It
            # seals this request's rows (by id) and any newer ones, never searching the log.
            # `make serve` runs the sealer beside the workers and switches this off
            # (VANGNET_AUDIT_SEAL_IN_REQUEST=0): one batch a second instead of one per request.
            if rows and settings.VANGNET_AUDIT_SEAL_IN_REQUEST and not connection.in_atomic_block:
                access_log_seal(own=[pk for pk, _, _ in rows] + rescued)
