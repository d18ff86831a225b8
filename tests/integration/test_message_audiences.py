"""The date triggers not fired elsewhere (``voucher_ending``, ``prepay_due``) and the three
audiences, each expanded when the message is sent, through the real functions/send_messages
handler against the local endpoint; and failures recorded with their reason and retried a
bounded number of times against the real message table."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.adapters.mail import EmailSender
from chalicelib.domain.communication import RenderedEmail
from chalicelib.domain.communication.delivery import MAX_SEND_ATTEMPTS, DeliveryFailed
from chalicelib.domain.communication.l10n import format_date
from chalicelib.local.wiring import LocalLambdaContext
from chalicelib.services.messages import RetryLater
from functions.send_messages.handler import handler
from tests.integration.messaging import (
    call,
    fire,
    local_today,
    make_job,
    outbox,
    place_order,
    profile_without_quiet_hours,
    register,
    runs_of,
    schedules,
    set_status,
    wait_for,
)

pytestmark = pytest.mark.integration


def recipients(subject_start: str) -> list[str]:
    return sorted(e.to[0] for e in outbox().emails if e.subject.startswith(subject_start))


def test_everyone_not_ordered_and_buyers_are_counted_when_the_message_goes(
    api_url, photographer, messaging
):
    stage = messaging
    studio = photographer.studio_id
    voucher = local_today("Europe/Berlin") + timedelta(days=10)
    thanks = {
        "step_id": "thanks", "trigger": "archived", "offset": "P0D", "channel": "email",
        "audience": "buyers", "template_id": "archived",
    }  # fmt: skip
    default = call(api_url, photographer, "GET", "/api/communication-profiles/default").json()
    profile_id = profile_without_quiet_hours(
        api_url, photographer, steps=[*default["steps"], thanks]
    )
    job = make_job(
        api_url,
        photographer,
        voucher_deadline=voucher.isoformat(),
        communication_profile_id=profile_id,
    )
    job_id = job["job_id"]
    for email, name in (("anna@example.com", "Anna"), ("ben@example.com", "Ben")):
        register(job, studio, email, name)
    register(job, studio, "carla@example.com", "Carla")
    # Given "online" went to everyone registered, nobody having ordered yet
    set_status(api_url, photographer, job_id, "selling")
    assert wait_for(lambda: len(recipients("Your photos of")) == 3)
    # When Ben pays an order and Carla places one she has not paid yet
    place_order(job, studio, "ben@example.com", status="paid")
    place_order(job, studio, "carla@example.com", status="pending_payment")
    # Then the voucher reminder ("not ordered yet") reaches Anna alone
    assert fire(stage, f"pj-{job_id}-voucher-2d") == [f"pj-{job_id}-voucher-2d"]
    assert recipients("Only until") == ["anna@example.com"]
    runs = runs_of(api_url, photographer, job_id, "voucher-2d")
    assert (runs["sent"], runs["skipped"]) == (1, {"already_ordered": 2})
    # And the note to buyers when the job is archived reaches Ben alone (Carla has not paid)
    set_status(api_url, photographer, job_id, "archived")
    assert wait_for(lambda: runs_of(api_url, photographer, job_id, "thanks")["runs"])
    assert recipients("The photos of") == ["ben@example.com"]
    runs = runs_of(api_url, photographer, job_id, "thanks")
    assert (runs["sent"], runs["skipped"]) == (1, {"not_a_buyer": 2})
    # And a newsletter to buyers only follows the same rule
    draft = call(
        api_url, photographer, "POST", f"/api/jobs/{job_id}/newsletters",
        {"subject": "Reorder prints", "body": "Hello {name}, {shop_link}", "audience": "buyers"},
    ).json()  # fmt: skip
    assert (draft["recipients"], draft["skipped"]) == (1, {"not_a_buyer": 2})


def test_the_prepay_reminder_goes_to_parents_who_have_not_pre_ordered(
    api_url, photographer, messaging
):
    stage = messaging
    studio = photographer.studio_id
    deadline = local_today("Europe/Berlin") + timedelta(days=9)
    profile_id = profile_without_quiet_hours(api_url, photographer)
    job = make_job(
        api_url,
        photographer,
        prepay=True,
        prepay_deadline=deadline.isoformat(),
        communication_profile_id=profile_id,
    )
    job_id = job["job_id"]
    register(job, studio, "anna@example.com", "Anna")
    register(job, studio, "ben@example.com", "Ben")
    # Given the job went to prepay (nothing is sent for that) and Ben pre-ordered since
    set_status(api_url, photographer, job_id, "prepay")
    place_order(job, studio, "ben@example.com", status="paid")
    # When the "2 days before the prepay deadline" schedule fires
    assert fire(stage, f"pj-{job_id}-prepay-2d") == [f"pj-{job_id}-prepay-2d"]
    # Then only Anna is reminded, and nothing else was ever sent for this job
    by = format_date(deadline, "en")  # the job's locale format, e.g. "Wednesday, 2 December 2026"
    assert [(e.to[0], e.subject) for e in outbox().emails] == [
        ("anna@example.com", f"Pre-order the photos of St. John Primary School by {by}")
    ]
    runs = runs_of(api_url, photographer, job_id, "prepay-2d")
    assert (runs["runs"], runs["sent"], runs["skipped"]) == (1, 1, {"already_ordered": 1})


def flaky_ses(real_send: Any, attempts: dict[str, int]) -> Any:
    """SES as the sender sees it: one address is throttled every time, one is refused, the
    rest go through the local endpoint. Counts the attempts per address."""

    def send(sender: EmailSender, to: str, email: RenderedEmail) -> str:
        attempts[to] = attempts.get(to, 0) + 1
        if to == "busy@example.com":
            raise DeliveryFailed("TooManyRequestsException", retryable=True)
        if to == "refused@example.com":
            raise DeliveryFailed("MessageRejected", retryable=False)
        return str(real_send(sender, to, email))

    return send


def job_with_a_reminder(api_url: str, who: Any, addresses: tuple[str, ...]) -> str:
    """A selling job whose only step is the reminder a week before its archive date."""
    archive = local_today("Europe/Berlin") + timedelta(days=10)
    reminder = {
        "step_id": "archive-7d", "trigger": "archive_due", "offset": "-P7D", "channel": "email",
        "audience": "not_ordered", "template_id": "archive_due",
    }  # fmt: skip
    profile_id = profile_without_quiet_hours(api_url, who, steps=[reminder])
    job = make_job(
        api_url, who, archive_date=archive.isoformat(), communication_profile_id=profile_id
    )
    for address in addresses:
        register(job, who.studio_id, address, address.split("@")[0].title())
    set_status(api_url, who, job["job_id"], "selling")
    return str(job["job_id"])


FLAKY_AUDIENCE = ("anna@example.com", "busy@example.com", "refused@example.com")


def test_failures_are_recorded_and_retried_a_bounded_number_of_times(
    api_url, photographer, messaging, monkeypatch
):
    stage = messaging
    job_id = job_with_a_reminder(api_url, photographer, FLAKY_AUDIENCE)
    schedule = schedules(stage)[f"pj-{job_id}-archive-7d"]
    attempts: dict[str, int] = {}
    monkeypatch.setattr(EmailSender, "send", flaky_ses(EmailSender.send, attempts))
    payload = json.loads(schedule["Target"]["Input"])

    def run() -> dict[str, Any]:
        return dict(handler(payload, LocalLambdaContext("send_messages")))

    # When the schedule fires: Anna's email goes, both failures are recorded, and the function
    # fails so that Lambda runs it again (its asynchronous retries)
    with pytest.raises(RetryLater):
        run()
    log = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()["log"]
    assert {(m["address"], m["state"], m["reason"]) for m in log["items"]} == {
        ("anna@example.com", "sent", None),
        ("busy@example.com", "failed", "TooManyRequestsException"),
        ("refused@example.com", "failed", "MessageRejected"),
    }
    # When Lambda retries: only the throttled address is tried again, until its last attempt
    for _ in range(MAX_SEND_ATTEMPTS - 2):
        with pytest.raises(RetryLater):
            run()
    last = run()
    assert (last["sent"], last["failed"], last["retry_pending"]) == (0, 1, 0)
    # And any later run (a re-fired schedule) tries nobody again
    assert run()["already_handled"] == 3
    assert attempts == {
        "anna@example.com": 1,
        "busy@example.com": MAX_SEND_ATTEMPTS,
        "refused@example.com": 1,
    }
    assert recipients("Last chance") == ["anna@example.com"]
    log = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()["log"]
    busy = next(m for m in log["items"] if m["address"] == "busy@example.com")
    assert (busy["state"], busy["reason"]) == ("failed", "TooManyRequestsException")


def test_the_local_runner_retries_a_failed_run_as_lambda_does_then_gives_up(
    api_url, photographer, messaging, monkeypatch
):
    stage = messaging
    job_id = job_with_a_reminder(api_url, photographer, FLAKY_AUDIENCE)
    name = f"pj-{job_id}-archive-7d"
    attempts: dict[str, int] = {}
    monkeypatch.setattr(EmailSender, "send", flaky_ses(EmailSender.send, attempts))
    # When the runner fires the schedule and the run fails retryably each time
    assert fire(stage, name) == [name]
    # Then Lambda's asynchronous retries used up the throttled message's attempts, no more
    assert attempts == {
        "anna@example.com": 1,
        "busy@example.com": MAX_SEND_ATTEMPTS,
        "refused@example.com": 1,
    }
    runs = runs_of(api_url, photographer, job_id, "archive-7d")
    assert (runs["runs"], runs["sent"]) == (MAX_SEND_ATTEMPTS, 1)
    # And the one-time schedule is gone, as after any invocation
    assert name not in schedules(stage)
