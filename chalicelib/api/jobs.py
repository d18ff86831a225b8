"""Admin routes for jobs and their statuses."""

from __future__ import annotations

from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.api.serializers import checklist_json, job_json
from chalicelib.domain.principal import utc_now

routes = Routes(__name__, tag="jobs")


@routes.api("/api/jobs", "POST", status=201, request_schema="JobInput")
def create_job(request: ApiRequest) -> dict[str, Any]:
    """Create a job (settings not given come from the latest job of the same type)."""
    job, defaults = wiring.job_service().create_job(request.principal, request.json)
    body = job_json(job, utc_now())
    body["defaulted"] = {"from_job_id": defaults.source_job_id, "fields": list(defaults.fields)}
    return body


@routes.api("/api/jobs", query=("status", "limit", "cursor"))
def list_jobs(request: ApiRequest) -> dict[str, Any]:
    """List the studio's jobs, newest shooting date first."""
    limit, cursor = page_params(request)
    page = wiring.job_service().list_jobs(
        request.principal, status=request.query.get("status"), limit=limit, cursor=cursor
    )
    now = utc_now()
    return {"items": [job_json(job, now) for job in page.items], "cursor": page.cursor}


@routes.api("/api/jobs/{job_id}")
def get_job(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Read one job."""
    return job_json(wiring.job_service().get_job(request.principal, job_id), utc_now())


@routes.api("/api/jobs/{job_id}", "PATCH", request_schema="JobInput")
def update_job(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Change a job's settings."""
    job = wiring.job_service().update_job(request.principal, job_id, request.json)
    return job_json(job, utc_now())


@routes.api("/api/jobs/{job_id}", "DELETE")
def delete_job(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Delete a job."""
    job = wiring.job_service().delete_job(request.principal, job_id)
    return {"deleted": job.job_id}


@routes.api("/api/jobs/{job_id}/status", "POST", request_schema="StatusChange")
def change_status(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Change a job's status (going to selling checks the go-live checklist)."""
    job = wiring.job_service().change_status(request.principal, job_id, request.json)
    return job_json(job, utc_now())


@routes.api("/api/jobs/{job_id}/checklist")
def get_checklist(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """The go-live checklist of a job."""
    job = wiring.job_service().get_job(request.principal, job_id)
    items = checklist_json(job, utc_now())
    return {"items": items, "complete": all(item["ok"] for item in items)}
