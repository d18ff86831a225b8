"""Admin routes of gallery building and review.

The build is asynchronous: ``POST .../galleries/build`` answers 202 with the queued run at once,
``GET`` on the same path shows its progress. (A ``galleries:build`` custom-method path is not
offered: API Gateway REST resource paths cannot contain ``:``.)
"""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes
from chalicelib.api.serializers import iso
from chalicelib.domain.build_runs import BuildRun
from chalicelib.domain.gallery_results import StoredFlag, shown_held
from chalicelib.domain.photos import Photo
from chalicelib.domain.review import ReviewAction

routes = Routes(__name__, tag="galleries")


@routes.api("/api/jobs/{job_id}/galleries/build", "POST", status=202)
def request_build(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Build the job's galleries from its photos, subjects and review decisions (asynchronous)."""
    return run_json(wiring.gallery_builds().request(request.principal, job_id))


@routes.api("/api/jobs/{job_id}/galleries/build")
def build_progress(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Progress of the job's latest gallery build."""
    return run_json(wiring.gallery_builds().status(request.principal, job_id))


@routes.api("/api/jobs/{job_id}/galleries", query=("class",))
def list_galleries(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Every subject's gallery of the latest finished build, with photo counts."""
    galleries = wiring.review_service().galleries(
        request.principal, job_id, request.query.get("class") or None
    )
    run = galleries.run
    return {
        "built_at": iso(run.published_at) if run else None,
        "build": run_json(run) if run else None,
        "items": [
            {
                "subject_id": entry.subject_id,
                "name": entry.name,
                "class_name": entry.class_name,
                "photos": entry.photo_count,
                "own_photos": entry.own_photos,
            }
            for entry in galleries.entries
        ],
    }


@routes.api("/api/jobs/{job_id}/galleries/{subject_id}")
def subject_gallery(request: ApiRequest, job_id: str, subject_id: str) -> dict[str, Any]:
    """The photos of one subject's gallery (own photos, then the class's group photos)."""
    service = wiring.review_service()
    found = service.gallery(request.principal, job_id, subject_id)
    entry = found.entry
    return {
        "subject_id": entry.subject_id,
        "name": entry.name,
        "class_name": entry.class_name,
        "photos": [
            {
                **thumbnail_json(photo, service.thumbnail_url(photo)),
                "group": photo.photo_id in found.group_photo_ids,
            }
            for photo in found.photos
        ],
    }


@routes.api("/api/jobs/{job_id}/review")
def review(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """What the latest finished build flagged for review, with signed thumbnails."""
    service = wiring.review_service()
    found = service.review(request.principal, job_id)

    def thumbs(photo_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        photos = [found.photos[p] for p in photo_ids if p in found.photos]
        return [thumbnail_json(photo, service.thumbnail_url(photo)) for photo in photos]

    return {
        "build": run_json(found.run) if found.run else None,
        "flags": [flag_json(flag, thumbs) for flag in found.flags],
    }


@routes.api("/api/jobs/{job_id}/review/actions", "POST", request_schema="ReviewAction")
def review_action(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Decide about flagged photos (move, assign, mark group, exclude, accept, clear); the
    decision is kept for every rebuild, and a rebuild is requested."""
    action, run = wiring.review_service().act(request.principal, job_id, request.json)
    return {"decision": action_json(action), "build": run_json(run)}


def run_json(run: BuildRun) -> dict[str, Any]:
    progress = run.progress
    summary = run.summary
    return {
        "run_id": run.run_id,
        "state": run.state,
        "phase": str(progress.phase),
        "requested_at": iso(run.requested_at),
        "requested_by": run.requested_by,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "photos": {"processed": progress.photos_processed, "total": progress.photos_total},
        "subjects": {"written": progress.subjects_written, "total": progress.subjects_total},
        "flags": summary.flags if summary else None,
        "summary": dict(summary.__dict__) if summary else None,
        "error": run.error,
        "rerun_requested": run.rerun,
        "published_run_id": run.published_run_id,
        "published_at": iso(run.published_at),
    }


def flag_json(flag: StoredFlag, thumbs: Any) -> dict[str, Any]:
    shown = flag.flag
    return {
        "key": flag.key,
        "kind": str(shown.kind),
        "album": shown.album,
        "message": shown.message,
        "subject_ids": list(shown.subject_ids),
        "photos": thumbs(shown.photo_ids),
        "held": {
            "count": flag.held_count,
            "photo_ids": list(shown.held_photo_ids),
            "photos": thumbs(shown_held(flag)),
        },
    }


def thumbnail_json(photo: Photo, thumbnail_url: str | None) -> dict[str, Any]:
    return {
        "photo_id": photo.photo_id,
        "album": photo.album,
        "file_name": photo.original_name,
        "capture_time": photo.capture_time,
        "hidden": photo.hidden,
        "thumbnail_url": thumbnail_url,
    }


def action_json(action: ReviewAction) -> dict[str, Any]:
    body: dict[str, Any] = {"action": str(action.kind)}
    if action.photo_ids:
        body["photo_ids"] = list(action.photo_ids)
    if action.subject_ids is not None:
        body["subject_ids"] = list(action.subject_ids)
    if action.album is not None:
        body["album"] = action.album
    if action.class_name is not None:
        body["class_name"] = action.class_name
    if action.card:
        body["card"] = True
    if action.flag_key is not None:
        body["flag"] = action.flag_key
    return body
