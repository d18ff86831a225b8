"""``photojobs messages fast-forward``: let a job's pending message schedules fire now, on the
local endpoint, so that a person sees what they send without waiting for the date. The
schedules keep their payload (the function checks and sends exactly what it would have); the
running ``photojobs-local`` fires them within a second and they delete themselves."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import boto3

from chalicelib.adapters.scheduler import MessageScheduler
from chalicelib.local.endpoint import LOCAL_CREDENTIALS


def local_scheduler(endpoint_url: str, group: str) -> MessageScheduler:
    session = boto3.session.Session(
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=LOCAL_CREDENTIALS["AWS_DEFAULT_REGION"],
    )
    client = session.client("scheduler", endpoint_url=endpoint_url)
    # Target and role stay as they are: moving a schedule keeps them.
    return MessageScheduler(group=group, target_arn="", role_arn="", client=client)


def fast_forward(
    job_id: str, *, endpoint_url: str, group: str, wait_seconds: float = 10.0
) -> tuple[list[str], list[str]]:
    """Move every schedule of ``job_id`` to now; returns (moved, still pending after waiting
    for the local runner to fire them)."""
    scheduler = local_scheduler(endpoint_url, group)
    moved = scheduler.move_to(job_id, datetime.now(UTC))
    deadline = time.monotonic() + wait_seconds
    pending = moved
    while pending and time.monotonic() < deadline:
        time.sleep(0.25)
        names = {s.name for s in scheduler.job_schedules(job_id)}
        pending = [name for name in moved if name in names]
    return moved, pending
