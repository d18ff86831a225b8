"""Domain exceptions. Adapters raise them; the HTTP edge maps them to status codes once."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client can cause. ``code`` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    """Input is missing or malformed. ``errors`` names each field and why."""

    code = "validation_failed"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        fields = ", ".join(e["field"] for e in errors)
        super().__init__(f"invalid input: {fields}", errors=errors)
        self.errors = errors


class NotFound(DomainError):
    """Unknown id, or an id of another studio: the two look the same to the caller."""

    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InternalNameTaken(Conflict):
    code = "internal_name_taken"


class InvalidTransition(Conflict):
    code = "invalid_status_transition"


class GoLiveChecklistIncomplete(Conflict):
    code = "go_live_checklist_incomplete"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class Unauthorized(DomainError):
    """No credentials, or credentials that do not verify."""

    code = "unauthorized"


class InvalidCursor(DomainError):
    code = "invalid_cursor"
