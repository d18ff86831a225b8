"""S3 ObjectCreated (originals/) -> SQS -> this function: one photo record per upload.

Thin adapter: parse the SQS-wrapped S3 events, call ``IngestService.ingest`` per object, and
report failed records only (partial batch response) so that SQS retries just those.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import wiring
from chalicelib.services.ingest import UploadedObject

logger = Logger(service="process_upload")
metrics = Metrics(namespace="photojobs", service="process_upload")
processor = BatchProcessor(event_type=EventType.SQS)


def uploaded_objects(record: SQSRecord) -> list[UploadedObject]:
    """The objects an SQS record announces; S3's test event announces none."""
    body = json.loads(record.body)
    if body.get("Event") == "s3:TestEvent":
        return []
    receive_count = int(record.attributes.approximate_receive_count or 1)
    return [
        UploadedObject(
            bucket=s3.s3.bucket.name,
            key=unquote_plus(s3.s3.get_object.key),  # S3 URL-encodes keys; decode exactly once
            etag=s3.s3.get_object.etag or "",
            size=s3.s3.get_object.size,
            receive_count=receive_count,
        )
        for s3 in S3Event(body).records
        if s3.event_name.startswith("ObjectCreated")
    ]


def record_handler(record: SQSRecord) -> None:
    for upload in uploaded_objects(record):
        outcome = wiring.ingest_service().ingest(upload)
        logger.info("upload processed", extra={"key": upload.key, "outcome": outcome})
        metrics.add_metric(name=f"Photos_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
