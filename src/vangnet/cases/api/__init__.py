"""The case API, permission-checked exactly as the pages: one router (tags "casussen"), one module
per stage of the journey, as in `cases/services`:

- `registration`: the cases the user may see, registering one, reading one;
- `triage`: proposal, second screening, moving to another table, the rounds, the history;
- `casefile`: the case file's parts (timeline, parties, consents, questions, documents);
- `closure`: closing, withdrawing, ending, reopening;
- `common`: the router and what the case-work apps' routers share (`case_for`, `case_auth`, ...),
  re-exported here.

Each endpoint that touches case data calls `case_access` or `log_list` once: one access-log row
per request, "denied" included.
"""

from .common import (
    CreatedOut,
    DoneOut,
    Id,
    Long,
    case_auth,
    case_for,
    case_object,
    created,
    done,
    organisation_by_id,
    organisations_by_id,
    router,
)

# The routes are registered in the journey's order, the order of the URL patterns and of the
# OpenAPI document: keep these imports in this order.
# isort: off
from . import registration  # noqa: F401
from . import triage  # noqa: F401
from . import casefile  # noqa: F401
from . import closure  # noqa: F401

# isort: on

__all__ = [
    "CreatedOut",
    "DoneOut",
    "Id",
    "Long",
    "case_auth",
    "case_for",
    "case_object",
    "created",
    "done",
    "organisation_by_id",
    "organisations_by_id",
    "router",
]
