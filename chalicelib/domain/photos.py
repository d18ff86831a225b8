"""Photos of a job: upload requests, object keys, and the record a processed upload becomes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.ids import is_id
from chalicelib.errors import ValidationFailed
from chalicelib.resources import DERIVED_PREFIX, ORIGINALS_PREFIX

# What the processing function can decode; TIFF and HEIC are refused at the door, not after upload.
UPLOAD_CONTENT_TYPES = ("image/jpeg", "image/png")
MAX_FILES_PER_REQUEST = 100
MULTIPART_THRESHOLD = 100 * 1024 * 1024  # files above this are sent in parts
MIN_PART_SIZE = 16 * 1024 * 1024
MAX_PARTS = 10_000
PHOTO_STATES = ("uploading", "processing", "ready", "failed")
DEFAULT_ALBUM = "photos"


@dataclass(frozen=True)
class UploadFile:
    name: str  # the photographer's file name, kept as given
    size: int
    content_type: str
    album: str


@dataclass(frozen=True)
class Code:
    value: str
    symbology: str
    ours: bool
    box: tuple[int, int, int, int]  # x, y, width, height in original pixels


@dataclass(frozen=True)
class Photo:
    job_id: str
    studio_id: str
    photo_id: str
    album: str
    original_name: str
    original_key: str
    size: int
    content_type: str
    created_at: datetime
    state: str = "uploading"
    reason: str | None = None
    etag: str | None = None
    capture_time: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    camera_serial: str | None = None
    width: int | None = None
    height: int | None = None
    codes: tuple[Code, ...] = field(default_factory=tuple)
    undecodable_candidates: int = 0
    preview_key: str | None = None
    thumbnail_key: str | None = None
    processed_at: datetime | None = None
    hidden: bool = False  # a card photo (set by the gallery build): never shown to customers

    @property
    def is_card(self) -> bool:
        """Carries one of our subject tags: a QR card photo, hidden from customers."""
        return any(code.ours for code in self.codes)


def _upload_file(value: Any, index: int) -> UploadFile:
    prefix = f"files[{index}]."
    body = v.require_object(value)
    parsed = v.collect(
        body,
        {
            "name": lambda x: v.text(x, max_length=255),
            "size": lambda x: v.integer(x, minimum=1, maximum=10**12),
            "content_type": lambda x: v.choice(x, UPLOAD_CONTENT_TYPES),
            "album": lambda x: v.text(x, max_length=120),
        },
        required=("name", "size", "content_type"),
        prefix=prefix,
    )
    parsed.setdefault("album", DEFAULT_ALBUM)
    return UploadFile(**parsed)


def parse_upload_request(body: Any, *, max_upload_bytes: int) -> list[UploadFile]:
    files = v.require_object(body).get("files")
    if not isinstance(files, list) or not files:
        raise ValidationFailed([{"field": "files", "reason": "must be a non-empty list"}])
    if len(files) > MAX_FILES_PER_REQUEST:
        raise ValidationFailed(
            [{"field": "files", "reason": f"at most {MAX_FILES_PER_REQUEST} files per request"}]
        )
    errors: list[dict[str, str]] = []
    parsed: list[UploadFile] = []
    for index, item in enumerate(files):
        try:
            upload = _upload_file(item, index)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if upload.size > max_upload_bytes:
            errors.append(
                {
                    "field": f"files[{index}].size",
                    "reason": f"is larger than the {max_upload_bytes // (1024 * 1024)} MB limit",
                }
            )
        parsed.append(upload)
    if errors:
        raise ValidationFailed(errors)
    return parsed


def safe_segment(text: str, *, max_length: int = 80) -> str:
    """A key segment from a safe character set: ASCII letters, digits, '.', '_' and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip("-.")
    return cleaned[:max_length] or "file"


def original_key(studio_id: str, job_id: str, album: str, photo_id: str, name: str) -> str:
    return (
        f"{ORIGINALS_PREFIX}{studio_id}/{job_id}/{safe_segment(album)}/{photo_id}/"
        f"{safe_segment(name, max_length=120)}"
    )


@dataclass(frozen=True)
class OriginalKey:
    studio_id: str
    job_id: str
    photo_id: str


def parse_original_key(key: str) -> OriginalKey | None:
    """The ids in an object key we generated, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 6 or f"{parts[0]}/" != ORIGINALS_PREFIX:
        return None
    _, studio_id, job_id, _, photo_id, _ = parts
    if not (is_id(studio_id) and is_id(job_id) and is_id(photo_id)):
        return None
    return OriginalKey(studio_id, job_id, photo_id)


def studio_owns_key(studio_id: str, key: str) -> bool:
    """True for an original uploaded by `studio_id` (e.g. a job's watermark image): one studio
    must never get another studio's file drawn into its previews."""
    ids = parse_original_key(key)
    return ids is not None and ids.studio_id == studio_id


def derived_keys(photo: Photo) -> tuple[str, str]:
    base = f"{DERIVED_PREFIX}{photo.studio_id}/{photo.job_id}/{photo.photo_id}"
    return f"{base}/preview.jpg", f"{base}/thumbnail.jpg"


def part_size_for(size: int) -> int:
    return max(MIN_PART_SIZE, -(-size // MAX_PARTS))


def capture_sort_key(photo: Photo) -> str:
    """Orders photos by capture time (UTC when the camera recorded its offset); photos without
    a capture time, or not yet processed, sort after them by file name."""
    tail = f"{photo.original_name}#{photo.photo_id}"
    if not photo.capture_time:
        return f"~{tail}"
    moment = datetime.fromisoformat(photo.capture_time)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return f"{moment.isoformat(timespec='microseconds')}#{tail}"
