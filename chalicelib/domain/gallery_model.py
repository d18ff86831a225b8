"""Records that go into and come out of gallery building (see ``gallery_builder``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

READY = "ready"


@dataclass(frozen=True)
class DecodedCode:
    """A QR value found in a photo; ``ours`` when the decoder saw our tag prefix."""

    value: str
    ours: bool


@dataclass(frozen=True)
class PhotoRecord:
    photo_id: str
    album: str
    file_name: str
    captured_at: str | None  # ISO 8601 (or EXIF "YYYY:MM:DD HH:MM:SS"), sub-seconds kept
    camera_serial: str | None = None
    codes: tuple[DecodedCode, ...] = ()
    undecodable_candidates: int = 0  # finder patterns seen, no value decoded: "looks like a card"
    state: str = READY


@dataclass(frozen=True)
class GallerySubject:
    subject_id: str
    name: str
    class_name: str


def class_key(class_name: str) -> str:
    """What makes two class names one class: "3a" and "3A " are the same class."""
    return class_name.casefold().strip()


@dataclass(frozen=True)
class ManualDecisions:
    """What a person decided in review. Decisions always win over what the sequence suggests,
    and they are inputs, so every rebuild applies them again."""

    # photo -> the subjects whose galleries it belongs to (an empty tuple: to nobody). Only the
    # photo moves: if it was a card, its run still starts there.
    assignments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # photo -> class whose subjects all get it (None: the class of its album).
    group_photos: Mapping[str, str | None] = field(default_factory=dict)
    # photo -> the album it really belongs to (it is sorted into that album by time).
    moved: Mapping[str, str] = field(default_factory=dict)
    # photos left out of every gallery (bad shots), as if deleted: they take no part in sorting.
    excluded: frozenset[str] = frozenset()
    # photo shows a card of these subjects that was not decoded: a hidden card photo.
    card_marks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # manual tagging: the first portrait of these subjects. Starts a run and stays visible.
    first_photos: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # ReviewFlag.key values a person has looked at and accepted.
    accepted_flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GapPolicy:
    """When a pause inside one subject's photos is long enough to look like a missed card.

    Flagged when longer than ``absolute_seconds``, or longer than ``median_factor`` times the
    album's median gap between photos and at least ``min_relative_seconds``.

    The defaults are strict on purpose: a card the decoder did not even notice (blurred, half
    out of frame) shows only as the changeover pause before it, and without a flag the next
    child's photos would land silently in the previous child's gallery. Measured on the sorter
    corpus (tests/bench/compare_sorters.py): a 120 s floor left 14 silent misplacements, these
    defaults none, at the price of a few flags a person accepts with one click.
    """

    absolute_seconds: float = 600.0
    median_factor: float = 3.0
    min_relative_seconds: float = 10.0


class FlagKind(StrEnum):
    UNREADABLE_CARD = "unreadable_card"
    FOREIGN_CODE = "foreign_code"
    OTHER_JOB_TAG = "other_job_tag"
    UNKNOWN_SUBJECT = "unknown_subject"
    SUBJECT_STARTED_TWICE = "subject_started_twice"
    NO_PHOTOS_AFTER_CARD = "no_photos_after_card"
    BEFORE_FIRST_CARD = "before_first_card"
    LONG_GAP = "long_gap"
    NO_CAPTURE_TIME = "no_capture_time"
    NOT_READY = "photo_not_ready"
    DECISION_UNKNOWN_SUBJECT = "decision_unknown_subject"  # a decision names a deleted subject


@dataclass(frozen=True)
class ReviewFlag:
    """Something a person should look at. ``held_photo_ids`` are kept out of every gallery (they
    are in ``unassigned``) until a decision places them."""

    kind: FlagKind
    album: str
    photo_ids: tuple[str, ...]
    message: str
    held_photo_ids: tuple[str, ...] = ()
    subject_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable across rebuilds of the same photos: what ``accepted_flags`` holds."""
        return f"{self.kind}:{self.album}:{self.photo_ids[0] if self.photo_ids else ''}"


@dataclass(frozen=True)
class GalleryBuild:
    # Every subject, in input order: own photos in capture order, then their class's group photos.
    galleries: Mapping[str, tuple[str, ...]]
    card_photo_ids: tuple[str, ...]  # photos of cards: never shown to customers
    group_photos: Mapping[str, tuple[str, ...]]  # class -> photos
    unassigned: tuple[str, ...]  # in no gallery and not a card: needs a decision
    flags: tuple[ReviewFlag, ...]
    sequence: Mapping[str, tuple[str, ...]]  # album -> photos in the order the build used
    subjects_without_photos: tuple[str, ...]
