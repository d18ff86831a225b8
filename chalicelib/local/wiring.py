"""The cloud's wiring, emulated locally: what AWS does between our resources and functions.

* SQS -> Lambda: :class:`QueueDrainer` receives from a queue and calls the function handler with
  the event shape of the SQS event source mapping, deleting only the records the handler did not
  report in ``batchItemFailures`` (partial batch responses).
* EventBridge Scheduler -> Lambda: :class:`ScheduleFirer` fires due one-time ``at(...)``
  schedules (moto stores schedules but never fires them) with the payload AWS delivers: the
  target's ``Input`` JSON as the event.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.resources import SEND_MESSAGES_ASYNC_RETRIES

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda context object our handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 1024
    timeout_seconds: int = 60

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event an SQS event source mapping passes to Lambda for received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class QueueDrainer:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        function_name: str,
        batch_size: int = 10,
        retry_after_seconds: int = 2,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._handler = handler
        self._function_name = function_name
        self._batch_size = batch_size
        # AWS retries a failed record after the queue's visibility timeout; locally we make it
        # visible again sooner so that a person sees the retry (and the DLQ) within seconds.
        self._retry_after = retry_after_seconds
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._region = sqs.meta.region_name

    def drain_once(self, wait_seconds: int = 0) -> int:
        """Deliver one batch; returns how many records were delivered."""
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return 0
        event = sqs_event(messages, self._arn, self._region)
        try:
            response = self._handler(event, LocalLambdaContext(self._function_name)) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:  # the whole invocation failed: every record is retried, as on AWS
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self._retry_after,
                )
            else:
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(messages)

    def drain(self, max_batches: int = 1000) -> int:
        total = 0
        for _ in range(max_batches):
            delivered = self.drain_once()
            if not delivered:
                break
            total += delivered
        return total


def invoke_asynchronously(
    handler: Handler, event: dict[str, Any], function_name: str, *, retries: int
) -> Any:
    """Run ``handler`` as Lambda runs an asynchronous invocation: a run that raises is run
    again, up to ``retries`` times (on AWS a minute or two later, here at once); the last
    error propagates."""
    for attempt in range(retries + 1):
        try:
            return handler(event, LocalLambdaContext(function_name))
        except Exception as exc:
            if attempt == retries:
                raise
            print(
                f"[lambda {function_name}] {type(exc).__name__}: {exc}; "
                f"retry {attempt + 1} of {retries}",
                file=sys.stderr,
            )
    return None


def schedule_due_at(schedule: dict[str, Any]) -> datetime | None:
    """The UTC time a one-time ``at(...)`` schedule fires, or None for other expressions."""
    expression = schedule.get("ScheduleExpression", "")
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    local = datetime.fromisoformat(expression[3:-1])
    zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone") or "UTC")
    return local.replace(tzinfo=zone).astimezone(UTC)


class ScheduleFirer:
    def __init__(
        self,
        scheduler: Any,
        group: str,
        targets: dict[str, Handler],
        *,
        async_retries: int = SEND_MESSAGES_ASYNC_RETRIES,
    ) -> None:
        """``targets`` maps a target Lambda ARN to the handler it stands for; Scheduler invokes
        it asynchronously, so Lambda retries a failed run ``async_retries`` times."""
        self._scheduler = scheduler
        self._group = group
        self._targets = targets
        self._async_retries = async_retries
        self._fired: set[tuple[str, str]] = set()

    def fire_due(self, now: datetime | None = None) -> list[str]:
        """Fire every enabled schedule of the group that is due at ``now``; returns their names.
        A schedule fires once per expression; ``ActionAfterCompletion=DELETE`` deletes it."""
        now = now or datetime.now(UTC)
        fired = []
        for summary in self._list():
            schedule = self._scheduler.get_schedule(GroupName=self._group, Name=summary["Name"])
            due = schedule_due_at(schedule)
            marker = (schedule["Name"], schedule["ScheduleExpression"])
            if schedule.get("State") == "DISABLED" or due is None or due > now:
                continue
            if marker in self._fired:
                continue
            handler = self._targets.get(schedule["Target"]["Arn"])
            if handler is None:
                continue
            payload = json.loads(schedule["Target"].get("Input") or "{}")
            self._fired.add(marker)
            name = schedule["Target"]["Arn"].rsplit(":", 1)[-1]
            try:
                invoke_asynchronously(handler, payload, name, retries=self._async_retries)
            except Exception as exc:  # Scheduler's invoke succeeded; the function failed
                print(f"[lambda {name}] gave up on {schedule['Name']}: {exc}", file=sys.stderr)
            fired.append(schedule["Name"])
            if schedule.get("ActionAfterCompletion") == "DELETE":
                self._scheduler.delete_schedule(GroupName=self._group, Name=schedule["Name"])
        return fired

    def _list(self) -> list[dict[str, Any]]:
        schedules: list[dict[str, Any]] = []
        token = None
        while True:
            kwargs: dict[str, Any] = {"GroupName": self._group}
            if token:
                kwargs["NextToken"] = token
            page = self._scheduler.list_schedules(**kwargs)
            schedules.extend(page.get("Schedules", []))
            token = page.get("NextToken")
            if not token:
                return schedules
