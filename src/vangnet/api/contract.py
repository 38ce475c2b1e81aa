"""The API contract states every answer an operation can give (issue 10 §7).

Errors never reach a view's declared response: they come from the error handlers
(`vangnet.api.errors`) and from the hostile-input guard (`vangnet.common.middleware`), always as
application/problem+json. This module adds those answers to every operation of the generated
OpenAPI document, so a generated client knows each status and its body:

- 400: input that breaks a domain rule (a BSN failing the 11-proef, an unknown municipality, a
  date in the future, a NUL character), or a body that is not JSON; the detail says which.
- 401 and 403: operations that need a login: no (valid) credentials, or no permission (or, with a
  session, a failed CSRF check).
- 404: an unknown case, region, provider or reference in the path or the input.
- 409: a write that the object's current state does not allow (a workflow transition).
- 413: a body over the size limit (2.5 MB JSON, 50 MB waiting list, 5 MB monitor file).
- 422: input that does not match this schema; `errors` lists each field. The monitor import
  also answers 422 (code `import_rejected`) for a file with bad lines, `errors` listing each line.
"""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Een fout volgens RFC 9457, met een toelichting in het Nederlands.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Ongeldige invoer"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Soort fout, bijvoorbeeld invalid of forbidden"},
        "field": {"type": "string", "description": "Het veld waar de fout over gaat"},
        "errors": {
            "type": "array",
            "description": "Elke fout afzonderlijk: per veld, of per regel van een bestand",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "line": {"type": "integer"},
                    "column": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}

# An operation whose OpenAPI entry carries this extension may answer 429 (openapi_extra).
RATE_LIMITED = "x-vangnet-rate-limited"

DESCRIPTIONS = {
    400: "Ongeldige invoer volgens een regel van Vangnet (de toelichting zegt welke)",
    401: "Niet ingelogd, of het API-token is ongeldig, verlopen of ingetrokken",
    403: "Geen toegang tot deze gegevens of handeling",
    404: "Niet gevonden",
    409: "Niet toegestaan in de huidige status",
    413: "Het verzoek of het bestand is te groot",
    429: "Te vaak gebruikt vanaf dit adres; probeer het later opnieuw",
    422: "De invoer past niet bij het schema (errors noemt elk veld); bij de monitorimport ook "
    "een bestand met foute regels (code import_rejected, errors noemt elke regel)",
}


def _statuses(method: str, operation: dict[str, Any]) -> list[int]:
    # Integer keys, as django-ninja writes its own responses (JSON turns them into strings).
    statuses = [400, 404]
    if operation.get("security"):
        statuses += [401, 403]
    if method == "post":
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    if operation.get(RATE_LIMITED):  # public operations limited per client address
        statuses.append(429)
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append(422)
    return sorted(statuses)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem+json answers to every operation of `schema` (in place, and returned)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                responses.setdefault(
                    status, {"description": DESCRIPTIONS[status], "content": problem}
                )
    return schema
