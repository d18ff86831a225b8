"""Use cases of the upload pipeline on the API side: presigned uploads and photo listings."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.pages import Page
from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
from chalicelib.adapters.storage import UPLOAD_URL_SECONDS, MediaStorage
from chalicelib.domain import validation as v
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import Job
from chalicelib.domain.photos import (
    MULTIPART_THRESHOLD,
    Photo,
    original_key,
    parse_original_key,
    parse_upload_request,
    part_size_for,
)
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.errors import Conflict, NotFound, ValidationFailed


class UploadService:
    def __init__(
        self,
        jobs: JobRepository,
        photos: PhotoRepository,
        storage: MediaStorage,
        *,
        max_upload_bytes: int,
        clock: Clock = utc_now,
    ) -> None:
        self._jobs = jobs
        self._photos = photos
        self._storage = storage
        self._max_bytes = max_upload_bytes
        self._clock = clock

    def request_uploads(self, who: Principal, job_id: str, body: Any) -> list[dict[str, Any]]:
        """Record the files as uploading photos and return, per file, where to send it."""
        job = self._jobs.get(who.studio_id, job_id)
        files = parse_upload_request(body, max_upload_bytes=self._max_bytes)
        now = self._clock()
        photos = []
        for file in files:
            photo_id = new_id()
            key = original_key(job.studio_id, job.job_id, file.album, photo_id, file.name)
            photos.append(
                Photo(
                    job_id=job.job_id,
                    studio_id=job.studio_id,
                    photo_id=photo_id,
                    album=file.album,
                    original_name=file.name,
                    original_key=key,
                    size=file.size,
                    content_type=file.content_type,
                    created_at=now,
                )
            )
        self._photos.add_uploads(photos)
        return [self._target(photo) for photo in photos]

    def _target(self, photo: Photo) -> dict[str, Any]:
        base = {
            "name": photo.original_name,
            "album": photo.album,
            "photo_id": photo.photo_id,
            "key": photo.original_key,
            "expires_in": UPLOAD_URL_SECONDS,
        }
        if photo.size <= MULTIPART_THRESHOLD:
            post = self._storage.presigned_post(
                photo.original_key, photo.content_type, self._max_bytes
            )
            return {**base, "method": "post", "url": post.url, "fields": post.fields}
        upload_id = self._storage.start_multipart(photo.original_key, photo.content_type)
        part_size = part_size_for(photo.size)
        count = -(-photo.size // part_size)
        parts = [
            {
                "part_number": n,
                "url": self._storage.presigned_part(photo.original_key, upload_id, n),
            }
            for n in range(1, count + 1)
        ]
        return {
            **base,
            "method": "multipart",
            "upload_id": upload_id,
            "part_size": part_size,
            "parts": parts,
        }

    def complete_multipart(self, who: Principal, job_id: str, body: Any) -> dict[str, Any]:
        job = self._jobs.get(who.studio_id, job_id)
        parsed = v.collect(
            v.require_object(body),
            {
                "key": lambda x: v.text(x, max_length=1024),
                "upload_id": lambda x: v.text(x, max_length=1024),
                "parts": _parts,
            },
            required=("key", "upload_id", "parts"),
        )
        photo = self._own_photo(job, parsed["key"])
        if photo.state != "uploading":
            raise Conflict(f"this upload is already {photo.state}", state=photo.state)
        self._storage.complete_multipart(parsed["key"], parsed["upload_id"], parsed["parts"])
        return {"key": parsed["key"], "completed": True}

    def abort_upload(self, who: Principal, job_id: str, body: Any) -> dict[str, Any]:
        job = self._jobs.get(who.studio_id, job_id)
        parsed = v.collect(
            v.require_object(body),
            {
                "key": lambda x: v.text(x, max_length=1024),
                "upload_id": lambda x: v.text(x, max_length=1024),
            },
            required=("key",),
        )
        photo = self._own_photo(job, parsed["key"])
        # Without upload_id it is a presigned POST the client gave up on: nothing to clean in
        # S3, but the photo must not stay "uploading" for ever.
        if "upload_id" in parsed:
            self._storage.abort_multipart(parsed["key"], parsed["upload_id"])
        self._photos.fail_upload(job.job_id, photo.photo_id, "the upload was aborted")
        return {"key": parsed["key"], "aborted": True}

    def list_photos(
        self, who: Principal, job_id: str, *, album: str | None, limit: int, cursor: str | None
    ) -> Page[Photo]:
        job = self._jobs.get(who.studio_id, job_id)
        return self._photos.in_capture_order(job.job_id, album=album, limit=limit, cursor=cursor)

    def thumbnail_url(self, photo: Photo) -> str | None:
        return self._storage.signed_url(photo.thumbnail_key) if photo.thumbnail_key else None

    def _own_photo(self, job: Job, key: str) -> Photo:
        ids = parse_original_key(key)
        if ids is None or (ids.studio_id, ids.job_id) != (job.studio_id, job.job_id):
            raise NotFound("no such upload in this job", field="key")
        return self._photos.get(job.job_id, ids.photo_id)


def _parts(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list) or not value:
        raise v.FieldError("must be a non-empty list of {part_number, etag}")
    parts = []
    for item in value:
        if not isinstance(item, dict):
            raise v.FieldError("must be a non-empty list of {part_number, etag}")
        try:
            number = v.integer(item.get("part_number"), minimum=1, maximum=10_000)
            etag = v.text(item.get("etag"), max_length=200)
        except v.FieldError as exc:
            raise v.FieldError(f"has a bad part: {exc}") from exc
        parts.append((number, etag))
    if [n for n, _ in parts] != sorted({n for n, _ in parts}):
        raise v.FieldError("part numbers must be unique and ascending")
    return parts


class PhotoCleanup:
    """Deletion step of a job: its photo records and every object they point to."""

    def __init__(self, photos: PhotoRepository, storage: MediaStorage) -> None:
        self._photos = photos
        self._storage = storage

    def __call__(self, job: Job) -> None:
        photos = self._photos.all_in_job(job.job_id)
        keys = [k for p in photos for k in (p.original_key, p.preview_key, p.thumbnail_key) if k]
        self._storage.delete(keys)
        self._photos.delete(photos)


__all__ = ["PhotoCleanup", "UploadService", "ValidationFailed"]
