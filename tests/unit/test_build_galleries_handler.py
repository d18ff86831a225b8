"""functions/build_galleries: a real-shaped SQS event becomes build messages; a record that is
not a build request, or whose build raised, is reported in batchItemFailures alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes import SQSEvent

from chalicelib import wiring
from chalicelib.domain.build_runs import (
    DONE,
    QUEUED,
    RUNNING,
    BadMessage,
    BuildMessage,
    BuildRun,
    RequestOutcome,
    next_run,
    on_request,
    parse_build_message,
)
from chalicelib.local.wiring import LocalLambdaContext
from functions.build_galleries.handler import build_request, handler
from tests.conftest import load_event

GOOD = BuildMessage("J0B000000001", "STDA00000001", "RVN000000001")
BAD_MESSAGE_ID = "8f3e2b19-0d7c-4f4a-a0b5-6c2e9d1f7b22"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class RecordingBuilds:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.runs: list[tuple[BuildMessage, int]] = []

    def run(self, message: BuildMessage, *, receive_count: int = 1) -> str:
        self.runs.append((message, receive_count))
        if self.fail:
            raise RuntimeError("DynamoDB is having a bad day")
        return "done"


@pytest.fixture()
def builds(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    recording = RecordingBuilds()
    wiring.reset()
    wiring.override("gallery_builds", recording)
    yield recording
    wiring.reset()


def test_records_parse_into_build_messages_with_their_delivery_count():
    good, bad = SQSEvent(load_event("sqs_build_galleries.json")).records

    assert build_request(good) == (GOOD, 2)
    with pytest.raises(BadMessage):
        build_request(bad)


def test_the_handler_runs_each_build_and_reports_only_the_bad_record(builds):
    response = handler(load_event("sqs_build_galleries.json"), LocalLambdaContext("build"))

    assert builds.runs == [(GOOD, 2)]
    assert response == {"batchItemFailures": [{"itemIdentifier": BAD_MESSAGE_ID}]}


def test_when_every_record_fails_the_invocation_fails_and_all_are_retried(builds):
    builds.fail = True

    with pytest.raises(BatchProcessingError):  # Powertools: the whole batch goes back
        handler(load_event("sqs_build_galleries.json"), LocalLambdaContext("build"))

    assert builds.runs == [(GOOD, 2)]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '["build_galleries"]',
        '{"type": "something_else", "job_id": "J0B000000001"}',
        '{"type": "build_galleries", "job_id": "J0B000000001", "studio_id": "STDA00000001"}',
        '{"type": "build_galleries", "job_id": "j0b", "studio_id": "STDA00000001", '
        '"run_id": "RVN000000001"}',
    ],
)
def test_anything_but_our_build_message_is_refused(body):
    with pytest.raises(BadMessage):
        parse_build_message(body)


def test_a_message_survives_the_round_trip():
    assert parse_build_message(GOOD.body()) == GOOD


def run(state: str, *, requested: datetime = NOW, started: datetime | None = None) -> BuildRun:
    return BuildRun(
        "J0B000000001",
        "STDA00000001",
        "RVN000000001",
        state,
        requested_at=requested,
        requested_by="anna",
        started_at=started,
        published_run_id="RVN000000000",
    )


def test_a_request_starts_joins_or_asks_for_a_rerun():
    assert on_request(None, NOW) is RequestOutcome.START
    assert on_request(run(DONE), NOW) is RequestOutcome.START
    assert on_request(run(QUEUED), NOW) is RequestOutcome.JOIN
    assert on_request(run(RUNNING, started=NOW), NOW) is RequestOutcome.RERUN
    # a run whose message or worker was lost does not block new builds
    lost = run(QUEUED, requested=NOW - timedelta(hours=1))
    assert on_request(lost, NOW) is RequestOutcome.START
    dead = run(RUNNING, started=NOW - timedelta(hours=1))
    assert on_request(dead, NOW) is RequestOutcome.START
    # nor does one handed back after an error (its retry waits for the visibility timeout)
    retrying = replace(run(QUEUED), attempts=1, error="the build hit an error")
    assert on_request(retrying, NOW) is RequestOutcome.START


def test_a_new_run_keeps_what_is_shown_and_discards_a_dead_run():
    dead = run(RUNNING, started=NOW - timedelta(hours=1))

    new = next_run(
        dead,
        job_id="J0B000000001",
        studio_id="STDA00000001",
        run_id="RVN000000002",
        requested_by="ben",
        now=NOW,
    )

    assert new.state == QUEUED and new.published_run_id == "RVN000000000"
    assert new.discarded_run_ids == {"RVN000000001"}
