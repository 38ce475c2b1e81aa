"""The route UCZ → zorgbemiddeling → table and the public signals over the API, permission-checked
and logged exactly as the pages (access.py): one access-log row per request, "denied" included.
An unauthorised call is refused (403) before its body is validated.

One router (tags "routering"), one module per side of the route:

- `questions`: the UCZ's side: the insurers, the questions, recording, reading, handing over,
  withdrawing;
- `mediation`: the zorgbemiddeling's side: taking up, sending back, attempts, solving,
  registering at the table;
- `signals`: the coordinator's side of a signal: the list, reading, answering, registering;
- `public`: a signal and its status without an account, rate-limited;
- `common`: the router, the question check and answer the two question modules share, and the
  schemas more than one module uses.
"""

from .common import router

# The routes are registered in the route's order, the order of the URL patterns and of the
# OpenAPI document: keep these imports in this order.
# isort: off
from . import questions  # noqa: F401
from . import mediation  # noqa: F401
from . import signals  # noqa: F401
from . import public  # noqa: F401

# isort: on

__all__ = ["router"]
