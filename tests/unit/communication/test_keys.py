from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.communication import message_key, newsletter_message_key, plan_schedules
from tests.unit.communication.fakes import FakeJob


def key_for_fire(payload, recipient_id):
    """What the sender computes from a fired schedule's payload."""
    return message_key(payload["job_id"], payload["step_id"], recipient_id)


def test_a_refired_schedule_gives_the_same_key(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    payload = plan_schedules(job, profile, datetime(2026, 1, 1, tzinfo=UTC)).planned[0].payload
    assert key_for_fire(payload, "C1") == key_for_fire(dict(payload), "C1")


def test_a_status_toggle_gives_the_same_key():
    # selling -> planning -> selling fires selling_started twice; the key does not change
    first = message_key("JOB0000000AB", "online", "C1")
    second = message_key("JOB0000000AB", "online", "C1")
    assert first == second == "m1#JOB0000000AB#online#C1"


def test_a_moved_date_does_not_make_a_sent_reminder_new(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    before = plan_schedules(job, profile, now).planned[0].payload
    after = (
        plan_schedules(replace(job, archive_date=date(2026, 12, 11)), profile, now)
        .planned[0]
        .payload
    )
    assert before["anchor"] != after["anchor"]
    assert key_for_fire(before, "C1") == key_for_fire(after, "C1")


def test_keys_differ_by_step_recipient_and_occurrence():
    keys = {
        message_key("J", "archive-7d", "C1"),
        message_key("J", "archive-1d-sms", "C1"),
        message_key("J", "archive-7d", "C2"),
        message_key("J2", "archive-7d", "C1"),
        message_key("J", "cart-1d", "C1", "CART1"),
        message_key("J", "cart-1d", "C1", "CART2"),
        newsletter_message_key("J", "archive-7d", "C1"),
    }
    assert len(keys) == 7


def test_separators_in_ids_cannot_collide():
    assert message_key("J#a", "b", "c") != message_key("J", "a#b", "c")
    with pytest.raises(ValueError):
        message_key("J", "", "C1")
