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


class PaymentInProgress(Conflict):
    """The order's current checkout was paid (or its payment is under way) at the provider,
    whose webhook has not reached us yet: no other payment may be started for it."""

    code = "payment_in_progress"


class Unauthorized(DomainError):
    """No credentials, or credentials that do not verify."""

    code = "unauthorized"


class InvalidCursor(DomainError):
    code = "invalid_cursor"


class AccessCodeTaken(Conflict):
    """Codes someone else claimed (or that were retired) while we tried to claim them.
    ``codes`` holds the canonical keys; they are the caller's own codes, never another's."""

    code = "access_code_taken"


class PayloadTooLarge(DomainError):
    """The request is too big to handle in one go (a file, a document); the message says the
    limit and how to split the work."""

    code = "payload_too_large"


class Unprocessable(DomainError):
    """Well-formed input whose content cannot be used, e.g. a names list with bad rows."""

    code = "unprocessable"


class RosterRejected(Unprocessable):
    """A names list with errors: nothing was stored. Details: ``errors`` [{line, column,
    message}], ``warnings``, and the counts of the report."""

    code = "roster_rejected"


class PriceProfileInUse(Conflict):
    """A price profile that jobs still use cannot be deleted; ``jobs`` names them."""

    code = "price_profile_in_use"


class RegistrationOff(Conflict):
    """The job does not collect registrations (its setting is ``off``)."""

    code = "registration_off"


class NoPriceProfile(Conflict):
    """The job has no (longer a) price profile, so nothing can be priced."""

    code = "no_price_profile"


class VoucherCodeTaken(Conflict):
    """Voucher codes are unique within a studio, across the studio and job scopes."""

    code = "voucher_code_taken"


class VoucherRefused(Unprocessable):
    """A voucher that cannot be used for this order. ``reason``: ``unknown``, ``wrong_job``,
    ``currency_mismatch``, ``expired``, ``already_used``, ``below_minimum`` (details name the
    limit that was missed)."""

    code = "voucher_refused"

    def __init__(self, reason: str, message: str, **details: object) -> None:
        super().__init__(message, reason=reason, **details)
        self.reason = reason


class InvalidSignature(DomainError):
    """A provider's webhook whose signature is missing, wrong or too old: nothing is done."""

    code = "invalid_signature"


class BadRequest(DomainError):
    """A request that cannot be acted on as sent (not a field-by-field validation problem)."""

    code = "bad_request"


class Forbidden(DomainError):
    """The caller is known but may not see this (yet); ``code`` says why."""

    code = "forbidden"


class TooManyAttempts(DomainError):
    """Too many failed attempts from this client or for this job; ``retry_after`` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    """A service we depend on (e.g. the payment provider) did not answer; try again later."""

    code = "service_unavailable"


class PaymentUnavailable(ServiceUnavailable):
    code = "payment_unavailable"


class PaymentsNotConfigured(ServiceUnavailable):
    """The payment provider's keys are missing or unusable (e.g. no webhook signing secret):
    an operator has to fix the configuration; nothing was done."""

    code = "payments_not_configured"
