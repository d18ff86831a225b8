"""functions/send_messages: every run is counted in the metrics, a run Lambda must repeat too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.local.wiring import LocalLambdaContext
from chalicelib.services.messages import RetryLater, SendReport
from functions.send_messages.handler import handler

EVENT = {"job_id": "J1", "studio_id": "S1", "step_id": "archive-7d"}


class Sender:
    def __init__(self, report: SendReport, *, retry: bool) -> None:
        self.report, self.retry = report, retry

    def handle(self, event: dict[str, Any]) -> SendReport:
        if self.retry:
            raise RetryLater("1 message(s) failed retryably; run again", self.report)
        return self.report


@pytest.fixture()
def sender(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)  # read what is flushed
    wiring.reset()
    yield lambda s: wiring.override("message_sender", s)
    wiring.reset()


def emitted(out: str) -> dict[str, Any]:
    """The metrics of the run's embedded-metric-format line (Powertools prints it on flush)."""
    (line,) = [json.loads(x) for x in out.splitlines() if '"_aws"' in x]
    names = [m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    values = {name: line[name] for name in names}
    return {n: v[0] if isinstance(v, list) and len(v) == 1 else v for n, v in values.items()}


def test_a_run_reports_and_counts_what_it_sent(sender, capsys):
    sender(Sender(SendReport("J1", "archive-7d", "sent", sent=4, failed=1), retry=False))
    assert handler(EVENT, LocalLambdaContext("send"))["sent"] == 4
    counted = emitted(capsys.readouterr().out)
    assert (counted["MessagesSent"], counted["MessagesFailed"], counted["MessagesToRetry"]) == (
        4.0,
        1.0,
        0.0,
    )


def test_a_run_lambda_must_repeat_is_counted_before_it_fails(sender, capsys):
    report = SendReport("J1", "archive-7d", "sent", sent=3, retry_pending=2)
    sender(Sender(report, retry=True))
    with pytest.raises(RetryLater):
        handler(EVENT, LocalLambdaContext("send"))
    counted = emitted(capsys.readouterr().out)
    assert (counted["MessagesSent"], counted["MessagesToRetry"]) == (3.0, 2.0)
