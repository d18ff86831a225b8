"""Jobs in DynamoDB: the only code that reads or writes job items and internal-name claims."""

from __future__ import annotations

from datetime import date

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import failed_items
from chalicelib.adapters.dynamo.models import (
    ContracteeItem,
    InternalNameClaimItem,
    JobItem,
    StatusChangeMap,
    TableItem,
    WatermarkMap,
)
from chalicelib.adapters.dynamo.pages import Page, decode_cursor, encode_cursor
from chalicelib.domain.contractees import Contractee
from chalicelib.domain.jobs import Job, StatusChange, Watermark
from chalicelib.errors import ConcurrentUpdate, InternalNameTaken, NotFound


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def job_from_item(item: JobItem) -> Job:
    mark = item.watermark
    return Job(
        job_id=item.job_id,
        studio_id=item.studio_id,
        name=item.name,
        shooting_date=date.fromisoformat(item.shooting_date),
        job_type=item.job_type,
        internal_name=item.internal_name,
        created_at=item.created_at,
        updated_at=item.updated_at,
        timezone=item.timezone,
        people_expected=int(item.people_expected),
        contractee_id=item.contractee_id,
        access_type=item.access_type,
        registration=item.registration,
        price_profile_id=item.price_profile_id,
        communication_profile_id=item.communication_profile_id,
        watermark=Watermark(mark.text, mark.image_key, float(mark.opacity)) if mark else None,
        archive_date=_date(item.archive_date),
        voucher_deadline=_date(item.voucher_deadline),
        prepay=item.prepay,
        prepay_deadline=_date(item.prepay_deadline),
        recreates=item.recreates,
        status=item.status,
        status_history=tuple(
            StatusChange(c.from_status, c.to_status, c.changed_by, c.changed_at, c.forced)
            for c in item.status_history
        ),
        version=int(item.version or 0),
    )


def item_from_job(job: Job) -> JobItem:
    sort_key = keys.jobs_sort_key(job.shooting_date, job.job_id)
    mark = job.watermark
    item = JobItem(
        pk=keys.job_pk(job.job_id),
        sk=keys.JOB_SK,
        gsi1pk=keys.jobs_by_date_pk(job.studio_id),
        gsi1sk=sort_key,
        gsi2pk=keys.jobs_by_status_pk(job.studio_id, job.status),
        gsi2sk=sort_key,
        gsi3pk=keys.jobs_by_type_pk(job.studio_id, job.job_type),
        gsi3sk=keys.created_sort_key(job.created_at, job.job_id),
        job_id=job.job_id,
        studio_id=job.studio_id,
        name=job.name,
        shooting_date=job.shooting_date.isoformat(),
        job_type=job.job_type,
        internal_name=job.internal_name,
        timezone=job.timezone,
        people_expected=job.people_expected,
        contractee_id=job.contractee_id,
        access_type=job.access_type,
        registration=job.registration,
        price_profile_id=job.price_profile_id,
        communication_profile_id=job.communication_profile_id,
        watermark=WatermarkMap(text=mark.text, image_key=mark.image_key, opacity=mark.opacity)
        if mark
        else None,
        archive_date=_iso(job.archive_date),
        voucher_deadline=_iso(job.voucher_deadline),
        prepay=job.prepay,
        prepay_deadline=_iso(job.prepay_deadline),
        recreates=job.recreates,
        status=job.status,
        status_history=[
            StatusChangeMap(
                from_status=c.from_status,
                to_status=c.to_status,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
                forced=c.forced,
            )
            for c in job.status_history
        ],
        created_at=job.created_at,
        updated_at=job.updated_at,
    )
    if job.version:
        item.version = job.version
    return item


def _name_claim(job: Job) -> InternalNameClaimItem:
    return InternalNameClaimItem(
        pk=keys.studio_pk(job.studio_id),
        sk=keys.internal_name_sk(job.internal_name),
        job_id=job.job_id,
    )


def contractee_item(contractee: Contractee) -> ContracteeItem:
    return ContracteeItem(
        pk=keys.studio_pk(contractee.studio_id),
        sk=keys.contractee_sk(contractee.contractee_id),
        **{k: v for k, v in contractee.__dict__.items()},
    )


