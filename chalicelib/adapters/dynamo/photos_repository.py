"""Photo records: created when an upload is requested, claimed and completed by processing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import condition_failed
from chalicelib.adapters.dynamo.models import CodeMap, PhotoItem, TableItem
from chalicelib.adapters.dynamo.pages import Page, decode_cursor, encode_cursor
from chalicelib.domain.photos import Code, Photo, capture_sort_key
from chalicelib.errors import NotFound

# A claim older than this belongs to a crashed invocation and may be taken over.
STALE_CLAIM = timedelta(minutes=15)
PARALLEL_UPDATES = 8  # single-item updates in flight at once


def _box(values: Any) -> tuple[int, int, int, int]:
    x, y, width, height = (int(n) for n in values)
    return x, y, width, height


def photo_from_item(item: PhotoItem) -> Photo:
    return Photo(
        job_id=item.job_id,
        studio_id=item.studio_id,
        photo_id=item.photo_id,
        album=item.album,
        original_name=item.original_name,
        original_key=item.original_key,
        size=int(item.size),
        content_type=item.content_type,
        created_at=item.created_at,
        state=item.state,
        reason=item.reason,
        etag=item.etag,
        capture_time=item.capture_time,
        camera_make=item.camera_make,
        camera_model=item.camera_model,
        camera_serial=item.camera_serial,
        width=int(item.width) if item.width is not None else None,
        height=int(item.height) if item.height is not None else None,
        codes=tuple(Code(c.value, c.symbology, c.ours, _box(c.box)) for c in item.codes),
        undecodable_candidates=int(item.undecodable_candidates or 0),
        preview_key=item.preview_key,
        thumbnail_key=item.thumbnail_key,
        processed_at=item.processed_at,
        hidden=bool(item.hidden),
    )


def item_from_photo(photo: Photo) -> PhotoItem:
    order = capture_sort_key(photo)
    return PhotoItem(
        pk=keys.job_pk(photo.job_id),
        sk=keys.photo_sk(photo.photo_id),
        gsi1pk=keys.album_photos_pk(photo.job_id, photo.album),
        gsi1sk=order,
        gsi2pk=keys.job_photos_pk(photo.job_id),
        gsi2sk=order,
        job_id=photo.job_id,
        studio_id=photo.studio_id,
        photo_id=photo.photo_id,
        album=photo.album,
        original_name=photo.original_name,
        original_key=photo.original_key,
        size=photo.size,
        content_type=photo.content_type,
        state=photo.state,
        reason=photo.reason,
        etag=photo.etag,
        capture_time=photo.capture_time,
        camera_make=photo.camera_make,
        camera_model=photo.camera_model,
        camera_serial=photo.camera_serial,
        width=photo.width,
        height=photo.height,
        codes=[
            CodeMap(value=c.value, symbology=c.symbology, ours=c.ours, box=list(c.box))
            for c in photo.codes
        ],
        undecodable_candidates=photo.undecodable_candidates,
        preview_key=photo.preview_key,
        thumbnail_key=photo.thumbnail_key,
        created_at=photo.created_at,
        processed_at=photo.processed_at,
        hidden=photo.hidden or None,
    )


class PhotoRepository:
    def add_uploads(self, photos: list[Photo]) -> None:
        """Record requested uploads (state ``uploading``) in batches of 25."""
        with PhotoItem.batch_write() as batch:
            for photo in photos:
                batch.save(item_from_photo(photo))

    def get(self, job_id: str, photo_id: str) -> Photo:
        try:
            return photo_from_item(PhotoItem.get(keys.job_pk(job_id), keys.photo_sk(photo_id)))
        except DoesNotExist as exc:
            raise NotFound(f"photo {photo_id} not found") from exc

    def claim(self, photo: Photo, etag: str, now: datetime) -> bool:
        """Take the photo for processing: only one invocation ever processes one upload.

        Succeeds when the record is new, still ``uploading``, or held by a stale claim;
        a duplicate or redelivered message for a claimed or finished upload gets False.
        """
        item = item_from_photo(photo)
        item.state = "processing"
        item.etag = etag
        item.claimed_at = now
        fresh = TableItem.pk.does_not_exist()
        waiting = PhotoItem.state == "uploading"
        stale = (PhotoItem.state == "processing") & (PhotoItem.claimed_at < now - STALE_CLAIM)
        try:
            item.save(condition=fresh | waiting | stale)
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def finish(self, photo: Photo) -> None:
        """Store the outcome of processing (``ready`` or ``failed``) of a claimed photo."""
        item = item_from_photo(photo)
        try:
            item.save(condition=PhotoItem.state == "processing")
        except PutError as exc:
            if condition_failed(exc):
                return  # another invocation took over a stale claim and finished first
            raise

    def fail_upload(self, job_id: str, photo_id: str, reason: str) -> bool:
        """Mark a photo whose upload was given up as failed; False if it was not uploading."""
        try:
            PhotoItem(keys.job_pk(job_id), keys.photo_sk(photo_id)).update(
                actions=[PhotoItem.state.set("failed"), PhotoItem.reason.set(reason)],
                condition=PhotoItem.state == "uploading",
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def release(self, photo: Photo) -> None:
        """Give a claim back after an unexpected error so that a retry can take it."""
        try:
            PhotoItem(keys.job_pk(photo.job_id), keys.photo_sk(photo.photo_id)).update(
                actions=[PhotoItem.state.set("uploading")],
                condition=PhotoItem.state == "processing",
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def in_capture_order(
        self, job_id: str, *, album: str | None, limit: int, cursor: str | None
    ) -> Page[Photo]:
        """A job's photos (or one album's) in capture order."""
        index: GlobalSecondaryIndex[TableItem]
        if album is None:
            index, attr, partition = TableItem.gsi2, "gsi2pk", keys.job_photos_pk(job_id)
        else:
            index, attr = TableItem.gsi1, "gsi1pk"
            partition = keys.album_photos_pk(job_id, album)
        start = decode_cursor(cursor, partition_attr=attr, partition=partition)
        results = index.query(partition, limit=limit, last_evaluated_key=start)
        photos = [photo_from_item(i) for i in results if isinstance(i, PhotoItem)]
        return Page(photos, encode_cursor(results.last_evaluated_key))

    def chunks_in_job(self, job_id: str, size: int = 1000) -> Iterator[list[Photo]]:
        """Every photo of a job, `size` at a time, in no particular order, strongly consistent
        (reads follow DynamoDB's 1 MB pages; the chunks only pace the caller's progress)."""
        chunk: list[Photo] = []
        results = TableItem.query(
            keys.job_pk(job_id),
            TableItem.sk.startswith(keys.PHOTO_PREFIX),
            consistent_read=True,
        )
        for item in results:
            if isinstance(item, PhotoItem):
                chunk.append(photo_from_item(item))
                if len(chunk) == size:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def get_many(self, job_id: str, photo_ids: Iterable[str]) -> dict[str, Photo]:
        """The photos of `job_id` among `photo_ids` (missing ones are left out), by id."""
        wanted = {(keys.job_pk(job_id), keys.photo_sk(p)) for p in photo_ids}
        return {item.photo_id: photo_from_item(item) for item in PhotoItem.batch_get(wanted)}

    def album_exists(self, job_id: str, album: str) -> bool:
        results = TableItem.gsi1.query(keys.album_photos_pk(job_id, album), limit=1)
        return any(isinstance(item, PhotoItem) for item in results)

    def set_hidden(self, job_id: str, changes: Mapping[str, bool]) -> None:
        """Hide (True) or show (False) photos: one conditional update each, a few in parallel;
        photos deleted meanwhile are skipped (an update must never re-create one)."""

        def apply(change: tuple[str, bool]) -> None:
            self._set_hidden_one(job_id, *change)

        with ThreadPoolExecutor(max_workers=PARALLEL_UPDATES) as pool:
            list(pool.map(apply, changes.items()))  # re-raises the first error

    @staticmethod
    def _set_hidden_one(job_id: str, photo_id: str, hidden: bool) -> None:
        try:
            PhotoItem(keys.job_pk(job_id), keys.photo_sk(photo_id)).update(
                actions=[_hidden_action(hidden)], condition=TableItem.pk.exists()
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def all_in_job(self, job_id: str) -> list[Photo]:
        results = TableItem.query(keys.job_pk(job_id), TableItem.sk.startswith(keys.PHOTO_PREFIX))
        return [photo_from_item(i) for i in results if isinstance(i, PhotoItem)]

    def delete(self, photos: list[Photo]) -> None:
        with PhotoItem.batch_write() as batch:
            for photo in photos:
                batch.delete(PhotoItem(keys.job_pk(photo.job_id), keys.photo_sk(photo.photo_id)))


def _hidden_action(hidden: bool) -> Any:
    return PhotoItem.hidden.set(True) if hidden else PhotoItem.hidden.remove()
