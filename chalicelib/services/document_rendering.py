"""Printable documents of a job, function side: read the subjects, render the PDF, store it
under derived/ (which triggers no processing). Runs in ``functions/render_documents``, whose
package has reportlab and Pillow."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Protocol

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamo.jobs_repository import JobRepository
from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository
from chalicelib.adapters.storage import MediaStorage
from chalicelib.documents.cards import CARDS_PER_PAGE, CardSubject, cards_pdf
from chalicelib.documents.contact_sheets import (
    PER_PAGE,
    ContactSheetClass,
    ContactSheetEntry,
    contact_sheets_pdf,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.subjects import Subject, document_key, in_card_order
from chalicelib.services.documents import DocumentRequest, RenderedDocument

logger = logging.getLogger(__name__)


class FirstPhotos(Protocol):
    """Thumbnail keys of each subject's first photo, once galleries are built (gallery side)."""

    def __call__(self, job_id: str) -> Mapping[str, str]: ...


def no_first_photos(job_id: str) -> Mapping[str, str]:
    return {}


class DocumentRenderer:
    def __init__(
        self,
        jobs: JobRepository,
        subjects: SubjectRepository,
        storage: MediaStorage,
        *,
        shop_url: str,
        first_photos: FirstPhotos = no_first_photos,
        new_document_id: Callable[[], str] = new_id,
    ) -> None:
        self._jobs = jobs
        self._subjects = subjects
        self._storage = storage
        self._shop_url = shop_url
        self._first_photos = first_photos
        self._new_document_id = new_document_id

    def render(self, request: DocumentRequest) -> RenderedDocument:
        job = self._jobs.get(request.studio_id, request.job_id)  # the owner, once more
        subjects = self._subjects.all_in_job(job.job_id)
        if request.class_name is not None:
            subjects = [s for s in subjects if s.class_name == request.class_name]
        subjects = in_card_order(subjects)
        if request.kind == "cards":
            data, pages = self._cards(job.name, subjects)
        else:
            data, pages = self._contact_sheets(job.job_id, job.name, subjects)
        key = document_key(job.studio_id, job.job_id, request.kind, self._new_document_id())
        self._storage.write(key, data, "application/pdf")
        return RenderedDocument(key, pages, len(subjects))

    def _cards(self, job_name: str, subjects: list[Subject]) -> tuple[bytes, int]:
        cards = [
            CardSubject(
                job_id=s.job_id,
                subject_id=s.subject_id,
                first_name=s.first_name,
                last_name=s.last_name,
                class_name=s.class_name,
                access_code=s.access_code,
                is_spare=s.spare,
            )
            for s in subjects
        ]
        return cards_pdf(job_name, self._shop_url, cards), _pages(len(cards), CARDS_PER_PAGE)

    def _contact_sheets(
        self, job_id: str, job_name: str, subjects: list[Subject]
    ) -> tuple[bytes, int]:
        thumbnails = self._first_photos(job_id)
        classes: dict[str, list[ContactSheetEntry]] = defaultdict(list)
        for s in subjects:
            entry = ContactSheetEntry(
                s.first_name, s.last_name, s.access_code, self._thumbnail(thumbnails, s)
            )
            classes[s.class_name].append(entry)
        sheets = [ContactSheetClass(name, entries) for name, entries in classes.items()]
        pages = sum(_pages(len(c.entries), PER_PAGE) for c in sheets) or 1
        return contact_sheets_pdf(job_name, sheets, self._shop_url), pages

    def _thumbnail(self, thumbnails: Mapping[str, str], subject: Subject) -> bytes | None:
        key = thumbnails.get(subject.subject_id)
        if not key:
            return None  # no gallery yet: the sheet shows a placeholder
        try:
            return self._storage.read(key)
        except ClientError:  # a missing thumbnail must not cost the whole sheet
            logger.warning("thumbnail %s of subject %s unreadable", key, subject.subject_id)
            return None


def _pages(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))
