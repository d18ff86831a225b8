"""Gallery build runs: requested through the API, run by ``functions/build_galleries``.

A job has one build record. Its current run goes queued -> running -> done | failed, and at most
one run is active at a time: a request while a run is queued joins it (it has not read anything
yet), a request while a run is running is remembered (``rerun``) and starts the next run when
this one finishes, so every decision made meanwhile is applied. A run's results become visible
all at once when it finishes (``published_run_id``); until then the previous results are shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.ids import is_id
from chalicelib.resources import BUILD_GALLERIES_TIMEOUT_SECONDS

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"

# A queued run that nobody started within this time lost its message; a run still "running"
# after the function's timeout lost its worker. Either may then be replaced or taken over.
STALE_QUEUED = timedelta(minutes=15)
STALE_RUNNING = timedelta(seconds=BUILD_GALLERIES_TIMEOUT_SECONDS + 60)

MESSAGE_TYPE = "build_galleries"


class Phase(StrEnum):
    QUEUED = "queued"
    LOADING = "loading"  # reading photos, subjects and decisions
    SORTING = "sorting"
    WRITING = "writing"  # galleries, group photos and flags of this run
    PUBLISHING = "publishing"  # card photos hidden, results made visible
    DONE = "done"


@dataclass(frozen=True)
class BuildSummary:
    subjects: int
    galleries: int  # subjects with at least one photo
    flags: int
    cards: int
    unassigned: int
    group_photos: int


@dataclass(frozen=True)
class BuildProgress:
    phase: Phase = Phase.QUEUED
    photos_processed: int = 0
    photos_total: int | None = None  # known once every photo is loaded
    subjects_written: int = 0
    subjects_total: int | None = None


@dataclass(frozen=True)
class BuildRun:
    job_id: str
    studio_id: str
    run_id: str
    state: str
    requested_at: datetime
    requested_by: str
    progress: BuildProgress = field(default_factory=BuildProgress)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    summary: BuildSummary | None = None
    error: str | None = None
    rerun: bool = False
    published_run_id: str | None = None
    published_at: datetime | None = None
    discarded_run_ids: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    def is_stale(self, now: datetime) -> bool:
        """Lost (see ``STALE_QUEUED``, ``STALE_RUNNING``), or handed back after an error: its
        retry waits for the queue's visibility timeout, a new request need not."""
        if self.state == QUEUED:
            return self.attempts > 0 or now - self.requested_at > STALE_QUEUED
        if self.state == RUNNING:
            return self.started_at is None or now - self.started_at > STALE_RUNNING
        return False


class RequestOutcome(StrEnum):
    START = "start"  # a new run: nothing active (or the active one is stale)
    JOIN = "join"  # the queued run will read everything when it starts
    RERUN = "rerun"  # a run is reading already: start another when it finishes


def on_request(current: BuildRun | None, now: datetime) -> RequestOutcome:
    """What a new build request does, given the job's current run."""
    if current is None or not current.active or current.is_stale(now):
        return RequestOutcome.START
    if current.state == QUEUED:
        return RequestOutcome.JOIN
    return RequestOutcome.RERUN


def next_run(
    current: BuildRun | None,
    *,
    job_id: str,
    studio_id: str,
    run_id: str,
    requested_by: str,
    now: datetime,
) -> BuildRun:
    """A queued run replacing `current`: keeps what is published, and remembers to delete the
    results a replaced stale run may have half written."""
    discarded = set(current.discarded_run_ids) if current else set()
    if current is not None and current.active:
        discarded.add(current.run_id)
    return BuildRun(
        job_id=job_id,
        studio_id=studio_id,
        run_id=run_id,
        state=QUEUED,
        requested_at=now,
        requested_by=requested_by,
        published_run_id=current.published_run_id if current else None,
        published_at=current.published_at if current else None,
        discarded_run_ids=frozenset(discarded),
    )


@dataclass(frozen=True)
class BuildMessage:
    """The work-queue message that asks ``functions/build_galleries`` to run one build."""

    job_id: str
    studio_id: str
    run_id: str

    def body(self) -> str:
        return json.dumps(
            {
                "type": MESSAGE_TYPE,
                "job_id": self.job_id,
                "studio_id": self.studio_id,
                "run_id": self.run_id,
            },
            sort_keys=True,
        )


class BadMessage(ValueError):
    """A message on the work queue that is not a build request we sent."""


def parse_build_message(body: str) -> BuildMessage:
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise BadMessage("the message body is not JSON") from exc
    if not isinstance(data, dict) or data.get("type") != MESSAGE_TYPE:
        raise BadMessage(f"not a {MESSAGE_TYPE} message")
    values = [data.get(name) for name in ("job_id", "studio_id", "run_id")]
    ids = [value for value in values if isinstance(value, str) and is_id(value)]
    if len(ids) != len(values):
        raise BadMessage("job_id, studio_id and run_id must be ids")
    job_id, studio_id, run_id = ids
    return BuildMessage(job_id, studio_id, run_id)
