"""Subjects of jobs in DynamoDB, and the all-or-nothing write of a names-list import.

An import can be far larger than one DynamoDB transaction (100 items), so it is written as a
series of transactions, each holding whole units (a subject together with its code claim, or
an update), and undone if any of them fails:

1. a journal item (``IMPORT#<id>``) records that the import is being written;
2. each chunk is one ``TransactWriteItems``; claims use ``attribute_not_exists``, so a code
   someone else claimed meanwhile cancels the chunk with nothing of it written. A collision of
   a *generated* code is retried with a fresh code; an imported code fails the import;
3. on failure, exactly what this import wrote is undone: items it created are deleted with the
   condition ``import_id = <this import>`` (never someone else's), updated subjects get their
   previous state back unless someone changed them since;
4. the journal is deleted. A journal that outlives :data:`STALE_IMPORT` belongs to a crashed
   writer: the next import of the job deletes the subjects and claims it created first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import (
    DeleteError,
    DoesNotExist,
    PutError,
    TransactWriteError,
)
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.access_codes_repository import item_from_claim
from chalicelib.adapters.dynamo.conditions import condition_failed, failed_items
from chalicelib.adapters.dynamo.models import (
    AccessCodeItem,
    SharedCodeItem,
    SubjectImportItem,
    SubjectItem,
    TableItem,
)
from chalicelib.adapters.dynamo.pages import Page, decode_cursor, encode_cursor
from chalicelib.domain.subjects import ACTIVE, AccessCodeClaim, Subject, subject_sort_key
from chalicelib.errors import AccessCodeTaken, ConcurrentUpdate, NotFound

logger = logging.getLogger(__name__)

TRANSACTION_LIMIT = 100  # items per TransactWriteItems
GENERATED_CODE_ATTEMPTS = 3
# An import journal older than this belongs to a writer that crashed (the API times out at 29 s).
STALE_IMPORT = timedelta(minutes=10)
JOURNAL_LIFETIME = timedelta(days=7)


def subject_from_item(item: SubjectItem) -> Subject:
    return Subject(
        job_id=item.job_id,
        studio_id=item.studio_id,
        subject_id=item.subject_id,
        first_name=item.first_name,
        last_name=item.last_name,
        class_name=item.class_name,
        access_code=item.access_code,
        created_at=item.created_at,
        updated_at=item.updated_at,
        external_id=item.external_id,
        emails=_texts(item.emails),
        phones=_texts(item.phones),
        spare=bool(item.spare),
        import_id=item.import_id,
    )


def item_from_subject(subject: Subject) -> SubjectItem:
    return SubjectItem(
        pk=keys.job_pk(subject.job_id),
        sk=keys.subject_sk(subject.subject_id),
        gsi1pk=keys.job_subjects_pk(subject.job_id),
        gsi1sk=subject_sort_key(subject),
        job_id=subject.job_id,
        studio_id=subject.studio_id,
        subject_id=subject.subject_id,
        first_name=subject.first_name,
        last_name=subject.last_name,
        class_name=subject.class_name,
        external_id=subject.external_id,
        emails=list(subject.emails),
        phones=list(subject.phones),
        access_code=subject.access_code,
        tag=subject.tag,
        spare=subject.spare,
        import_id=subject.import_id,
        created_at=subject.created_at,
        updated_at=subject.updated_at,
    )


@dataclass(frozen=True)
class ImportPlan:
    """What one import writes. ``created`` subjects carry their codes; in a shared job they all
    carry the job's code, which ``new_shared_code`` claims when the job has none yet."""

    job_id: str
    studio_id: str
    import_id: str
    created: Sequence[Subject] = ()
    updated: Sequence[tuple[Subject, Subject]] = ()  # (before, after)
    new_shared_code: str | None = None
    shared: bool = False
    generated_codes: frozenset[str] = frozenset()  # may be replaced on a collision


@dataclass
class _Unit:
    """Items that must be written together; ``subject`` is None for the shared-code unit."""

    subject: Subject | None
    claim: AccessCodeClaim | None
    before: Subject | None = None  # set for updates
    shared_item: bool = False


