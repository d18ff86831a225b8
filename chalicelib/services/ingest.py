"""Processing of one uploaded original: the domain step behind ``functions/process_upload``.

Every upload ends as a photo record: ``ready`` with its derivatives and decoded codes, or
``failed`` with a reason a person can read. The original is never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
from chalicelib.adapters.storage import MediaStorage
from chalicelib.domain.jobs import Job
from chalicelib.domain.photos import (
    Code,
    Photo,
    derived_keys,
    parse_original_key,
    studio_owns_key,
)
from chalicelib.domain.principal import Clock, utc_now
from chalicelib.errors import NotFound
from chalicelib.resources import UPLOAD_QUEUE_MAX_RECEIVES

logger = logging.getLogger(__name__)
DEFAULT_WATERMARK_TEXT = "PROOF"


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str  # decoded once, exactly as stored
    etag: str
    size: int
    receive_count: int = 1


class IngestService:
    def __init__(
        self,
        jobs: JobRepository,
        photos: PhotoRepository,
        storage: MediaStorage,
        *,
        max_upload_bytes: int,
        clock: Clock = utc_now,
        process: Callable[..., Any] | None = None,
    ) -> None:
        self._jobs = jobs
        self._photos = photos
        self._storage = storage
        self._max_bytes = max_upload_bytes
        self._clock = clock
        self._process = process

    def ingest(self, upload: UploadedObject) -> str:
        """Process one upload; returns the outcome: ready, failed, duplicate or ignored."""
        ids = parse_original_key(upload.key)
        if ids is None:
            logger.warning("ignoring an object we did not name: %s", upload.key)
            return "ignored"
        try:
            job = self._jobs.get(ids.studio_id, ids.job_id)
        except NotFound:
            logger.warning("upload %s belongs to no job (deleted?)", upload.key)
            return "ignored"
        photo = self._known_or_new(job, ids.photo_id, upload)
        if not self._photos.claim(photo, upload.etag, self._clock()):
            return "duplicate"
        claimed = replace(photo, state="processing", etag=upload.etag, size=upload.size)
        try:
            finished = self._process_claimed(job, claimed, upload)
        except Exception as exc:
            if upload.receive_count >= UPLOAD_QUEUE_MAX_RECEIVES:
                # last delivery: record the failure instead of leaving the photo in limbo
                self._photos.finish(self._failed(claimed, f"processing kept failing: {exc}"))
                return "failed"
            self._photos.release(claimed)
            raise
        self._photos.finish(finished)
        return finished.state

    def _process_claimed(self, job: Job, photo: Photo, upload: UploadedObject) -> Photo:
        from chalicelib.imaging.formats import ImageRejected  # image code: functions only

        if upload.size > self._max_bytes:
            limit = self._max_bytes // (1024 * 1024)
            return self._failed(photo, f"the file is larger than the {limit} MB limit")
        data = self._storage.read(upload.key)
        try:
            result = self._processor()(data, watermark=self._watermark(job))
        except ImageRejected as rejected:
            return self._failed(photo, rejected.message)
        preview_key, thumbnail_key = derived_keys(photo)
        self._storage.write(preview_key, result.preview_jpeg, "image/jpeg")
        self._storage.write(thumbnail_key, result.thumbnail_jpeg, "image/jpeg")
        return replace(
            photo,
            state="ready",
            reason=None,
            capture_time=result.capture_time,
            camera_make=result.camera_make,
            camera_model=result.camera_model,
            camera_serial=result.camera_serial,
            width=result.width,
            height=result.height,
            codes=tuple(Code(c.value, c.symbology, c.ours, tuple(c.box)) for c in result.codes),
            undecodable_candidates=result.undecodable_candidates,
            preview_key=preview_key,
            thumbnail_key=thumbnail_key,
            processed_at=self._clock(),
        )

    def _watermark(self, job: Job) -> Any:
        from chalicelib.imaging.watermark import WatermarkSpec

        mark = job.watermark
        if mark is None:
            return WatermarkSpec(text=DEFAULT_WATERMARK_TEXT)
        image = None
        if mark.image_key and studio_owns_key(job.studio_id, mark.image_key):
            image = self._storage.read(mark.image_key)
        elif mark.image_key:
            logger.warning("watermark image %s is not the studio's own: ignored", mark.image_key)
        return WatermarkSpec(text=mark.text, image_png=image, opacity=mark.opacity)

    def _processor(self) -> Callable[..., Any]:
        if self._process is None:
            from chalicelib.imaging.pipeline import process_image

            self._process = process_image
        return self._process

    def _failed(self, photo: Photo, reason: str) -> Photo:
        return replace(photo, state="failed", reason=reason, processed_at=self._clock())

    def _known_or_new(self, job: Job, photo_id: str, upload: UploadedObject) -> Photo:
        try:
            return self._photos.get(job.job_id, photo_id)
        except NotFound:
            # uploaded without a recorded request (e.g. copied into the bucket): keep it anyway
            parts = upload.key.split("/")
            return Photo(
                job_id=job.job_id,
                studio_id=job.studio_id,
                photo_id=photo_id,
                album=parts[3],
                original_name=parts[5],
                original_key=upload.key,
                size=upload.size,
                content_type="application/octet-stream",
                created_at=self._clock(),
            )
