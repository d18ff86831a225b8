"""Printable documents of a job (QR cards, contact sheets), API side.

The API checks the request (tenancy, that there is something to print, size), has the
``render_documents`` function render the PDF into S3 (the API Lambda carries no reportlab or
Pillow), and answers a signed link that expires within minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository
from chalicelib.adapters.functions import FunctionInvoker
from chalicelib.adapters.storage import DOWNLOAD_URL_SECONDS, MediaStorage
from chalicelib.domain import validation as v
from chalicelib.domain.principal import Clock, Principal, utc_now
from chalicelib.domain.subjects import DOCUMENT_KINDS
from chalicelib.errors import Conflict, PayloadTooLarge

# About 20 ms of rendering per card: this many fit well inside the API's 29 s. Larger jobs
# print per class ({"class_name": ...}).
MAX_DOCUMENT_SUBJECTS = 800


@dataclass(frozen=True)
class DocumentRequest:
    """What the render function is asked for: the event of ``functions/render_documents``."""

    kind: str
    studio_id: str
    job_id: str
    class_name: str | None = None

    def as_event(self) -> dict[str, Any]:
        return {
            "document": self.kind,
            "studio_id": self.studio_id,
            "job_id": self.job_id,
            "class_name": self.class_name,
        }

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> DocumentRequest:
        kind = event.get("document")
        if kind not in DOCUMENT_KINDS:
            raise ValueError(f"unknown document {kind!r}")
        class_name = event.get("class_name")
        return cls(str(kind), str(event["studio_id"]), str(event["job_id"]), class_name)


@dataclass(frozen=True)
class RenderedDocument:
    key: str
    pages: int
    count: int  # cards, or subjects on the contact sheets

    def as_result(self) -> dict[str, Any]:
        return {"key": self.key, "pages": self.pages, "count": self.count}


@dataclass(frozen=True)
class DocumentLink:
    url: str
    expires_at: datetime
    pages: int
    count: int


class DocumentService:
    def __init__(
        self,
        jobs: JobRepository,
        subjects: SubjectRepository,
        storage: MediaStorage,
        functions: FunctionInvoker,
        *,
        function_name: str,
        clock: Clock = utc_now,
        link_seconds: int = DOWNLOAD_URL_SECONDS,
    ) -> None:
        self._jobs = jobs
        self._subjects = subjects
        self._storage = storage
        self._functions = functions
        self._function_name = function_name
        self._clock = clock
        self._link_seconds = link_seconds

    def render(self, who: Principal, job_id: str, kind: str, body: Any) -> DocumentLink:
        """Render the job's cards or contact sheets (optionally of one class) to a PDF."""
        parsed = v.collect(
            v.require_object(body), {"class_name": lambda x: v.text(x, max_length=100)}
        )
        class_name = parsed.get("class_name")
        job = self._jobs.get(who.studio_id, job_id)
        count = self._subjects.count(job.job_id, class_name=class_name)
        if count == 0:
            what = f"in class {class_name!r}" if class_name else "yet"
            raise Conflict(
                f"the job has no subjects {what}: import a names list or create blank subjects",
                reason="no_subjects",
            )
        if count > MAX_DOCUMENT_SUBJECTS:
            raise PayloadTooLarge(
                f"{count} subjects are too many for one document (at most "
                f"{MAX_DOCUMENT_SUBJECTS}); print one class at a time with class_name"
            )
        request = DocumentRequest(kind, job.studio_id, job.job_id, class_name)
        result = self._functions.call(self._function_name, request.as_event())
        now = self._clock()
        name = f"{job.internal_name}-{kind}.pdf"
        return DocumentLink(
            url=self._storage.signed_url(result["key"], self._link_seconds, download_name=name),
            expires_at=now + timedelta(seconds=self._link_seconds),
            pages=int(result["pages"]),
            count=int(result["count"]),
        )
