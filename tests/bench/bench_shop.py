"""Shop login and gallery listing: DynamoDB requests per call and latency against a bare GetItem.

    python -m tests.bench.bench_shop [--subjects 300] [--class-size 25] [--portraits 6]
                                     [--iterations 200]

Starts its own moto server (like tests/conftest.py), creates the stage and a selling school job
with a price profile, ``--subjects`` subjects imported from a names list (so each has a claimed
access code) in classes of ``--class-size``, each photographed as a card and ``--portraits``
portraits in their class's album, plus two group photos per class in the ``group`` album. Photo
records are written directly as processed (``ready``); the galleries are built by the real
``functions/build_galleries`` handler. The real Chalice app then serves HTTP on a free port.

Each iteration logs in with the next subject's code (``POST /shop/session``), lists the gallery
with the new token (``GET /shop/gallery``) and, as the baseline, sends one bare ``GetItem`` of
the job item to the same table. Every HTTP request the process sends to AWS is counted where it
leaves botocore (``Endpoint._send``, so retries and unprocessed-key rounds count too), by the
operation in its ``X-Amz-Target`` header. A last row lists galleries with tokens issued before
a rebuild, whose build run is no longer the published one.

Exit status 1 when the gallery listing needs more than two DynamoDB requests or any call scans;
timings never fail the benchmark (moto on 127.0.0.1: they show local overhead, not DynamoDB's).
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.endpoint

ROOT = Path(__file__).resolve().parents[2]
DYNAMODB_TARGET = "DynamoDB_20120810."
GALLERY_TARGET_REQUESTS = 2
WARM_UP = 5  # iterations not measured: the first requests read the signing key, open sockets
GROUP_PHOTOS_PER_CLASS = 2
CAMERA = "6012345"
PRODUCTS = [
    {"product_id": "p13", "kind": "print", "name": "Portrait 13x18", "size": "13x18",
     "price_minor": 1250},
    {"product_id": "dl", "kind": "download", "name": "Digital file", "price_minor": 900},
]  # fmt: skip


# counting ------------------------------------------------------------------------------------
def operation_of(headers: Any) -> str:
    """``DynamoDB:GetItem`` or ``other:<target>`` for a request's ``X-Amz-Target`` header (JSON
    protocol services name the operation there; S3 and query-protocol services do not)."""
    target = headers.get("X-Amz-Target") if headers is not None else None
    if isinstance(target, bytes):
        target = target.decode()
    if not target:
        return "other:(no target)"
    if target.startswith(DYNAMODB_TARGET):
        return "DynamoDB:" + target[len(DYNAMODB_TARGET) :]
    return "other:" + target


class WireCounter:
    """Counts the requests botocore sends, by operation, from every thread of the process (the
    local API serves in its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.waited = 0.0  # seconds spent waiting for DynamoDB's answers

    def install(self) -> None:
        send = botocore.endpoint.Endpoint._send
        counter = self

        def counting_send(endpoint: Any, request: Any) -> Any:
            operation = operation_of(request.headers)
            began = time.perf_counter()
            try:
                return send(endpoint, request)
            finally:
                with counter._lock:
                    counter.requests[operation] += 1
                    if operation.startswith("DynamoDB:"):
                        counter.waited += time.perf_counter() - began

        botocore.endpoint.Endpoint._send = counting_send  # type: ignore[method-assign]

    def take(self) -> tuple[Counter[str], float]:
        with self._lock:
            taken, waited = Counter(self.requests), self.waited
            self.requests.clear()
            self.waited = 0.0
        return taken, waited


# summary -------------------------------------------------------------------------------------
@dataclass
class Measured:
    label: str
    seconds: list[float] = field(default_factory=list)
    requests: list[Counter[str]] = field(default_factory=list)
    waited: list[float] = field(default_factory=list)  # of ``seconds``, waiting for DynamoDB

    def add(self, seconds: float, requests: Counter[str], waited: float = 0.0) -> None:
        self.seconds.append(seconds)
        self.requests.append(requests)
        self.waited.append(waited)

    def dynamodb(self) -> list[Counter[str]]:
        return [
            Counter(
                {op[len("DynamoDB:") :]: n for op, n in r.items() if op.startswith("DynamoDB:")}
            )
            for r in self.requests
        ]

    def most_requests(self) -> int:
        return max((sum(r.values()) for r in self.dynamodb()), default=0)

    def scans(self) -> int:
        return sum(r.get("Scan", 0) for r in self.dynamodb())

    def breakdown(self) -> str:
        """The usual requests of one call by operation, and the range when calls differ."""
        shapes = Counter(tuple(sorted(r.items())) for r in self.dynamodb())
        (usual, _), *_ = shapes.most_common(1)
        text = " + ".join(f"{n} {op}" for op, n in usual) or "none"
        totals = [sum(r.values()) for r in self.dynamodb()]
        if len(shapes) > 1:
            text += f" (total {min(totals)}-{max(totals)})"
        return text

    def other_aws(self) -> int:
        return max(
            (sum(n for op, n in r.items() if op.startswith("other:")) for r in self.requests),
            default=0,
        )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value at least ``fraction`` of all reach."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def verdict(measured: Measured, target_requests: int | None) -> str:
    """PASS/MISS against the targets: no call scans; at most ``target_requests`` requests."""
    if measured.scans():
        return "MISS (scan)"
    if target_requests is not None and measured.most_requests() > target_requests:
        return f"MISS (> {target_requests})"
    return "PASS" if target_requests is not None else "PASS (0 scans)"


def print_table(rows: Sequence[tuple[Measured, int | None]], baseline: Measured) -> None:
    base = statistics.median(baseline.seconds)
    header = (
        f"{'operation':<38} {'calls':>5}  {'DynamoDB requests per call':<40} {'scans':>5} "
        f"{'other AWS':>9} {'median ms':>9} {'p90 ms':>7} {'x GetItem':>9} "
        f"{'DynamoDB ms':>11}  target"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{baseline.label:<38} {len(baseline.seconds):>5}  {baseline.breakdown():<40} "
        f"{baseline.scans():>5} {baseline.other_aws():>9} {base * 1000:>9.2f} "
        f"{percentile(baseline.seconds, 0.9) * 1000:>7.2f} {1:>9.1f}"
    )
    for measured, target in rows:
        median = statistics.median(measured.seconds)
        target_text = f"<= {target} req, 0 scans" if target is not None else "0 scans"
        print(
            f"{measured.label:<38} {len(measured.seconds):>5}  {measured.breakdown():<40} "
            f"{measured.scans():>5} {measured.other_aws():>9} {median * 1000:>9.2f} "
            f"{percentile(measured.seconds, 0.9) * 1000:>7.2f} {median / base:>9.1f} "
            f"{statistics.median(measured.waited) * 1000:>11.2f}  "
            f"{target_text}: {verdict(measured, target)}"
        )


# the job -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShopJob:
    job_id: str
    studio_id: str
    codes: tuple[str, ...]
    photos: int
    galleries: int


def class_names(subjects: int, class_size: int) -> list[str]:
    """1a, 1b, 2a, 2b, ...: one name per class of ``class_size``."""
    count = -(-subjects // class_size)
    return [f"{1 + n // 2}{'ab'[n % 2]}" for n in range(count)]


def create_stage() -> Any:
    from chalicelib import wiring
    from chalicelib.config import get_settings
    from chalicelib.local.bootstrap import StageNames, create_stage

    stage = create_stage(StageNames(stage="bench"), cors_origins=["http://127.0.0.1"])
    os.environ.update(stage.environment)
    get_settings.cache_clear()
    wiring.reset()
    # A status change's message dispatch is not what is measured here.
    wiring.override("messages_function", type("NoDispatch", (), {"start": lambda s, p: None})())
    return stage


def seed_job(stage: Any, subjects: int, class_size: int, portraits: int) -> ShopJob:
    """A selling school job with a price profile, its names list, processed photos and built
    galleries (see the module's docstring)."""
    from chalicelib import wiring
    from chalicelib.adapters.dynamo.studios_repository import Studio
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.principal import Principal

    now = datetime.now(UTC)
    studio_id = new_id()
    wiring.studios().put(Studio(studio_id, "Bench Studio", "Europe/Berlin", now))
    who = Principal(studio_id=studio_id, user_id="bench", email="bench@example.com")
    profile = wiring.pricing_service().create_profile(
        who, {"name": "Schools", "currency": "EUR", "products": PRODUCTS}
    )
    today = date.today()
    job, _ = wiring.job_service().create_job(
        who,
        {
            "name": "St. Mary Primary School",
            "shooting_date": (today - timedelta(days=14)).isoformat(),
            "job_type": "primary school",
            "archive_date": (today + timedelta(days=60)).isoformat(),
            "price_profile_id": profile.profile_id,
        },
    )
    classes = class_names(subjects, class_size)
    rows = ["First name,Last name,Class"] + [
        f"Kid{n:04d},Bench,{classes[n // class_size]}" for n in range(subjects)
    ]
    names = base64.b64encode("\n".join(rows).encode()).decode()
    wiring.subject_service().import_roster(
        who, job.job_id, {"filename": "names.csv", "content_base64": names}
    )
    listed = sorted(wiring.subjects().all_in_job(job.job_id), key=lambda s: s.first_name)
    photos = _photos(job.job_id, studio_id, listed, classes, portraits, now)
    wiring.photos().add_uploads(photos)
    _build(stage, who, job.job_id)
    wiring.job_service().change_status(who, job.job_id, {"status": "selling", "force": True})
    return ShopJob(
        job.job_id, studio_id, tuple(s.access_code for s in listed), len(photos), len(listed)
    )


def _photos(
    job_id: str,
    studio_id: str,
    subjects: Sequence[Any],
    classes: Sequence[str],
    portraits: int,
    now: datetime,
) -> list[Any]:
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.photos import Code, Photo, original_key

    photos: list[Photo] = []
    taken = datetime(2026, 9, 14, 8, 0)

    def add(album: str, name: str, tag: str | None) -> None:
        nonlocal taken
        taken += timedelta(seconds=30 if tag else 4)
        photo_id = new_id()
        photos.append(
            Photo(
                job_id=job_id,
                studio_id=studio_id,
                photo_id=photo_id,
                album=album,
                original_name=name,
                original_key=original_key(studio_id, job_id, album, photo_id, name),
                size=5_000_000,
                content_type="image/jpeg",
                created_at=now,
                state="ready",
                capture_time=taken.isoformat(timespec="milliseconds"),
                camera_serial=CAMERA,
                codes=(Code(tag, "QRCode", True, (10, 10, 200, 200)),) if tag else (),
                preview_key=f"derived/{studio_id}/{job_id}/{photo_id}/preview.jpg",
                thumbnail_key=f"derived/{studio_id}/{job_id}/{photo_id}/thumb.jpg",
                width=1600,
                height=2400,
                processed_at=now,
            )
        )

    for subject in subjects:
        add(subject.class_name, f"IMG_{len(photos):05d}.JPG", subject.tag)
        for _ in range(portraits):
            add(subject.class_name, f"IMG_{len(photos):05d}.JPG", None)
    for class_name in classes:
        for number in range(GROUP_PHOTOS_PER_CLASS):
            add("group", f"{class_name} {'abcdefgh'[number]}.jpg", None)
    return photos


def _build(stage: Any, who: Any, job_id: str) -> None:
    from chalicelib import wiring
    from chalicelib.adapters.aws import client
    from chalicelib.local.wiring import QueueDrainer
    from functions.build_galleries.handler import handler

    drainer = QueueDrainer(
        client("sqs"), stage.work_queue_url, handler, function_name="build_galleries"
    )
    wiring.gallery_builds().request(who, job_id)
    drainer.drain()
    run = wiring.gallery_builds().status(who, job_id)
    if run.state != "done":
        raise RuntimeError(f"the gallery build ended {run.state}")


# the measured calls --------------------------------------------------------------------------
class ShopClient:
    """The shop site's two calls over HTTP to the local API."""

    def __init__(self, api_url: str) -> None:
        import requests

        self._api = api_url
        self._http = requests.Session()
        self._http.headers["Origin"] = "http://127.0.0.1:8001"

    def login(self, code: str) -> str:
        answer = self._http.post(
            f"{self._api}/shop/session",
            json={"code": code},
            headers={"X-Forwarded-For": "198.18.0.1"},
            timeout=30,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"login answered {answer.status_code}: {answer.text}")
        return str(answer.json()["token"])

    def gallery(self, token: str) -> dict[str, Any]:
        answer = self._http.get(
            f"{self._api}/shop/gallery", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if answer.status_code != 200:
            raise RuntimeError(f"gallery answered {answer.status_code}: {answer.text}")
        return dict(answer.json())


def timed(
    counter: WireCounter, call: Callable[[], Any]
) -> tuple[Any, float, tuple[Counter[str], float]]:
    """``call()``'s result, its wall seconds, and its AWS requests with the DynamoDB wait."""
    counter.take()
    began = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - began
    return result, seconds, counter.take()


def check_gallery(answer: dict[str, Any], photos_per_subject: int) -> None:
    """The listing shows one subject with their portraits and their class's group photos."""
    (subject,) = answer["subjects"]
    kinds = Counter(p["kind"] for p in subject["photos"])
    expected = {"portrait": photos_per_subject, "group": GROUP_PHOTOS_PER_CLASS}
    if dict(kinds) != expected:
        raise RuntimeError(f"the gallery shows {dict(kinds)}, expected {expected}")


def run(args: argparse.Namespace, counter: WireCounter) -> int:
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import keys
    from chalicelib.config import get_settings
    from chalicelib.local.endpoint import free_port
    from chalicelib.local.servers import load_app, start_api

    stage = create_stage()
    started = time.perf_counter()
    job = seed_job(stage, args.subjects, args.class_size, args.portraits)
    print(
        f"job: {job.galleries} subjects in {len(class_names(args.subjects, args.class_size))} "
        f"classes, {job.photos} photos (card + {args.portraits} portraits each, "
        f"{GROUP_PHOTOS_PER_CLASS} group photos per class), galleries built "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    port = free_port()
    server = start_api(load_app(ROOT / "app.py"), "127.0.0.1", port)
    try:
        shop = ShopClient(f"http://127.0.0.1:{port}")
        dynamodb = client("dynamodb")
        table = get_settings().table_name
        job_key = {"pk": {"S": keys.job_pk(job.job_id)}, "sk": {"S": keys.JOB_SK}}
        login, gallery, get_item = (
            Measured("login  POST /shop/session"),
            Measured("gallery listing  GET /shop/gallery"),
            Measured("bare GetItem (baseline)"),
        )
        tokens: list[str] = []
        for n in range(WARM_UP + args.iterations):
            code = job.codes[n % len(job.codes)]
            token, login_s, login_r = timed(counter, lambda: shop.login(code))
            answer, gallery_s, gallery_r = timed(counter, lambda: shop.gallery(token))
            _, get_s, get_r = timed(
                counter, lambda: dynamodb.get_item(TableName=table, Key=job_key)
            )
            check_gallery(answer, args.portraits)
            if n >= WARM_UP:
                login.add(login_s, *login_r)
                gallery.add(gallery_s, *gallery_r)
                get_item.add(get_s, *get_r)
                tokens.append(token)
        stale = _after_rebuild(stage, job, shop, counter, tokens[: args.stale], args.portraits)
    finally:
        server.shutdown()
    print(
        f"\n{args.iterations} iterations after {WARM_UP} warm-up ones; one subject per login; "
        "moto and the API on 127.0.0.1\n"
    )
    print_table([(login, None), (gallery, GALLERY_TARGET_REQUESTS), (stale, None)], get_item)
    print(
        "\n(other AWS: requests to other services, e.g. the signing key from Secrets Manager, "
        "read once per 5 minutes; signed URLs need none;\n DynamoDB ms: the median time of a call "
        "spent waiting for DynamoDB's answers, the rest is HTTP, Chalice, JWT and JSON)"
    )
    missed = verdict(gallery, GALLERY_TARGET_REQUESTS) != "PASS" or any(
        m.scans() for m in (login, stale)
    )
    return 1 if missed else 0


def _after_rebuild(
    stage: Any,
    job: ShopJob,
    shop: ShopClient,
    counter: WireCounter,
    tokens: Sequence[str],
    portraits: int,
) -> Measured:
    """Gallery listings with tokens issued before a rebuild published another run."""
    from chalicelib.domain.principal import Principal

    who = Principal(studio_id=job.studio_id, user_id="bench", email="bench@example.com")
    _build(stage, who, job.job_id)
    measured = Measured("gallery listing, rebuilt since login")
    for token in tokens:
        answer, seconds, requests = timed(counter, lambda: shop.gallery(token))
        check_gallery(answer, portraits)
        measured.add(seconds, *requests)
    return measured


def main() -> int:
    args = _parse_args()
    counter = WireCounter()
    counter.install()
    from chalicelib.local.endpoint import MotoEndpoint, free_port

    endpoint = MotoEndpoint("127.0.0.1", free_port())
    endpoint.start()
    saved = dict(os.environ)
    try:
        os.environ.update(endpoint.environment())
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        return run(args, counter)
    finally:
        endpoint.stop()
        os.environ.clear()
        os.environ.update(saved)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--class-size", type=int, default=25)
    parser.add_argument("--portraits", type=int, default=6)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument(
        "--stale", type=int, default=50, help="listings with tokens from before a rebuild"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
