"""Sending one step to 5,000 recipients against the local endpoint (moto's server): wall time,
requests per message, and a second run (a re-fired schedule) that sends nothing.

The customers are written straight into the table (the shop's registration path is not what is
measured); the run is the real ``functions/send_messages`` handler with a date payload. Counts
every HTTP request the process sends (boto3 and PynamoDB). Prints numbers, asserts nothing but
the exactly-once outcome.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import botocore.endpoint

REQUESTS: Counter[str] = Counter()
_send = botocore.endpoint.Endpoint._send


def _counting_send(self, request):  # type: ignore[no-untyped-def]
    REQUESTS[self.host] += 1
    return _send(self, request)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()

    from chalicelib.local.endpoint import MotoEndpoint, free_port

    endpoint = MotoEndpoint("127.0.0.1", free_port())
    endpoint.start()
    try:
        return run(endpoint, args.recipients, args.workers)
    finally:
        endpoint.stop()


def run(endpoint, recipients: int, workers: int) -> int:  # type: ignore[no-untyped-def]
    os.environ.update(endpoint.environment())
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ["PHOTOJOBS_API_URL"] = "http://127.0.0.1:8000"
    from chalicelib import wiring
    from chalicelib.adapters.dynamo import keys
    from chalicelib.adapters.dynamo.models import CustomerItem, TableItem
    from chalicelib.adapters.dynamo.studios_repository import Studio
    from chalicelib.config import get_settings
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.principal import Principal
    from chalicelib.local.bootstrap import StageNames, create_stage
    from chalicelib.local.wiring import LocalLambdaContext

    stage = create_stage(StageNames(), cors_origins=["http://127.0.0.1"])
    os.environ.update(stage.environment)
    get_settings.cache_clear()
    wiring.reset()
    # The status change's dispatch ("online" to everybody) is not what is measured here.
    wiring.override("messages_function", type("NoDispatch", (), {"start": lambda s, p: None})())
    studio_id = new_id()
    wiring.studios().put(Studio(studio_id, "Bench Studio", "Europe/Berlin", datetime.now(UTC)))
    who = Principal(studio_id, "bench", "bench@example.com")
    today = datetime.now(UTC).date()
    archive = today + timedelta(days=30)
    job, _ = wiring.job_service().create_job(
        who,
        {
            "name": "St. John Primary School",
            "shooting_date": today.isoformat(),
            "job_type": "school",
            "communication_profile_id": "default",
            "archive_date": archive.isoformat(),
            "timezone": "Europe/Berlin",
        },
    )
    now = datetime.now(UTC)
    with TableItem.batch_write() as batch:
        for number in range(recipients):
            email = f"parent{number:05d}@example.com"
            batch.save(
                CustomerItem(
                    keys.job_pk(job.job_id),
                    keys.customer_sk(email),
                    customer_id=new_id(),
                    job_id=job.job_id,
                    studio_id=studio_id,
                    email=email,
                    first_name=f"Parent {number}",
                    last_name="Bench",
                    marketing_consent=True,
                    created_at=now,
                    updated_at=now,
                )
            )
    wiring.job_service().change_status(who, job.job_id, {"status": "selling", "force": True})
    payload = {
        "v": 1, "kind": "date", "studio_id": studio_id, "job_id": job.job_id,
        "step_id": "archive-7d", "trigger": "archive_due", "anchor": archive.isoformat(),
        "offset": "-P7D", "fire_at": f"{archive - timedelta(days=7)}T10:00:00",
        "timezone": "Europe/Berlin",
    }  # fmt: skip
    wiring.message_sender()._workers = workers  # a bench knob
    from functions.send_messages.handler import handler

    botocore.endpoint.Endpoint._send = _counting_send
    print(f"sending one step to {recipients} recipients ({workers} workers), local endpoint")
    for label in ("first run", "second run (re-fired)"):
        REQUESTS.clear()
        started = time.perf_counter()
        report = handler(payload, LocalLambdaContext("send_messages"))
        seconds = time.perf_counter() - started
        total = sum(REQUESTS.values())
        per = total / max(report["sent"], 1)
        print(
            f"  {label:<22} sent {report['sent']:>5}  not again {report['already_handled']:>5}"
            f"  {seconds:7.1f} s  {report['sent'] / seconds if seconds else 0:7.1f} msg/s"
            f"  requests {total:>6}" + (f" ({per:.2f} per message)" if report["sent"] else "")
        )
    ok = report["sent"] == 0 and report["already_handled"] == recipients
    print("  exactly once:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
