"""The results of gallery build runs in DynamoDB: each run's galleries, group photos and flags in
a partition of their own (``keys.build_results_pk``), written with batch writes and deleted
with one query of keys and batch deletes. Which run is shown is the build record's business
(``gallery_builds_repository``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.models import (
    GalleryItem,
    GroupPhotosItem,
    ReviewFlagItem,
    TableItem,
)
from chalicelib.domain.gallery_model import FlagKind, ReviewFlag
from chalicelib.domain.gallery_results import GalleryEntry, StoredFlag

Progress = Callable[[int], None]  # called with how many subjects' galleries are written so far
PROGRESS_EVERY = 500  # galleries written between two progress reports


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


def _stored(values: tuple[str, ...]) -> Any:
    """A tuple of strings as a ``ListAttribute(of=UnicodeAttribute)`` value."""
    return list(values)


def _entry(item: GalleryItem) -> GalleryEntry:
    return GalleryEntry(
        subject_id=item.subject_id,
        name=item.name,
        class_name=item.class_name,
        photo_ids=_texts(item.photo_ids),
        own_photos=int(item.own_photos),
        position=int(item.position),
    )


def _flag(item: ReviewFlagItem) -> StoredFlag:
    flag = ReviewFlag(
        kind=FlagKind(item.flag_kind),
        album=item.album,
        photo_ids=_texts(item.photo_ids),
        message=item.message,
        held_photo_ids=_texts(item.held_photo_ids),
        subject_ids=_texts(item.subject_ids),
    )
    return StoredFlag(int(item.ordinal), flag, int(item.held_count or 0))


class GalleryResultRepository:
    """The galleries, group photos and flags of build runs (see ``keys``)."""

    def write(
        self,
        job_id: str,
        run_id: str,
        galleries: Sequence[GalleryEntry],
        groups: Mapping[str, tuple[str, ...]],
        flags: Sequence[StoredFlag],
        progress: Progress,
    ) -> None:
        """Store one run's results with batch writes (25 items a request)."""
        pk = keys.build_results_pk(job_id, run_id)
        with TableItem.batch_write() as batch:
            for written, entry in enumerate(galleries, start=1):
                batch.save(
                    GalleryItem(
                        pk,
                        keys.gallery_sk(entry.subject_id),
                        subject_id=entry.subject_id,
                        name=entry.name,
                        class_name=entry.class_name,
                        photo_ids=_stored(entry.photo_ids),
                        own_photos=entry.own_photos,
                        position=entry.position,
                    )
                )
                if written % PROGRESS_EVERY == 0:
                    progress(written)
            for class_name, photo_ids in groups.items():
                batch.save(
                    GroupPhotosItem(
                        pk,
                        keys.group_sk(class_name),
                        class_name=class_name,
                        photo_ids=_stored(photo_ids),
                    )
                )
            for stored in flags:
                flag = stored.flag
                batch.save(
                    ReviewFlagItem(
                        pk,
                        keys.flag_sk(stored.ordinal),
                        ordinal=stored.ordinal,
                        flag_key=flag.key,
                        flag_kind=str(flag.kind),
                        album=flag.album,
                        message=flag.message,
                        photo_ids=_stored(flag.photo_ids),
                        held_photo_ids=_stored(flag.held_photo_ids),
                        held_count=stored.held_count,
                        subject_ids=_stored(flag.subject_ids),
                    )
                )
        progress(len(galleries))

    def delete_run(self, job_id: str, run_id: str) -> None:
        """Remove every result of a run (a query of its keys, then batch deletes)."""
        pk = keys.build_results_pk(job_id, run_id)
        items = TableItem.query(pk, attributes_to_get=["pk", "sk", "kind"])
        with TableItem.batch_write() as batch:
            for item in items:
                batch.delete(item)

    def galleries(self, job_id: str, run_id: str) -> list[GalleryEntry]:
        results = GalleryItem.query(
            keys.build_results_pk(job_id, run_id), GalleryItem.sk.startswith(keys.GALLERY_PREFIX)
        )
        return [_entry(item) for item in results]

    def gallery(self, job_id: str, run_id: str, subject_id: str) -> GalleryEntry | None:
        try:
            item = GalleryItem.get(
                keys.build_results_pk(job_id, run_id), keys.gallery_sk(subject_id)
            )
        except DoesNotExist:
            return None
        return _entry(item)

    def flags(self, job_id: str, run_id: str) -> list[StoredFlag]:
        results = ReviewFlagItem.query(
            keys.build_results_pk(job_id, run_id), ReviewFlagItem.sk.startswith(keys.FLAG_PREFIX)
        )
        return [_flag(item) for item in results]


def gallery_entry_from_item(item: GalleryItem) -> GalleryEntry:
    """The entry of a stored gallery item, for readers that batch several kinds of items in one
    request (the shop's gallery listing)."""
    return _entry(item)
