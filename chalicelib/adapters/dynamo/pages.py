"""Opaque pagination cursors over DynamoDB's LastEvaluatedKey, bound to one partition."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib.adapters.dynamo.models import TableItem
from chalicelib.errors import InvalidCursor

T = TypeVar("T")
U = TypeVar("U")
M = TypeVar("M", bound=TableItem)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.cursor)


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attr: str, partition: str) -> dict | None:
    """The start key a cursor stands for; it must belong to the partition being queried, so a
    cursor can never be used to read another studio's items."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("the cursor is not valid") from exc
    if not isinstance(key, dict) or key.get(partition_attr) != {"S": partition}:
        raise InvalidCursor("the cursor is not valid for this listing")
    return key


def query_page(
    partition: str, sk_prefix: str, kind: type[M], *, limit: int, cursor: str | None
) -> Page[M]:
    """One page of the items of type `kind` in `partition` whose sort key starts with
    `sk_prefix`, in sort-key order; the cursor is bound to the partition."""
    start = decode_cursor(cursor, partition_attr="pk", partition=partition)
    results = TableItem.query(
        partition, TableItem.sk.startswith(sk_prefix), limit=limit, last_evaluated_key=start
    )
    items = [item for item in results if isinstance(item, kind)]
    return Page(items, encode_cursor(results.last_evaluated_key))
