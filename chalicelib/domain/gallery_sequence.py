"""Capture order within an album, and the time gaps in it."""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.gallery_model import PhotoRecord

_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class AlbumOrder:
    photos: tuple[PhotoRecord, ...]  # capture order
    times: dict[str, datetime]  # photo id -> capture time, for photos that have one
    untimed: tuple[str, ...]  # photo ids placed by file name
    all_untimed: bool


def parse_capture_time(value: str | None) -> datetime | None:
    """A naive datetime; times with an offset are converted to UTC first. None if unreadable."""
    if not value:
        return None
    text = value.strip()
    if text[4:5] == ":":  # EXIF writes the date with colons
        text = _EXIF_DATE.sub(r"\1-\2-\3", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def name_key(file_name: str) -> tuple[str | int, ...]:
    """Natural order: IMG_2.jpg before IMG_10.jpg. Strings and numbers alternate, starting with a
    string, so any two keys compare."""
    parts = _DIGITS.split(file_name.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def order_album(photos: Sequence[PhotoRecord]) -> AlbumOrder:
    """Photos in capture order; several cameras are merged by time.

    Ties in time go by camera serial, then file name, then id. Photos without a capture time:
    if none in the album has one, the album is in file-name order. Otherwise each untimed photo
    follows the timed photo that precedes it in file-name order (or opens the album when none
    does); several untimed photos after the same timed one keep their file-name order.
    """
    times: dict[str, datetime] = {}
    for photo in photos:
        moment = parse_capture_time(photo.captured_at)
        if moment is not None:
            times[photo.photo_id] = moment
    names = {p.photo_id: name_key(p.file_name) for p in photos}
    by_name = sorted(photos, key=lambda p: (names[p.photo_id], p.camera_serial or "", p.photo_id))
    untimed = tuple(p.photo_id for p in by_name if p.photo_id not in times)
    if not times:
        return AlbumOrder(tuple(by_name), times, untimed, all_untimed=bool(photos))
    timed = sorted(
        (p for p in photos if p.photo_id in times),
        key=lambda p: (times[p.photo_id], p.camera_serial or "", names[p.photo_id], p.photo_id),
    )
    following: dict[str | None, list[PhotoRecord]] = {}
    anchor: str | None = None
    for photo in by_name:
        if photo.photo_id in times:
            anchor = photo.photo_id
        else:
            following.setdefault(anchor, []).append(photo)
    ordered = list(following.get(None, []))
    for photo in timed:
        ordered.append(photo)
        ordered.extend(following.get(photo.photo_id, []))
    return AlbumOrder(tuple(ordered), times, untimed, all_untimed=False)


def median_gap_seconds(order: AlbumOrder) -> float | None:
    """The median time between consecutive timed photos of the album."""
    moments = [order.times[p.photo_id] for p in order.photos if p.photo_id in order.times]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
    positive = [gap for gap in gaps if gap > 0]
    return statistics.median(positive) if positive else None