class SubjectRepository:
    """A job's subjects. The caller has checked that the job belongs to the caller's studio."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    # reads ---------------------------------------------------------------------------------
    def get(self, job_id: str, subject_id: str) -> Subject:
        try:
            item = TableItem.get(
                keys.job_pk(job_id), keys.subject_sk(subject_id), consistent_read=True
            )
        except DoesNotExist as exc:
            raise NotFound(f"subject {subject_id} not found", subject_id=subject_id) from exc
        if not isinstance(item, SubjectItem):  # pragma: no cover - the key scheme prevents it
            raise NotFound(f"subject {subject_id} not found", subject_id=subject_id)
        return subject_from_item(item)

    def all_in_job(self, job_id: str) -> list[Subject]:
        """Every subject of a job (strongly consistent, any order)."""
        results = TableItem.query(
            keys.job_pk(job_id),
            TableItem.sk.startswith(keys.SUBJECT_PREFIX),
            consistent_read=True,
        )
        return [subject_from_item(i) for i in results if isinstance(i, SubjectItem)]

    def page(self, job_id: str, *, limit: int, cursor: str | None) -> Page[Subject]:
        """A job's subjects by class, then name (spares last in their class)."""
        partition = keys.job_subjects_pk(job_id)
        start = decode_cursor(cursor, partition_attr="gsi1pk", partition=partition)
        results = TableItem.gsi1.query(partition, limit=limit, last_evaluated_key=start)
        subjects = [subject_from_item(i) for i in results if isinstance(i, SubjectItem)]
        return Page(subjects, encode_cursor(results.last_evaluated_key))

    def count(self, job_id: str, *, class_name: str | None = None) -> int:
        condition = SubjectItem.class_name == class_name if class_name is not None else None
        return TableItem.count(
            keys.job_pk(job_id),
            TableItem.sk.startswith(keys.SUBJECT_PREFIX),
            filter_condition=condition,
            consistent_read=True,
        )

    def shared_code(self, job_id: str) -> str | None:
        try:
            item = TableItem.get(keys.job_pk(job_id), keys.SHARED_CODE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return item.code if isinstance(item, SharedCodeItem) else None

    # single writes -------------------------------------------------------------------------
    def update(self, before: Subject, after: Subject) -> Subject:
        """Replace a subject unless someone changed it since `before` was read."""
        try:
            item_from_subject(after).save(condition=SubjectItem.updated_at == before.updated_at)
        except PutError as exc:
            if condition_failed(exc):
                raise ConcurrentUpdate(
                    f"subject {before.subject_id} was changed by someone else; reload and retry"
                ) from exc
            raise
        return after

    # imports -------------------------------------------------------------------------------
    def write_import(
        self, plan: ImportPlan, now: datetime, new_code: Callable[[], str]
    ) -> list[Subject]:
        """Write an import all or nothing; returns the created subjects (with their final codes).

        Raises ``AccessCodeTaken`` naming the imported codes someone claimed meanwhile, or
        ``ConcurrentUpdate`` when a subject to update was changed meanwhile; nothing of the
        import is left behind either way.
        """
        self.undo_stale_imports(plan.job_id, now)
        journal = SubjectImportItem(
            pk=keys.job_pk(plan.job_id),
            sk=keys.import_sk(plan.import_id),
            import_id=plan.import_id,
            started_at=now,
            expires_at=now + JOURNAL_LIFETIME,
        )
        journal.save()
        shared, units = _units(plan, now)
        generated = set(plan.generated_codes)
        written: list[_Unit] = []
        try:
            if shared is not None:  # first and alone: a collision changes every subject's code
                self._write_chunk([shared], plan.import_id, generated, new_code)
                written.append(shared)
                assert shared.claim is not None
                for unit in units:
                    if unit.subject is not None and unit.before is None:
                        unit.subject = replace(unit.subject, access_code=shared.claim.code)
            for chunk in _chunks(units):
                self._write_chunk(chunk, plan.import_id, generated, new_code)
                written.extend(chunk)
        except Exception:
            self._undo(written, plan.import_id)
            journal.delete()
            raise
        journal.delete()
        return [u.subject for u in units if u.subject is not None and u.before is None]

    def undo_stale_imports(self, job_id: str, now: datetime) -> None:
        """Delete what imports that crashed half-way created (their journal is still there)."""
        journals = [
            item
            for item in TableItem.query(
                keys.job_pk(job_id),
                TableItem.sk.startswith(keys.IMPORT_PREFIX),
                consistent_read=True,
            )
            if isinstance(item, SubjectImportItem) and item.started_at < now - STALE_IMPORT
        ]
        for journal in journals:
            leftovers = [s for s in self.all_in_job(job_id) if s.import_id == journal.import_id]
            units = [_Unit(s, None) for s in leftovers]
            for subject in leftovers:
                units.append(_Unit(None, _claim_ref(subject.access_code, job_id)))
            self._undo(units, journal.import_id, shared_code_of=job_id)
            logger.warning("undid a crashed import of job %s: %d subjects", job_id, len(leftovers))
            journal.delete()

    def _write_chunk(
        self,
        chunk: list[_Unit],
        import_id: str,
        generated: set[str],
        new_code: Callable[[], str],
    ) -> None:
        for attempt in range(1, GENERATED_CODE_ATTEMPTS + 1):
            try:
                with TransactWrite(connection=self._connection or Connection()) as transaction:
                    for model, condition in _operations(chunk, import_id):
                        transaction.save(model, condition=condition)
                return
            except TransactWriteError as exc:
                failed = _failed_units(exc, chunk)
                if not failed:
                    raise
                if any(u.before is not None for u in failed):
                    raise ConcurrentUpdate(
                        "a subject of this names list was changed meanwhile; import again"
                    ) from exc
                codes = [u.claim.code for u in failed if u.claim is not None]
                if attempt == GENERATED_CODE_ATTEMPTS or not set(codes) <= generated:
                    imported = [code for code in codes if code not in generated]
                    raise AccessCodeTaken(
                        "access codes were claimed by another job meanwhile", codes=imported
                    ) from exc
                for unit in failed:  # a generated code collided: 54 bits, but it can happen
                    code = new_code()
                    generated.add(code)
                    _regenerate(unit, code)

    def _undo(
        self, units: Iterable[_Unit], import_id: str, shared_code_of: str | None = None
    ) -> None:
        for unit in reversed(list(units)):
            try:
                if unit.before is not None:
                    assert unit.subject is not None
                    item_from_subject(unit.before).save(
                        condition=SubjectItem.updated_at == unit.subject.updated_at
                    )
                    continue
                if unit.subject is not None:
                    _delete_if_ours(item_from_subject(unit.subject), import_id)
                if unit.claim is not None:
                    _delete_if_ours(item_from_claim(unit.claim), import_id)
                if unit.shared_item and unit.claim is not None:
                    _delete_if_ours(_shared_item(unit.claim, import_id), import_id)
            except (PutError, DeleteError) as exc:
                if not condition_failed(exc):
                    raise
        if shared_code_of is not None:
            self._undo_shared_code(shared_code_of, import_id)

    def _undo_shared_code(self, job_id: str, import_id: str) -> None:
        try:
            item = TableItem.get(keys.job_pk(job_id), keys.SHARED_CODE_SK, consistent_read=True)
        except DoesNotExist:
            return
        if not isinstance(item, SharedCodeItem) or item.import_id != import_id:
            return
        if any(s.access_code == item.code for s in self.all_in_job(job_id)):
            return  # a later import uses it: keep it
        claim = _claim_ref(item.code, job_id)
        for model in (item_from_claim(claim), item):
            try:
                _delete_if_ours(model, import_id)
            except DeleteError as exc:
                if not condition_failed(exc):
                    raise

    # deletion ------------------------------------------------------------------------------
    def codes_of_job(self, job_id: str) -> list[str]:
        """Every code the job's subjects hold, and its shared code."""
        codes = {s.access_code for s in self.all_in_job(job_id)}
        shared = self.shared_code(job_id)
        if shared:
            codes.add(shared)
        return sorted(codes)

    def delete_job_subjects(self, job_id: str) -> list[str]:
        """Delete a job's subjects, shared-code record and journals; returns every code they
        held (for retirement: claims are never deleted here)."""
        items = list(
            TableItem.query(
                keys.job_pk(job_id),
                TableItem.sk.startswith(keys.SUBJECT_PREFIX),
                consistent_read=True,
            )
        )
        for prefix in (keys.SHARED_CODE_SK, keys.IMPORT_PREFIX):
            items += list(
                TableItem.query(
                    keys.job_pk(job_id), TableItem.sk.startswith(prefix), consistent_read=True
                )
            )
        codes = [
            item.access_code if isinstance(item, SubjectItem) else item.code
            for item in items
            if isinstance(item, SubjectItem | SharedCodeItem)
        ]
        with TableItem.batch_write() as batch:
            for item in items:
                batch.delete(item)
        return sorted(set(codes))


def _units(plan: ImportPlan, now: datetime) -> tuple[_Unit | None, list[_Unit]]:
    shared = None
    if plan.new_shared_code is not None:
        shared_claim = _new_claim(plan, plan.new_shared_code, None, now)
        shared = _Unit(None, shared_claim, shared_item=True)
    units: list[_Unit] = []
    for subject in plan.created:
        claim = None if plan.shared else _new_claim(plan, subject.access_code, subject, now)
        units.append(_Unit(subject, claim))
    for before, after in plan.updated:
        units.append(_Unit(after, None, before=before))
    return shared, units


def _new_claim(
    plan: ImportPlan, code: str, subject: Subject | None, now: datetime
) -> AccessCodeClaim:
    return AccessCodeClaim(
        code=code,
        studio_id=plan.studio_id,
        job_id=plan.job_id,
        subject_id=subject.subject_id if subject else None,
        state=ACTIVE,
        claimed_at=now,
        import_id=plan.import_id,
    )


def _claim_ref(code: str, job_id: str) -> AccessCodeClaim:
    """Enough of a claim to address (and conditionally delete) it."""
    return AccessCodeClaim(code, "", job_id, None, ACTIVE, datetime.min)


def _shared_item(claim: AccessCodeClaim, import_id: str) -> SharedCodeItem:
    return SharedCodeItem(
        pk=keys.job_pk(claim.job_id),
        sk=keys.SHARED_CODE_SK,
        code=claim.code,
        import_id=import_id,
    )


def _chunks(units: list[_Unit]) -> Iterator[list[_Unit]]:
    chunk: list[_Unit] = []
    size = 0
    for unit in units:
        needed = _size(unit)
        if chunk and size + needed > TRANSACTION_LIMIT:
            yield chunk
            chunk, size = [], 0
        chunk.append(unit)
        size += needed
    if chunk:
        yield chunk


def _size(unit: _Unit) -> int:
    return (unit.subject is not None) + (unit.claim is not None) + unit.shared_item


def _operations(chunk: list[_Unit], import_id: str) -> Iterator[tuple[Model, Any]]:
    """Per unit, in a fixed order: claim, shared-code item, subject (``_size`` items). The
    order is how a cancellation reason is traced back to its unit."""
    new = TableItem.pk.does_not_exist()
    for unit in chunk:
        if unit.claim is not None:
            yield item_from_claim(unit.claim), new
        if unit.shared_item and unit.claim is not None:
            yield _shared_item(unit.claim, import_id), new
        if unit.subject is not None:
            item = item_from_subject(unit.subject)
            if unit.before is None:
                yield item, new
            else:
                yield item, SubjectItem.updated_at == unit.before.updated_at


def _failed_units(exc: TransactWriteError, chunk: list[_Unit]) -> list[_Unit]:
    owners: list[_Unit] = []
    for unit in chunk:
        owners += [unit] * _size(unit)
    failed: list[_Unit] = []
    for index in failed_items(exc):
        unit = owners[index]
        if unit not in failed:
            failed.append(unit)
    return failed


def _regenerate(unit: _Unit, code: str) -> None:
    assert unit.claim is not None
    unit.claim = replace(unit.claim, code=code)
    if unit.subject is not None:
        unit.subject = replace(unit.subject, access_code=code)


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


def _delete_if_ours(model: Model, import_id: str) -> None:
    model.delete(condition=_import_attribute(model) == import_id)


def _import_attribute(model: Model) -> Any:
    if isinstance(model, AccessCodeItem):
        return AccessCodeItem.import_id
    if isinstance(model, SharedCodeItem):
        return SharedCodeItem.import_id
    return SubjectItem.import_id
