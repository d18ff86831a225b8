"""The media bucket: presigned uploads and downloads, originals and derived files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.errors import NotFound, ValidationFailed

UPLOAD_URL_SECONDS = 15 * 60
DOWNLOAD_URL_SECONDS = 10 * 60  # every link we hand out is signed and short-lived
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 !#$&+,.;=@^_`{}~()\[\]-]+")


def attachment_disposition(file_name: str) -> str:
    """``Content-Disposition`` that saves a download as ``file_name`` (RFC 6266): a plain ASCII
    ``filename`` for old browsers (quotes, slashes and control characters replaced) and the
    exact UTF-8 name in ``filename*``."""
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    plain = _NOT_PLAIN.sub("_", ascii_name).strip()
    if not plain.strip("._"):
        plain = "download" + plain[plain.rfind(".") :] if "." in plain else "download"
    elif plain.startswith("."):  # a name that was all non-ASCII but its extension
        plain = "download" + plain
    exact = quote(file_name, safe="")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{exact}"


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class MediaStorage:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self._client = client

    @cached_property
    def _s3(self) -> Any:
        if self._client is not None:
            return self._client
        import boto3

        # SigV4 for every presigned URL and POST policy.
        config = Config(signature_version="s3v4", retries={"mode": "standard"})
        return boto3.session.Session().client("s3", config=config)

    def presigned_post(self, key: str, content_type: str, max_bytes: int) -> PresignedPost:
        """A POST that can only create ``key``, with this content type and at most
        ``max_bytes`` (S3 enforces the policy; the processing function re-checks both)."""
        answer = self._s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=UPLOAD_URL_SECONDS,
        )
        return PresignedPost(answer["url"], dict(answer["fields"]))

    def start_multipart(self, key: str, content_type: str) -> str:
        answer = self._s3.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(answer["UploadId"])

    def presigned_part(self, key: str, upload_id: str, part_number: int) -> str:
        return str(
            self._s3.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "UploadId": upload_id,
                    "PartNumber": part_number,
                },
                ExpiresIn=UPLOAD_URL_SECONDS,
            )
        )

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        try:
            self._s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]},
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "NoSuchUpload":
                raise NotFound("no such multipart upload", field="upload_id") from exc
            if code in ("InvalidPart", "InvalidPartOrder", "EntityTooSmall"):
                raise ValidationFailed([{"field": "parts", "reason": code}]) from exc
            raise

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchUpload":
                raise

    def read(self, key: str) -> bytes:
        return bytes(self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def write(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="private, max-age=600",
        )

    def signed_url(
        self, key: str, seconds: int = DOWNLOAD_URL_SECONDS, *, download_name: str | None = None
    ) -> str:
        """A GET link; with `download_name` the browser saves the file under that name."""
        params = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = attachment_disposition(download_name)
        return str(self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            self._s3.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True},
            )

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under `prefix` (e.g. a job's rendered documents)."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        for page in pages:
            self.delete([obj["Key"] for obj in page.get("Contents", [])])
