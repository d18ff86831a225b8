"""Admin routes of the upload pipeline: presigned uploads and the job's photos."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.domain.photos import Photo

routes = Routes(__name__, tag="photos")


@routes.api("/api/jobs/{job_id}/uploads", "POST", status=201, request_schema="UploadRequest")
def request_uploads(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Ask where to upload files: a presigned POST per file, or presigned parts for big ones."""
    uploads = wiring.upload_service().request_uploads(request.principal, job_id, request.json)
    return {"uploads": uploads}


@routes.api("/api/jobs/{job_id}/uploads/complete", "POST", request_schema="MultipartComplete")
def complete_upload(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Complete a multipart upload."""
    return wiring.upload_service().complete_multipart(request.principal, job_id, request.json)


@routes.api("/api/jobs/{job_id}/uploads/abort", "POST", request_schema="MultipartAbort")
def abort_upload(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Give up an upload (a multipart one with its upload_id); its photo shows as failed."""
    return wiring.upload_service().abort_upload(request.principal, job_id, request.json)


@routes.api("/api/jobs/{job_id}/photos", query=("album", "limit", "cursor"))
def list_photos(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """A job's photos in capture order, cards marked, failures with reasons."""
    limit, cursor = page_params(request, default_limit=50)
    service = wiring.upload_service()
    page = service.list_photos(
        request.principal, job_id, album=request.query.get("album"), limit=limit, cursor=cursor
    )
    return {
        "items": [photo_json(photo, service.thumbnail_url(photo)) for photo in page.items],
        "cursor": page.cursor,
    }


def photo_json(photo: Photo, thumbnail_url: str | None) -> dict[str, Any]:
    return {
        "photo_id": photo.photo_id,
        "album": photo.album,
        "file_name": photo.original_name,
        "size": photo.size,
        "state": photo.state,
        "reason": photo.reason,
        "capture_time": photo.capture_time,
        "camera": {
            "make": photo.camera_make,
            "model": photo.camera_model,
            "serial": photo.camera_serial,
        },
        "width": photo.width,
        "height": photo.height,
        "is_card": photo.is_card,
        "hidden": photo.hidden,  # set by the gallery build: never shown to customers
        "codes": [
            {"value": c.value, "format": c.symbology, "ours": c.ours, "box": list(c.box)}
            for c in photo.codes
        ],
        "unreadable_codes": photo.undecodable_candidates,
        "thumbnail_url": thumbnail_url,
    }
