"""The composition root: settings, verifier, repositories and services, built once per process
for the API and the functions, and replaceable in tests through :func:`override`.
Heavy imports (PynamoDB, boto3) happen here, lazily."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository
    from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
    from chalicelib.adapters.dynamo.studios_repository import StudioRepository
    from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository
    from chalicelib.adapters.identity import CognitoIdentity
    from chalicelib.adapters.queue import WorkQueue
    from chalicelib.adapters.storage import MediaStorage
    from chalicelib.adapters.tokens import TokenVerifier
    from chalicelib.services.document_rendering import DocumentRenderer
    from chalicelib.services.documents import DocumentService
    from chalicelib.services.galleries import GalleryBuilds
    from chalicelib.services.ingest import IngestService
    from chalicelib.services.jobs import JobService
    from chalicelib.services.pricing import PricingService
    from chalicelib.services.review import ReviewService
    from chalicelib.services.subjects import SubjectService
    from chalicelib.services.uploads import UploadService

_overrides: dict[str, Any] = {}


def override(name: str, value: Any) -> None:
    """Replace a wired object (tests only)."""
    _overrides[name] = value


def reset() -> None:
    _overrides.clear()
    for built in (
        token_verifier,
        job_service,
        identity,
        studios,
        photos,
        storage,
        upload_service,
        ingest_service,
        work_queue,
        gallery_builds,
        review_service,
        subjects,
        access_codes,
        subject_service,
        document_service,
        document_renderer,
        pricing_service,
        _bound_table,
    ):
        built.cache_clear()


@cache
def token_verifier() -> TokenVerifier:
    if "token_verifier" in _overrides:
        return _overrides["token_verifier"]  # type: ignore[no-any-return,unused-ignore]
    from chalicelib.adapters.tokens import TokenVerifier

    settings = get_settings()
    return TokenVerifier(
        jwks_url=settings.jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.user_pool_client_id,
    )


@cache
def _bound_table() -> str:
    from chalicelib.adapters.dynamo.models import bind_table

    name = get_settings().table_name
    bind_table(name)
    return name


@cache
def studios() -> StudioRepository:
    from chalicelib.adapters.dynamo.studios_repository import StudioRepository

    _bound_table()
    return StudioRepository()


@cache
def job_service() -> JobService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.studios_repository import ContracteeRepository
    from chalicelib.services.jobs import JobService
    from chalicelib.services.subjects import SubjectCleanup
    from chalicelib.services.uploads import PhotoCleanup

    _bound_table()
    cleanup = PhotoCleanup(photos(), storage())
    galleries = gallery_builds().delete_job_galleries
    # Retire the job's access codes first: they are what must never work again.
    codes = SubjectCleanup(subjects(), access_codes(), storage())
    from chalicelib.adapters.dynamo.pricing_repository import (
        PriceProfileRepository,
        VoucherRepository,
    )

    vouchers = VoucherRepository().delete_job_vouchers
    return JobService(
        JobRepository(),
        ContracteeRepository(),
        studios(),
        deletion_steps=[codes, galleries, cleanup, vouchers],
        price_profiles=PriceProfileRepository(),
    )


@cache
def photos() -> PhotoRepository:
    from chalicelib.adapters.dynamo.photos_repository import PhotoRepository

    _bound_table()
    return PhotoRepository()


@cache
def storage() -> MediaStorage:
    from chalicelib.adapters.storage import MediaStorage

    return MediaStorage(get_settings().bucket_name)


@cache
def upload_service() -> UploadService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.services.uploads import UploadService

    _bound_table()
    return UploadService(
        JobRepository(), photos(), storage(), max_upload_bytes=get_settings().max_upload_bytes
    )


@cache
def identity() -> CognitoIdentity:
    from chalicelib.adapters.identity import CognitoIdentity

    settings = get_settings()
    return CognitoIdentity(client_id=settings.user_pool_client_id)


@cache
def ingest_service() -> IngestService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.services.ingest import IngestService

    _bound_table()
    return IngestService(
        JobRepository(), photos(), storage(), max_upload_bytes=get_settings().max_upload_bytes
    )


@cache
def work_queue() -> WorkQueue:
    from chalicelib.adapters.queue import WorkQueue

    return WorkQueue(get_settings().work_queue_url)


@cache
def gallery_builds() -> GalleryBuilds:
    if "gallery_builds" in _overrides:
        return _overrides["gallery_builds"]  # type: ignore[no-any-return,unused-ignore]
    from chalicelib.adapters.dynamo.gallery_builds_repository import GalleryBuildRepository
    from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
    from chalicelib.services.galleries import GalleryBuilds, NameListSubjects

    _bound_table()
    return GalleryBuilds(
        JobRepository(),
        photos(),
        NameListSubjects(subjects()),
        ReviewDecisionRepository(),
        GalleryBuildRepository(),
        GalleryResultRepository(),
        work_queue(),
    )


@cache
def review_service() -> ReviewService:
    from chalicelib.adapters.dynamo.gallery_builds_repository import GalleryBuildRepository
    from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
    from chalicelib.services.galleries import NameListSubjects
    from chalicelib.services.review import ReviewService

    _bound_table()
    return ReviewService(
        JobRepository(),
        photos(),
        NameListSubjects(subjects()),
        ReviewDecisionRepository(),
        GalleryBuildRepository(),
        GalleryResultRepository(),
        storage(),
        gallery_builds(),
    )


@cache
def subjects() -> SubjectRepository:
    from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository

    _bound_table()
    return SubjectRepository()


@cache
def access_codes() -> AccessCodeRepository:
    """Code -> studio, job, subject: the shop's login lookup (one GetItem)."""
    from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository

    _bound_table()
    return AccessCodeRepository()


@cache
def subject_service() -> SubjectService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.services.subjects import SubjectService

    _bound_table()
    return SubjectService(JobRepository(), subjects(), access_codes())


@cache
def document_service() -> DocumentService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.functions import FunctionInvoker
    from chalicelib.services.documents import DocumentService

    _bound_table()
    return DocumentService(
        JobRepository(),
        subjects(),
        storage(),
        FunctionInvoker(),
        function_name=get_settings().documents_function,
    )


@cache
def document_renderer() -> DocumentRenderer:
    """The PDF side (functions/render_documents): the only wiring that imports reportlab."""
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.services.document_rendering import DocumentRenderer

    _bound_table()
    return DocumentRenderer(
        JobRepository(),
        subjects(),
        storage(),
        shop_url=get_settings().shop_url,
        first_photos=review_service().first_photo_thumbnails,
    )


@cache
def pricing_service() -> PricingService:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.pricing_repository import (
        PriceProfileRepository,
        VoucherRepository,
    )
    from chalicelib.services.pricing import PricingService

    _bound_table()
    return PricingService(JobRepository(), PriceProfileRepository(), VoucherRepository())
