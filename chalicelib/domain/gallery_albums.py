"""Conventions of a shoot's folders that the gallery build relies on.

Seed 000's layout keeps group photos in a ``group`` folder; a group photo named after its class
(``3b.jpg``, ``Class 3b.jpg``) belongs to that class. Anything else in that folder is sorted like
any other photo, so it is flagged for review rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from chalicelib.domain.gallery_model import PhotoRecord

GROUP_ALBUM_NAMES = frozenset(
    {
        "group",
        "groups",
        "group photos",
        "class photos",
        "gruppe",
        "gruppen",
        "gruppenfotos",
        "klassenfotos",
    }
)
_SEPARATORS = re.compile(r"[\s_\-.]+")


def _squash(text: str) -> str:
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def is_group_album(album: str) -> bool:
    return _squash(album) in GROUP_ALBUM_NAMES


def group_photo_classes(
    photos: Iterable[PhotoRecord], class_names: Iterable[str]
) -> dict[str, str]:
    """Photo id -> class, for photos in a group album whose file name names one class."""
    classes = {_squash(name).replace(" ", ""): name for name in class_names if name.strip()}
    found: dict[str, str] = {}
    for photo in photos:
        if not is_group_album(photo.album):
            continue
        stem = _squash(PurePosixPath(photo.file_name).stem)
        candidates = {stem.replace(" ", ""), *stem.split(" ")}
        named = {classes[c] for c in candidates if c in classes}
        if len(named) == 1:
            found[photo.photo_id] = named.pop()
    return found
