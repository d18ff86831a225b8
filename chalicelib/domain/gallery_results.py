"""What a gallery build stores and shows: one entry per subject, flags in review order.

Pure conversions between the upload pipeline's photos, the gallery builder's records and the
stored results of a build run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chalicelib.domain.build_runs import BuildSummary
from chalicelib.domain.gallery_model import (
    DecodedCode,
    GalleryBuild,
    GallerySubject,
    PhotoRecord,
    ReviewFlag,
    class_key,
)
from chalicelib.domain.photos import Photo

# A flag keeps this many of the photos it holds back (the count is kept in full): enough to
# show and place them, and far below DynamoDB's 400 KB item limit.
MAX_HELD_PHOTOS_STORED = 2000
# Thumbnails a flag shows of the photos it holds back (all of them are counted).
HELD_THUMBNAILS = 12


@dataclass(frozen=True)
class GalleryEntry:
    subject_id: str
    name: str
    class_name: str
    photo_ids: tuple[str, ...]  # own photos in capture order, then the class's group photos
    own_photos: int
    position: int  # in the name list's order

    @property
    def photo_count(self) -> int:
        return len(self.photo_ids)


@dataclass(frozen=True)
class StoredFlag:
    ordinal: int  # review order
    flag: ReviewFlag
    held_count: int

    @property
    def key(self) -> str:
        return self.flag.key


def shown_held(flag: StoredFlag) -> tuple[str, ...]:
    """The held photos a review shows with thumbnails."""
    return flag.flag.held_photo_ids[:HELD_THUMBNAILS]


def photo_record(photo: Photo) -> PhotoRecord:
    return PhotoRecord(
        photo_id=photo.photo_id,
        album=photo.album,
        file_name=photo.original_name,
        captured_at=photo.capture_time,
        camera_serial=photo.camera_serial,
        codes=tuple(DecodedCode(code.value, code.ours) for code in photo.codes),
        undecodable_candidates=photo.undecodable_candidates,
        state=photo.state,
    )


def gallery_entries(build: GalleryBuild, subjects: Sequence[GallerySubject]) -> list[GalleryEntry]:
    groups = {class_key(cls): set(ids) for cls, ids in build.group_photos.items()}
    entries = []
    for position, subject in enumerate(subjects):
        photo_ids = build.galleries.get(subject.subject_id, ())
        group = groups.get(class_key(subject.class_name), set())
        own = sum(1 for photo_id in photo_ids if photo_id not in group)
        entries.append(
            GalleryEntry(
                subject.subject_id, subject.name, subject.class_name, photo_ids, own, position
            )
        )
    return entries


def stored_flags(flags: Iterable[ReviewFlag]) -> list[StoredFlag]:
    stored = []
    for ordinal, flag in enumerate(flags):
        held = len(flag.held_photo_ids)
        if held > MAX_HELD_PHOTOS_STORED:
            flag = ReviewFlag(
                flag.kind,
                flag.album,
                flag.photo_ids,
                flag.message,
                flag.held_photo_ids[:MAX_HELD_PHOTOS_STORED],
                flag.subject_ids,
            )
        stored.append(StoredFlag(ordinal, flag, held))
    return stored


def build_summary(build: GalleryBuild) -> BuildSummary:
    return BuildSummary(
        subjects=len(build.galleries),
        galleries=sum(1 for ids in build.galleries.values() if ids),
        flags=len(build.flags),
        cards=len(build.card_photo_ids),
        unassigned=len(build.unassigned),
        group_photos=sum(len(ids) for ids in build.group_photos.values()),
    )


def hidden_changes(photos: Iterable[Photo], card_photo_ids: Iterable[str]) -> dict[str, bool]:
    """Photo id -> hidden, for the photos whose hidden mark the build changes: card photos are
    hidden, a photo that is no longer a card (a decision changed) is shown again."""
    cards = set(card_photo_ids)
    return {p.photo_id: p.photo_id in cards for p in photos if p.hidden != (p.photo_id in cards)}
