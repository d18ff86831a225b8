"""Admin routes for name lists (subjects and access codes) and their printable documents."""

from __future__ import annotations

import base64
from typing import Any

from chalicelib import wiring
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.domain.access_codes import format_code

routes = Routes(__name__, tag="subjects")


@routes.api("/api/jobs/{job_id}/subjects/import", "POST", request_schema="RosterImport")
def import_subjects(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Import a names list (CSV or XLSX) all or nothing; dry_run only reports."""
    report = wiring.subject_service().import_roster(request.principal, job_id, request.json)
    return report.as_dict()


@routes.api("/api/jobs/{job_id}/subjects", query=("limit", "cursor"))
def list_subjects(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """A job's subjects by class and name, spares last in their class."""
    limit, cursor = page_params(request, default_limit=50)
    page = wiring.subject_service().list_subjects(
        request.principal, job_id, limit=limit, cursor=cursor
    )
    return {"items": [subject_json(s) for s in page.items], "cursor": page.cursor}


@routes.api("/api/jobs/{job_id}/subjects/blank", "POST", status=201, request_schema="BlankSubjects")
def create_blank_subjects(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Placeholder subjects ("Spare 1"...) for the people expected, plus spares."""
    created = wiring.subject_service().create_blank(request.principal, job_id, request.json)
    return {"created": len(created), "items": [subject_json(s) for s in created]}


@routes.api("/api/jobs/{job_id}/subjects/{subject_id}", "PATCH", request_schema="SubjectChanges")
def update_subject(request: ApiRequest, job_id: str, subject_id: str) -> dict[str, Any]:
    """Change a subject's name, class or contacts (fills in a spare)."""
    service = wiring.subject_service()
    return subject_json(service.update_subject(request.principal, job_id, subject_id, request.json))


@routes.api("/api/jobs/{job_id}/subjects/export", query=("format",))
def export_subjects(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """The names list with access codes as CSV or XLSX (base64), ready to import again."""
    file_format = request.query.get("format", "csv")
    return file_json(wiring.subject_service().export(request.principal, job_id, file_format))


@routes.api("/api/subjects/template", query=("format",))
def subjects_template(request: ApiRequest) -> dict[str, Any]:
    """The names-list template as CSV or XLSX (base64)."""
    from chalicelib.services.subjects import SubjectService

    return file_json(SubjectService.template(request.query.get("format", "csv")))


@routes.api("/api/jobs/{job_id}/cards", "POST", request_schema="DocumentRequest")
def render_cards(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """QR cards of every subject and spare as a PDF: a signed link valid for minutes."""
    link = wiring.document_service().render(request.principal, job_id, "cards", request.json)
    return {**_link_json(link), "cards": link.count}


@routes.api("/api/jobs/{job_id}/contact-sheets", "POST", request_schema="DocumentRequest")
def render_contact_sheets(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Contact sheets (photo, name and code per subject, by class) as a PDF: a signed link."""
    service = wiring.document_service()
    link = service.render(request.principal, job_id, "contact-sheets", request.json)
    return {**_link_json(link), "subjects": link.count}


def subject_json(subject: Any) -> dict[str, Any]:
    return {
        "subject_id": subject.subject_id,
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "class_name": subject.class_name,
        "external_id": subject.external_id,
        "emails": list(subject.emails),
        "phones": list(subject.phones),
        "access_code": format_code(subject.access_code),
        "tag": subject.tag,
        "spare": subject.spare,
        "created_at": subject.created_at.isoformat(),
        "updated_at": subject.updated_at.isoformat(),
    }


def file_json(file: Any) -> dict[str, Any]:
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(file.content),
        "content_base64": base64.b64encode(file.content).decode(),
    }


def _link_json(link: Any) -> dict[str, Any]:
    return {"url": link.url, "expires_at": link.expires_at.isoformat(), "pages": link.pages}
