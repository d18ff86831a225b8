"""Work queue (SQS) -> this function: one gallery build per message.

Thin adapter: parse each record into a ``BuildMessage``, call ``GalleryBuilds.run`` and report
failed records only (partial batch response). A redelivered message for a finished or replaced
run changes nothing; an unexpected error hands the run back to the queue's retry.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import wiring
from chalicelib.domain.build_runs import BuildMessage, parse_build_message

logger = Logger(service="build_galleries")
metrics = Metrics(namespace="photojobs", service="build_galleries")
processor = BatchProcessor(event_type=EventType.SQS)


def build_request(record: SQSRecord) -> tuple[BuildMessage, int]:
    """The build a record asks for and how often it was delivered (raises ``BadMessage``)."""
    receive_count = int(record.attributes.approximate_receive_count or 1)
    return parse_build_message(record.body), receive_count


def record_handler(record: SQSRecord) -> None:
    message, receive_count = build_request(record)
    logger.append_keys(job_id=message.job_id, run_id=message.run_id)
    outcome = wiring.gallery_builds().run(message, receive_count=receive_count)
    logger.info("gallery build handled", extra={"outcome": outcome})
    metrics.add_metric(name=f"GalleryBuilds_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
