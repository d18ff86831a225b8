"""The sender with fakes behind its small interfaces: stale fires are ignored, retryable
failures are retried a bounded number of times, and claims make every re-run harmless."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.adapters.scheduler import MessageScheduler
from chalicelib.domain.communication import Customer, OptOuts
from chalicelib.domain.communication.delivery import (
    DeliveryFailed,
    MessageState,
    may_claim_again,
)
from chalicelib.domain.communication.library import builtin_profile
from chalicelib.domain.jobs import Job
from chalicelib.services.message_audience import Audience
from chalicelib.services.messages import MessageComposer, MessageSender, RetryLater

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JOB = Job(
    job_id="J1",
    studio_id="S1",
    name="St. John",
    shooting_date=date(2026, 11, 1),
    job_type="school",
    internal_name="st-john",
    created_at=NOW,
    updated_at=NOW,
    timezone="Europe/Berlin",
    communication_profile_id="default",
    archive_date=date(2026, 12, 20),
    status="selling",
)
PAYLOAD = {
    "v": 1, "kind": "date", "studio_id": "S1", "job_id": "J1", "step_id": "archive-7d",
    "trigger": "archive_due", "anchor": "2026-12-20", "offset": "-P7D",
    "fire_at": "2026-12-13T10:00:00", "timezone": "Europe/Berlin",
}  # fmt: skip


class Messages:
    """In-memory message records with the repository's claim rule."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.runs: list[dict[str, Any]] = []

    def claim(self, claim):
        record = self.records.get(claim.message_key)
        if record and not may_claim_again(
            record["state"], retryable=record["retryable"], attempts=record["attempts"]
        ):
            return None
        attempts = (record["attempts"] if record else 0) + 1
        self.records[claim.message_key] = {
            "state": "sending", "retryable": False, "attempts": attempts
        }  # fmt: skip
        return attempts

    def finish(self, claim, *, state, at, reason=None, retryable=False, **_):
        self.records[claim.message_key].update(state=state, retryable=retryable, reason=reason)

    def settled_keys(self, job_id, step_id):
        return {
            key
            for key, r in self.records.items()
            if not may_claim_again(r["state"], retryable=r["retryable"], attempts=r["attempts"])
        }

    def record_run(self, job_id, step_id, **counts):
        self.runs.append({"step_id": step_id, **counts})


class Email:
    def __init__(self, failures: list[DeliveryFailed] | None = None) -> None:
        self.sent: list[str] = []
        self.failures = failures or []

    def send(self, to, email):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(to)
        return f"m-{len(self.sent)}"


class Sms:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, phone, text):
        self.sent.append(phone)
        return "s-1"

    def opted_out_numbers(self):
        return frozenset({"+447420500600"})


class Links:
    def url_for(self, **_):
        return "https://api.example/shop/unsubscribe?token=t"


def sender(email: Email, messages: Messages, customers: tuple[Customer, ...], job: Job = JOB):
    audience = Audience(customers, (), frozenset())
    return MessageSender(
        jobs=type("Jobs", (), {"get": lambda self, s, j: job})(),
        studios=type("Studios", (), {"get": lambda self, s: type("S", (), {"name": "Sun"})})(),
        profiles=type("Profiles", (), {"resolve": lambda self, s, p: builtin_profile(s)})(),
        audience=type("Aud", (), {"of": lambda self, j: audience})(),
        opt_outs=type("Opt", (), {"of_studio": lambda self, s: OptOuts()})(),
        messages=messages,
        newsletters=None,
        email=email,
        sms=Sms(),
        composer=MessageComposer("https://shop.example", None, Links()),
        clock=lambda: NOW,
        workers=2,
    )


ANNA = Customer("C1", name="Anna", email="anna@example.com", phone="+4915112345678")
BEN = Customer("C2", name="Ben", email="ben@example.com")