class JobRepository:
    """Jobs of studios. Reads check the owner, so another studio's job is simply not found."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def _transaction(self) -> TransactWrite:
        return TransactWrite(connection=self._connection or Connection())

    def get(self, studio_id: str, job_id: str) -> Job:
        try:
            item = JobItem.get(keys.job_pk(job_id), keys.JOB_SK, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"job {job_id} not found", job_id=job_id) from exc
        if item.studio_id != studio_id:
            raise NotFound(f"job {job_id} not found", job_id=job_id)
        return job_from_item(item)

    def create(self, job: Job, new_contractee: Contractee | None = None) -> Job:
        """Store a new job, claiming its internal name (and creating its contractee) atomically."""
        item = item_from_job(job)
        try:
            with self._transaction() as transaction:
                transaction.save(item, condition=TableItem.pk.does_not_exist())
                transaction.save(_name_claim(job), condition=TableItem.pk.does_not_exist())
                if new_contractee is not None:
                    transaction.save(
                        contractee_item(new_contractee), condition=TableItem.pk.does_not_exist()
                    )
        except TransactWriteError as exc:
            self._raise_for(exc, job, name_index=1)
        return job_from_item(item)

    def update(self, before: Job, after: Job) -> Job:
        """Replace a job if nobody changed it meanwhile; moves the name claim if it changed."""
        item = item_from_job(after)
        renamed = before.internal_name.casefold() != after.internal_name.casefold()
        try:
            with self._transaction() as transaction:
                transaction.save(item)
                if renamed:
                    transaction.save(_name_claim(after), condition=TableItem.pk.does_not_exist())
                    transaction.delete(_name_claim(before))
        except TransactWriteError as exc:
            self._raise_for(exc, after, name_index=1 if renamed else None)
        return job_from_item(item)

    def delete(self, job: Job) -> None:
        item = item_from_job(job)
        try:
            with self._transaction() as transaction:
                transaction.delete(item)
                transaction.delete(_name_claim(job))
        except TransactWriteError as exc:
            self._raise_for(exc, job, name_index=None)

    def list(
        self,
        studio_id: str,
        *,
        status: str | None = None,
        limit: int = 25,
        cursor: str | None = None,
    ) -> Page[Job]:
        """A studio's jobs, newest shooting date first, optionally of one status."""
        index: GlobalSecondaryIndex[TableItem]
        if status is None:
            index, attr, partition = TableItem.gsi1, "gsi1pk", keys.jobs_by_date_pk(studio_id)
        else:
            index, attr = TableItem.gsi2, "gsi2pk"
            partition = keys.jobs_by_status_pk(studio_id, status)
        start = decode_cursor(cursor, partition_attr=attr, partition=partition)
        results = index.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        jobs = [job_from_item(item) for item in results if isinstance(item, JobItem)]
        return Page(jobs, encode_cursor(results.last_evaluated_key))

    def using_price_profile(self, studio_id: str, profile_id: str) -> tuple[Job, ...]:
        """The studio's jobs that use a price profile: a filtered Query of the studio's jobs
        (at most a few thousand), run only when a profile is about to be deleted."""
        results = TableItem.gsi1.query(
            keys.jobs_by_date_pk(studio_id),
            filter_condition=JobItem.price_profile_id == profile_id,
        )
        return tuple(job_from_item(item) for item in results if isinstance(item, JobItem))

    def using_communication_profile(self, studio_id: str, profile_id: str) -> tuple[Job, ...]:
        """Like :meth:`using_price_profile`, for a communication profile about to be deleted."""
        results = TableItem.gsi1.query(
            keys.jobs_by_date_pk(studio_id),
            filter_condition=JobItem.communication_profile_id == profile_id,
        )
        return tuple(job_from_item(item) for item in results if isinstance(item, JobItem))

    def latest_of_type(self, studio_id: str, job_type: str) -> Job | None:
        results = TableItem.gsi3.query(
            keys.jobs_by_type_pk(studio_id, job_type), scan_index_forward=False, limit=1
        )
        for item in results:
            if isinstance(item, JobItem):
                return job_from_item(item)
        return None

    @staticmethod
    def _raise_for(exc: TransactWriteError, job: Job, *, name_index: int | None) -> None:
        failed = failed_items(exc)
        if name_index is not None and name_index in failed:
            raise InternalNameTaken(
                f"the internal job name {job.internal_name!r} is already used by another job",
                field="internal_name",
            ) from exc
        if failed:
            raise ConcurrentUpdate(
                f"job {job.job_id} was changed by someone else; reload and try again"
            ) from exc
        raise exc
