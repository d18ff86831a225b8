"""The composition root: settings, verifier, repositories and services, built once per process
for the API and the functions, and replaceable in tests through :func:`override`.
Heavy imports (PynamoDB, boto3) happen here, lazily."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
    from chalicelib.adapters.dynamo.studios_repository import StudioRepository
    from chalicelib.adapters.identity import CognitoIdentity
    from chalicelib.adapters.storage import MediaStorage
    from chalicelib.adapters.tokens import TokenVerifier
    from chalicelib.services.ingest import IngestService
    from chalicelib.services.jobs import JobService
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
    from chalicelib.services.uploads import PhotoCleanup

    _bound_table()
    cleanup = PhotoCleanup(photos(), storage())
    return JobService(JobRepository(), ContracteeRepository(), studios(), deletion_steps=[cleanup])


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