def test_a_retryable_failure_is_recorded_then_sent_by_the_retry_and_only_once():
    messages = Messages()
    email = Email([DeliveryFailed("TooManyRequestsException", retryable=True)])
    run = sender(email, messages, (ANNA, BEN))
    # The first run sends one, records the other failed, and asks Lambda for a retry
    with pytest.raises(RetryLater):
        run.handle(PAYLOAD)
    assert len(email.sent) == 1
    assert messages.runs[-1]["sent"] == 1 and messages.runs[-1]["failed"] == 1
    # The retry sends the failed one only; a third run sends nothing
    report = run.handle(PAYLOAD)
    assert (report.sent, report.already_handled) == (1, 1)
    assert sorted(email.sent) == ["anna@example.com", "ben@example.com"]
    assert run.handle(PAYLOAD).sent == 0 and len(email.sent) == 2


def test_retries_are_bounded_and_a_refusal_is_final():
    messages = Messages()
    busy = DeliveryFailed("TooManyRequestsException", retryable=True)
    email = Email([busy, busy, busy])
    run = sender(email, messages, (BEN,))
    for _ in range(2):
        with pytest.raises(RetryLater):
            run.handle(PAYLOAD)
    report = run.handle(PAYLOAD)  # the third attempt fails for good: no more retry asked
    assert (report.sent, report.failed, report.retry_pending) == (0, 1, 0)
    assert run.handle(PAYLOAD).failed == 0 and email.sent == []
    refused = Messages()
    run = sender(Email([DeliveryFailed("MessageRejected", retryable=False)]), refused, (BEN,))
    assert run.handle(PAYLOAD).failed == 1
    assert next(iter(refused.records.values()))["state"] == MessageState.FAILED


def test_a_stale_fire_sends_nothing():
    messages = Messages()
    email = Email()
    moved = replace(JOB, archive_date=date(2026, 12, 27))
    assert sender(email, messages, (ANNA,), moved).handle(PAYLOAD).outcome == ("stale:date_changed")
    planning = replace(JOB, status="planning")
    assert sender(email, messages, (ANNA,), planning).handle(PAYLOAD).outcome == "stale:status"
    assert email.sent == [] and [r["outcome"] for r in messages.runs] == [
        "stale:date_changed",
        "stale:status",
    ]


class FakeScheduler:
    def __init__(self) -> None:
        self.schedules: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def _error(self, code):
        from botocore.exceptions import ClientError

        return ClientError({"Error": {"Code": code, "Message": code}}, "op")

    def create_schedule(self, **request):
        self.calls.append("create")
        if request["Name"] in self.schedules:
            raise self._error("ConflictException")
        self.schedules[request["Name"]] = request

    def update_schedule(self, **request):
        self.calls.append("update")
        self.schedules[request["Name"]] = request

    def delete_schedule(self, GroupName, Name):
        self.calls.append("delete")
        if self.schedules.pop(Name, None) is None:
            raise self._error("ResourceNotFoundException")

    def list_schedules(self, GroupName, NamePrefix, NextToken=None):
        names = sorted(n for n in self.schedules if n.startswith(NamePrefix))
        return {"Schedules": [{"Name": n} for n in names]}

    def get_schedule(self, GroupName, Name):
        return self.schedules[Name]


def test_the_scheduler_adapter_is_idempotent_and_fast_forward_keeps_the_target():
    from chalicelib.domain.communication import plan_schedules

    fake = FakeScheduler()
    scheduler = MessageScheduler(group="g", target_arn="arn:f", role_arn="arn:r", client=fake)
    plan = plan_schedules(JOB, builtin_profile("S1").profile, NOW)
    for planned in plan.planned:
        scheduler.put(planned)
        scheduler.put(planned)  # exists: replaced, not duplicated
    assert sorted(fake.schedules) == ["pj-J1-archive-1d-sms", "pj-J1-archive-7d"]
    assert scheduler.date_schedules("J1")["pj-J1-archive-7d"] == plan.planned[0].payload
    scheduler.delete("pj-gone")  # already gone: fine
    moved = scheduler.move_to("J1", NOW)
    assert moved == ["pj-J1-archive-1d-sms", "pj-J1-archive-7d"]
    request = fake.schedules["pj-J1-archive-7d"]
    assert request["ScheduleExpression"] == "at(2026-11-23T12:00:00)"
    assert (request["Target"]["Arn"], request["Target"]["RoleArn"]) == ("arn:f", "arn:r")
    assert scheduler.delete_job("J1") == moved and fake.schedules == {}
