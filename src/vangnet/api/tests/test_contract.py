"""The committed OpenAPI document is a contract the API keeps (issue 10 §7).

Schemathesis generates requests from `docs/openapi.json` (schema-valid ones and, in negative mode,
ones that break it) and sends each to the running application as every role, by bearer token,
and without credentials. Checked for every answer:

- no server error (5xx);
- the status is one the operation documents, with the documented media type and body schema;
- a schema-valid request is never answered 422 ("does not match the schema"): where the API
  refuses valid-looking input it is a domain rule (400, with a Dutch detail) or a permission or
  lookup (401/403/404), never a constraint the schema could have stated.

Bounded: a few examples per operation, so the whole module stays well under a minute or two.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vangnet.accounts.models import ApiToken
from vangnet.testing import factories

OPENAPI = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"
ROLES = (
    "referrer",
    "coordinator",
    "screener",
    "table_member",
    "medical_adviser",
    "monitor_analyst",
    "privacy_officer",
    "administrator",
)

schema = schemathesis.openapi.from_dict(json.loads(OPENAPI.read_text(encoding="utf-8")))
schema.app = get_wsgi_application()
# Undeclared methods are Django's plain 405; the contract is about the declared operations.
schema.config.phases.coverage.unexpected_methods = set()


def schema_valid_is_not_422(ctx, response, case) -> None:  # type: ignore[no-untyped-def]
    """A request that matches the schema must not be refused as not matching it. (The monitor
    import's per-line file errors are 422 too, marked `import_rejected`: the file's content is
    not something the schema can state.)"""
    meta = case.meta
    if meta is None or meta.generation.mode.is_negative or response.status_code != 422:
        return
    if response.json().get("code") != "import_rejected":
        raise AssertionError(
            f"schema-valid request answered 422 on {case.method} {case.path}: {response.text[:300]}"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    schema_valid_is_not_422,
]


@pytest.fixture
def wsgi_db(db: None) -> Iterator[None]:
    """Requests run in the test's transaction: the handler must not close the connection,
    as Django's own test client arranges too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(world, wsgi_db) -> list[dict[str, str]]:
    factories.register_case(world.referrer)
    headers = [{}]  # no credentials at all
    for role in ROLES:
        _, raw = ApiToken.issue(user=getattr(world, role), name="contract")
        headers.append({"Authorization": f"Bearer {raw}"})
    return headers


_turn = itertools.count()


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_contract(case, credentials):
    # Each generated request goes out as the next identity in turn, so every role (and no
    # credentials at all) meets every operation while the number of requests stays bounded.
    headers = credentials[next(_turn) % len(credentials)]
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
