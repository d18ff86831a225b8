"""Gallery build benchmark: wall time and DynamoDB requests of a build, at two sizes.

    python -m tests.bench.bench_galleries [--photos 2500 10000] [--photos-per-subject 4]

Starts its own moto server (like tests/conftest.py), creates the stage, and per size a job
whose subjects were each photographed as card + portraits, 25 subjects per class album, two
portraits before the first card of every tenth album (flags to review). Photo records are
written directly as processed (``ready``): this measures the build, not image processing.

Per size it requests a build and delivers the work-queue message to the real
``functions/build_galleries`` handler, twice: the first build (writes every gallery and hides
every card photo) and a rebuild (writes every gallery again, deletes the previous run's results,
changes no photo). DynamoDB requests are counted per operation with a botocore ``before-call``
hook on every client PynamoDB creates; a Scan would show as its own column (it must stay 0).
Requests must grow linearly with the photos: the last column shows requests per 1,000 photos.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

OPERATIONS = (
    "Query",
    "GetItem",
    "PutItem",
    "UpdateItem",
    "BatchWriteItem",
    "BatchGetItem",
    "TransactWriteItems",
    "Scan",
)
CLASS_SIZE = 25
CAMERA = "6012345"


@dataclass
class Calls:
    """DynamoDB calls by operation: how many, and the seconds spent waiting for them."""

    count: Counter[str] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)

    def clear(self) -> None:
        self.count.clear()
        self.seconds.clear()

    def copy(self) -> Calls:
        return Calls(Counter(self.count), Counter(self.seconds))


@dataclass
class Measured:
    label: str
    photos: int
    subjects: int
    seconds: float
    calls: Calls
    outcome: str


def count_dynamodb_requests() -> Calls:
    """Count every DynamoDB API call of the clients PynamoDB creates from now on, by operation
    (botocore ``before-call`` / ``after-call`` hooks on the session each PynamoDB connection
    makes; both get the same per-call ``context``, which carries the start time)."""
    import botocore.session
    import pynamodb.connection.base as pynamodb_base

    calls = Calls()

    def before(model: Any, context: dict[str, Any], **_: Any) -> None:
        calls.count[model.name] += 1
        context["bench_started"] = time.perf_counter()

    def after(model: Any, context: dict[str, Any], **_: Any) -> None:
        calls.seconds[model.name] += time.perf_counter() - context["bench_started"]

    def counting_session() -> Any:
        session = botocore.session.get_session()
        session.register("before-call.dynamodb", before)
        session.register("after-call.dynamodb", after)
        return session

    pynamodb_base.get_session = counting_session  # type: ignore[assignment]
    return calls


def main() -> int:
    args = _parse_args()
    calls = count_dynamodb_requests()  # before any connection exists
    from chalicelib.local.endpoint import MotoEndpoint, free_port

    endpoint = MotoEndpoint("127.0.0.1", free_port())
    endpoint.start()
    try:
        os.environ.update(endpoint.environment())
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        stage = _create_stage()
        results: list[Measured] = []
        for photos in args.photos:
            subjects = photos // args.photos_per_subject
            job_id, studio_id = _seed(photos, args.photos_per_subject)
            for label in ("first build", "rebuild"):
                results.append(_measure(label, job_id, studio_id, stage, calls, subjects))
                print(f"  {photos} photos: {label} done", file=sys.stderr, flush=True)
        _print_table(results)
    finally:
        endpoint.stop()
    return 0


def _create_stage() -> Any:
    from chalicelib import wiring
    from chalicelib.config import get_settings
    from chalicelib.local.bootstrap import StageNames, create_stage

    stage = create_stage(StageNames(stage="bench"), cors_origins=["http://127.0.0.1"])
    os.environ.update(stage.environment)
    get_settings.cache_clear()
    wiring.reset()
    return stage


def _seed(photo_count: int, per_subject: int) -> tuple[str, str]:
    """A job with photo_count / per_subject subjects and their processed photos."""
    from chalicelib import wiring
    from chalicelib.adapters.dynamo.models import TableItem
    from chalicelib.adapters.dynamo.studios_repository import Studio
    from chalicelib.adapters.dynamo.subjects_repository import item_from_subject
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.photos import Code, Photo, original_key
    from chalicelib.domain.principal import Principal
    from chalicelib.domain.subjects import Subject
    from chalicelib.domain.tags import make_tag

    now = datetime.now(UTC)
    studio_id = new_id()
    wiring.studios().put(Studio(studio_id, "Bench Studio", "Europe/Berlin", now))
    who = Principal(studio_id=studio_id, user_id="bench", email="bench@example.com")
    job, _ = wiring.job_service().create_job(
        who, {"name": "Bench School", "shooting_date": "2026-09-14", "job_type": "bench"}
    )
    subjects = [
        Subject(
            job_id=job.job_id,
            studio_id=studio_id,
            subject_id=new_id(),
            first_name=f"Kid{index:05d}",
            last_name="Bench",
            class_name=f"C{index // CLASS_SIZE:04d}",
            access_code=new_id(),
            created_at=now,
            updated_at=now,
        )
        for index in range(photo_count // per_subject)
    ]
    with TableItem.batch_write() as batch:
        for subject in subjects:
            batch.save(item_from_subject(subject))
    photos: list[Photo] = []
    taken = datetime(2026, 9, 14, 8, 0)

    def add(subject: Subject, card: bool, album: str) -> None:
        nonlocal taken
        taken += timedelta(seconds=30 if card else 4)
        photo_id = new_id()
        name = f"IMG_{len(photos):05d}.JPG"
        tag = make_tag(job.job_id, subject.subject_id)
        photos.append(
            Photo(
                job_id=job.job_id,
                studio_id=studio_id,
                photo_id=photo_id,
                album=album,
                original_name=name,
                original_key=original_key(studio_id, job.job_id, album, photo_id, name),
                size=5_000_000,
                content_type="image/jpeg",
                created_at=now,
                state="ready",
                capture_time=taken.isoformat(timespec="milliseconds"),
                camera_serial=CAMERA,
                codes=(Code(tag, "QRCode", True, (10, 10, 200, 200)),) if card else (),
                preview_key=f"derived/{studio_id}/{job.job_id}/{photo_id}/preview.jpg",
                thumbnail_key=f"derived/{studio_id}/{job.job_id}/{photo_id}/thumb.jpg",
                processed_at=now,
            )
        )

    for index, subject in enumerate(subjects):
        album = subject.class_name
        if index % (CLASS_SIZE * 10) == 0 and len(photos) + 2 + per_subject <= photo_count:
            add(subject, False, album)  # before the first card of the album: flagged
            add(subject, False, album)
        add(subject, True, album)
        for _ in range(per_subject - 1):
            add(subject, False, album)
    while len(photos) < photo_count:
        add(subjects[-1], False, subjects[-1].class_name)
    wiring.photos().add_uploads(photos[:photo_count])
    return job.job_id, studio_id


def _measure(
    label: str, job_id: str, studio_id: str, stage: Any, calls: Calls, subjects: int
) -> Measured:
    from chalicelib import wiring
    from chalicelib.adapters.aws import client
    from chalicelib.domain.principal import Principal
    from chalicelib.local.wiring import QueueDrainer
    from functions.build_galleries.handler import handler

    who = Principal(studio_id=studio_id, user_id="bench", email="bench@example.com")
    drainer = QueueDrainer(
        client("sqs"), stage.work_queue_url, handler, function_name="build_galleries"
    )
    calls.clear()
    began = time.perf_counter()
    wiring.gallery_builds().request(who, job_id)
    drainer.drain()
    seconds = time.perf_counter() - began
    run = wiring.gallery_builds().status(who, job_id)
    photos = run.progress.photos_total or 0
    return Measured(label, photos, subjects, seconds, calls.copy(), run.state)


def _print_table(results: list[Measured]) -> None:
    short = {
        "BatchWriteItem": "BatchWrite",
        "BatchGetItem": "BatchGet",
        "TransactWriteItems": "Transact",
    }
    names = [short.get(op, op) for op in OPERATIONS]
    header = (
        f"{'photos':>7} {'subjects':>8} {'build':<12} {'state':<6} {'wall s':>7} "
        + " ".join(f"{n:>10}" for n in names)
        + f" {'total':>7} {'per 1k photos':>14}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        total = sum(r.calls.count.values())
        per_k = 1000 * total / r.photos if r.photos else 0.0
        print(
            f"{r.photos:>7} {r.subjects:>8} {r.label:<12} {r.outcome:<6} {r.seconds:>7.2f} "
            + " ".join(f"{r.calls.count.get(op, 0):>10}" for op in OPERATIONS)
            + f" {total:>7} {per_k:>14.1f}"
        )
    other = {op for r in results for op in r.calls.count} - set(OPERATIONS)
    if other:
        print("other operations:", ", ".join(sorted(other)))
    print(
        "(requests from the build request to the published run, counted on the client; "
        "moto on 127.0.0.1, so wall time is local overhead, not DynamoDB latency)\n"
    )
    print("seconds waiting for DynamoDB (moto), by operation (UpdateItem runs 8 in parallel):")
    print(f"{'photos':>7} {'build':<12} " + " ".join(f"{n:>10}" for n in names))
    for r in results:
        print(
            f"{r.photos:>7} {r.label:<12} "
            + " ".join(f"{r.calls.seconds.get(op, 0.0):>10.2f}" for op in OPERATIONS)
        )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, nargs="+", default=[2500, 10_000])
    parser.add_argument("--photos-per-subject", type=int, default=4)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
