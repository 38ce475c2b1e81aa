"""Per-request context for the access log: the credential in use, and rows to rescue.

A row written inside a transaction disappears when that transaction rolls back, yet a refused
or failed request must keep its row. `access_log_write` therefore remembers the rows it writes;
when the request ends (`AccessLogMiddleware`) every row written inside a transaction that no
longer exists is written again, outside the rolled-back transaction.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

# "session", "token:<id>" or "" (no valid credential). None: not set for this request.
credential: ContextVar[str | None] = ContextVar("vangnet_audit_credential", default=None)
# (pk, field values, written inside a transaction) of the rows written during the request.
pending: ContextVar[list[tuple[int, dict[str, Any], bool]] | None] = ContextVar(
    "vangnet_audit_pending", default=None
)
