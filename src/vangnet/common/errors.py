"""One error type for domain rule violations.

Services raise `DomainError` with a message a coordinator understands (Dutch, no personal data).
Views show it as a form error or message; the API maps it to application/problem+json.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was violated. `field` names the input it concerns, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class DomainErrors(DomainError):
    """Several rule violations of one input, reported together (a form shows them all at once
    instead of one per submit). The message joins them; `errors` keeps each with its field."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(" ".join(e.message for e in errors), field=errors[0].field)
        self.errors = errors


def raise_all(errors: list[DomainError]) -> None:
    """Raise nothing, the one error, or all of them as one DomainErrors."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)


class NotAllowed(DomainError):
    """The acting user may not do this (maps to 403)."""

    status_code = 403

    def __init__(self, message: str = "U heeft geen toegang tot deze gegevens.") -> None:
        super().__init__(message, code="forbidden")


class InvalidTransition(DomainError):
    """A workflow transition that is not allowed from the current state (maps to 409)."""

    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_transition")


class NotFound(DomainError):
    """The object does not exist (maps to 404)."""

    status_code = 404

    def __init__(self, message: str = "Niet gevonden.") -> None:
        super().__init__(message, code="not_found")


class TooLarge(DomainError):
    """The request or an uploaded file exceeds a stated maximum (maps to 413)."""

    status_code = 413

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="too_large")
