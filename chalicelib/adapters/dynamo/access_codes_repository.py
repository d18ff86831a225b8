"""Access-code claims in DynamoDB: one item per code (pk=CODE#<code>), globally unique.

Claims are written with ``attribute_not_exists`` (by :mod:`.subjects_repository`, in the same
transaction as the subject), looked up with one ``GetItem`` (the shop's login), and retired
when their job is deleted. A retired claim stays forever, so its code can never be claimed again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import condition_failed, failed_items
from chalicelib.adapters.dynamo.models import AccessCodeItem, TableItem
from chalicelib.domain.subjects import RETIRED, AccessCodeClaim

logger = logging.getLogger(__name__)

_TRANSACTION_LIMIT = 100


def claim_from_item(item: AccessCodeItem) -> AccessCodeClaim:
    return AccessCodeClaim(
        code=item.code,
        studio_id=item.studio_id,
        job_id=item.job_id,
        subject_id=item.subject_id,
        state=item.state,
        claimed_at=item.claimed_at,
        retired_at=item.retired_at,
        import_id=item.import_id,
    )


def item_from_claim(claim: AccessCodeClaim) -> AccessCodeItem:
    return AccessCodeItem(
        pk=keys.code_pk(claim.code),
        sk=keys.CODE_SK,
        code=claim.code,
        studio_id=claim.studio_id,
        job_id=claim.job_id,
        subject_id=claim.subject_id,
        state=claim.state,
        claimed_at=claim.claimed_at,
        retired_at=claim.retired_at,
        import_id=claim.import_id,
    )


class AccessCodeRepository:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def find(self, code: str) -> AccessCodeClaim | None:
        """The claim of a canonical code, or None: the shop's login lookup, one ``GetItem``."""
        try:
            item = TableItem.get(keys.code_pk(code), keys.CODE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return claim_from_item(item) if isinstance(item, AccessCodeItem) else None

    def find_many(self, codes: Iterable[str]) -> dict[str, AccessCodeClaim]:
        """The claims of those `codes` that are claimed (``BatchGetItem``; PynamoDB sends 100
        keys a call)."""
        wanted = {(keys.code_pk(code), keys.CODE_SK) for code in codes}
        return {
            item.code: claim_from_item(item)
            for item in TableItem.batch_get(wanted, consistent_read=True)
            if isinstance(item, AccessCodeItem)
        }

    def retire(self, job_id: str, codes: Iterable[str], now: datetime) -> int:
        """Retire the codes of a job for good; a code that is not the job's stays untouched.
        Idempotent: retiring again changes nothing but the time. Returns how many were retired.
        100 codes a transaction; a chunk with a code that is not the job's goes one by one."""
        wanted = sorted(set(codes))
        retired = 0
        for start in range(0, len(wanted), _TRANSACTION_LIMIT):
            chunk = wanted[start : start + _TRANSACTION_LIMIT]
            try:
                with TransactWrite(connection=self._connection or Connection()) as transaction:
                    for code in chunk:
                        transaction.update(
                            _claim_key(code),
                            actions=_retirement(now),
                            condition=AccessCodeItem.job_id == job_id,
                        )
                retired += len(chunk)
            except TransactWriteError as exc:
                if not failed_items(exc):
                    raise
                retired += sum(self._retire_one(job_id, code, now) for code in chunk)
        return retired

    def _retire_one(self, job_id: str, code: str, now: datetime) -> bool:
        try:
            _claim_key(code).update(
                actions=_retirement(now), condition=AccessCodeItem.job_id == job_id
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            # Codes are secrets: the log names the job only.
            logger.warning("a code listed for job %s is not its claim; left as it is", job_id)
            return False
        return True


def _claim_key(code: str) -> AccessCodeItem:
    return AccessCodeItem(keys.code_pk(code), keys.CODE_SK)


def _retirement(now: datetime) -> list[Any]:
    return [AccessCodeItem.state.set(RETIRED), AccessCodeItem.retired_at.set(now)]
