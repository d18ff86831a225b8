"""The local emulation of AWS's wiring, against the real endpoint: S3 -> SQS -> handler with
partial batch failures and the DLQ, and Scheduler -> handler for due one-time schedules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event, SQSEvent

from chalicelib.adapters.aws import client
from chalicelib.local.wiring import QueueDrainer, ScheduleFirer
from tests.conftest import load_event

pytestmark = pytest.mark.integration


class RecordingHandler:
    """A trivial Lambda handler: records the S3 keys it is given, fails the ones asked to."""

    def __init__(self, fail_keys: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.keys: list[str] = []
        self.fail_keys = set(fail_keys)
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        failures = []
        for record in SQSEvent(event).records:
            body = json.loads(record.body)
            if body.get("Event") == "s3:TestEvent":
                continue
            for s3_record in S3Event(body).records:
                key = unquote_plus(s3_record.s3.get_object.key)
                self.keys.append(key)
                if key in self.fail_keys:
                    failures.append({"itemIdentifier": record.message_id})
        return {"batchItemFailures": failures}


def put(stage: Any, key: str) -> None:
    client("s3").put_object(Bucket=stage.names.bucket, Key=key, Body=b"\xff\xd8\xff jpeg bytes")


def test_uploads_reach_the_handler_with_the_aws_event_shape(stage):
    handler = RecordingHandler()
    drainer = QueueDrainer(client("sqs"), stage.upload_queue_url, handler, function_name="t")
    # Like AWS, the endpoint posted an s3:TestEvent when the notification was configured.
    assert drainer.drain() == 1
    assert json.loads(handler.events[0]["Records"][0]["body"])["Event"] == "s3:TestEvent"
    assert handler.keys == []
    put(stage, "originals/S/J/class 3b/Zoë Müller + 1.jpg")
    put(stage, "derived/S/J/preview.jpg")  # derived files never trigger processing
    assert drainer.drain() == 1
    assert handler.keys == ["originals/S/J/class 3b/Zoë Müller + 1.jpg"]
    record = handler.events[1]["Records"][0]
    sample = load_event("sqs_s3_put.json")["Records"][0]
    assert set(record) == set(sample)
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":photojobs-local-uploads")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    # the queue is empty afterwards: successful records are deleted
    assert drainer.drain() == 0


def test_failed_records_come_back_and_end_in_the_dead_letter_queue(stage):
    handler = RecordingHandler(fail_keys={"originals/bad.jpg"})
    sqs = client("sqs")
    drainer = QueueDrainer(
        sqs, stage.upload_queue_url, handler, function_name="t", retry_after_seconds=0
    )
    drainer.drain()  # the s3:TestEvent
    put(stage, "originals/good.jpg")
    put(stage, "originals/bad.jpg")
    for _ in range(12):
        drainer.drain_once()
    assert handler.keys.count("originals/good.jpg") == 1
    assert handler.keys.count("originals/bad.jpg") == 5  # maxReceiveCount
    dead = sqs.receive_message(QueueUrl=stage.dead_letter_queue_url, MaxNumberOfMessages=10)
    bodies = [json.loads(m["Body"]) for m in dead.get("Messages", [])]
    assert [unquote_plus(b["Records"][0]["s3"]["object"]["key"]) for b in bodies] == [
        "originals/bad.jpg"
    ]


def test_a_handler_that_raises_fails_the_whole_batch(stage):
    calls = []

    def broken(event: dict[str, Any], context: Any) -> None:
        calls.append(len(event["Records"]))
        raise RuntimeError("boom")

    drainer = QueueDrainer(
        client("sqs"), stage.upload_queue_url, broken, function_name="t", retry_after_seconds=0
    )
    drainer.drain_once()
    drainer.drain_once()
    assert calls == [1, 1]  # delivered again: nothing was deleted


def schedule(stage: Any, name: str, at_local: datetime, tz: str, arn: str, payload: dict) -> None:
    client("scheduler").create_schedule(
        Name=name,
        GroupName=stage.names.schedule_group,
        ScheduleExpression=f"at({at_local.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone=tz,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": arn,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps(payload),
        },
        ActionAfterCompletion="NONE",
    )


def test_due_schedules_fire_once_with_their_payload_in_their_time_zone(stage):
    received: list[dict[str, Any]] = []
    arn = "arn:aws:lambda:us-east-1:123456789012:function:photojobs-local-send_messages"
    firer = ScheduleFirer(
        client("scheduler"), stage.names.schedule_group, {arn: lambda e, c: received.append(e)}
    )
    payload = load_event("scheduler_send_messages.json")
    # 10:00 in Berlin is 09:00 UTC in winter; 10:00 in New York is 15:00 UTC
    schedule(stage, "pj-berlin", datetime(2026, 12, 1, 10, 0), "Europe/Berlin", arn, payload)
    schedule(stage, "pj-newyork", datetime(2026, 12, 1, 10, 0), "America/New_York", arn, {"n": 2})
    assert firer.fire_due(datetime(2026, 12, 1, 8, 59, tzinfo=UTC)) == []
    assert firer.fire_due(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == ["pj-berlin"]
    assert received == [payload]
    assert firer.fire_due(datetime(2026, 12, 1, 14, 0, tzinfo=UTC)) == []  # fired once only
    assert firer.fire_due(datetime(2026, 12, 1, 15, 0, tzinfo=UTC)) == ["pj-newyork"]
    assert received[-1] == {"n": 2}


def test_a_moved_schedule_fires_again_at_its_new_time_and_unknown_targets_are_left(stage):
    received: list[dict[str, Any]] = []
    arn = "arn:aws:lambda:us-east-1:123456789012:function:photojobs-local-send_messages"
    firer = ScheduleFirer(
        client("scheduler"), stage.names.schedule_group, {arn: lambda e, c: received.append(e)}
    )
    now = datetime.now(UTC)
    schedule(stage, "pj-x", (now - timedelta(minutes=1)).replace(tzinfo=None), "UTC", arn, {"v": 1})
    schedule(
        stage,
        "pj-other",
        (now - timedelta(minutes=1)).replace(tzinfo=None),
        "UTC",
        "arn:aws:lambda:us-east-1:123456789012:function:unknown",
        {},
    )
    assert firer.fire_due() == ["pj-x"]
    later = now + timedelta(hours=1)
    client("scheduler").update_schedule(
        Name="pj-x",
        GroupName=stage.names.schedule_group,
        ScheduleExpression=f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": arn,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"v": 2}),
        },
    )
    assert firer.fire_due() == []
    assert firer.fire_due(later + timedelta(seconds=1)) == ["pj-x"]
    assert received == [{"v": 1}, {"v": 2}]
