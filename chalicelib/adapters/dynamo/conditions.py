"""Failed conditions, read out of PynamoDB's exceptions in one place.

DynamoDB reports a failed condition in two ways: a single write fails with the error code
``ConditionalCheckFailedException``; a cancelled transaction lists one reason per item, and an
item whose condition failed has the reason ``ConditionalCheckFailed``.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model

from chalicelib.errors import ConcurrentUpdate

_WRITE_CONDITION_FAILED = "ConditionalCheckFailedException"
_ITEM_CONDITION_FAILED = "ConditionalCheckFailed"


def condition_failed(exc: PynamoDBException) -> bool:
    """True when a single conditional write (put, update, delete) failed its condition."""
    return exc.cause_response_code == _WRITE_CONDITION_FAILED


def failed_items(exc: TransactWriteError) -> list[int]:
    """The positions (in write order) of the transaction's items whose condition failed;
    empty when the transaction was cancelled for another reason."""
    return [
        index
        for index, reason in enumerate(exc.cancellation_reasons)
        if reason is not None and reason.code == _ITEM_CONDITION_FAILED
    ]


def save_versioned(item: Model, name: str) -> None:
    """Save an item with a ``VersionAttribute`` (create at version 0, or replace the version
    read); ``ConcurrentUpdate`` when someone else changed or deleted it since. `name` names it
    in the message, e.g. ``"price profile p-1"``."""
    try:
        item.save()
    except PutError as exc:
        if not condition_failed(exc):
            raise
        raise ConcurrentUpdate(
            f"{name} was changed or deleted by someone else; reload and try again"
        ) from exc


def delete_versioned(item: Model, name: str) -> None:
    """Delete an item with a ``VersionAttribute`` unless someone else changed it since it was
    read (``ConcurrentUpdate``)."""
    try:
        item.delete()
    except DeleteError as exc:
        if not condition_failed(exc):
            raise
        raise ConcurrentUpdate(f"{name} was changed by someone else; reload") from exc
