"""EventBridge Scheduler (a fired one-time schedule) or an asynchronous invoke (a status change,
a newsletter) -> this function: send one step of a job to its audience, exactly once per
recipient.

Thin adapter: the event is the schedule's ``Input`` payload as planned by
``chalicelib.domain.communication``; ``MessageSender.handle`` does the rest. ``RetryLater``
propagates so that Lambda's asynchronous retry runs the step again (bounded: each message
has at most ``MAX_SEND_ATTEMPTS`` attempts; the claims keep sent messages from going twice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib import wiring

if TYPE_CHECKING:
    from chalicelib.services.messages import SendReport

logger = Logger(service="send_messages")
metrics = Metrics(namespace="photojobs", service="send_messages")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.services.messages import RetryLater

    logger.append_keys(job_id=event.get("job_id"), step_id=event.get("step_id"))
    try:
        report = wiring.message_sender().handle(event)
    except RetryLater as retry:  # counted too: a run Lambda will repeat still sent some
        logger.warning("messages handled, some to retry", extra=retry.report.as_dict())
        _count(retry.report)
        raise
    logger.info("messages handled", extra=report.as_dict())
    _count(report)
    return report.as_dict()


def _count(report: SendReport) -> None:
    metrics.add_metric(name="MessagesSent", unit=MetricUnit.Count, value=report.sent)
    metrics.add_metric(name="MessagesFailed", unit=MetricUnit.Count, value=report.failed)
    metrics.add_metric(name="MessagesToRetry", unit=MetricUnit.Count, value=report.retry_pending)
