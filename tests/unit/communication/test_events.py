from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.communication import (
    PlannedSchedule,
    StepDispatch,
    Trigger,
    check_fire,
    dispatch_for_event,
)
from tests.unit.communication.fakes import FakeJob

BERLIN = ZoneInfo("Europe/Berlin")
JOB = FakeJob()


def scheduled(dispatch: StepDispatch) -> PlannedSchedule:
    assert dispatch.schedule is not None, "expected a delayed dispatch"
    return dispatch.schedule


def test_selling_started_in_the_daytime_goes_out_at_once(profile):
    now = datetime(2026, 5, 4, 14, tzinfo=BERLIN)
    [dispatch] = dispatch_for_event(Trigger.SELLING_STARTED, JOB, profile, now=now)
    assert dispatch.send_now and dispatch.step.step_id == "online"


def test_selling_started_at_night_waits_for_the_morning(profile):
    now = datetime(2026, 5, 4, 23, 15, tzinfo=BERLIN)
    [dispatch] = dispatch_for_event(Trigger.SELLING_STARTED, JOB, profile, now=now)
    assert not dispatch.send_now
    assert scheduled(dispatch).name == "pje-JOB0000000AB-online"
    assert scheduled(dispatch).expression == "at(2026-05-05T08:00:00)"
    assert scheduled(dispatch).moved_by_quiet_hours


def test_a_welcome_answers_at_once_even_at_night(profile):
    now = datetime(2026, 5, 4, 23, 15, tzinfo=BERLIN)
    [dispatch] = dispatch_for_event(
        Trigger.REGISTRATION, JOB, profile, now=now, subject_id="CUST00000001"
    )
    assert dispatch.send_now and dispatch.subject_id == "CUST00000001"


def test_an_abandoned_cart_gets_one_schedule_per_cart(profile):
    # Given a cart last changed at 15:00
    changed = datetime(2026, 5, 4, 15, tzinfo=BERLIN)
    [first] = dispatch_for_event(
        Trigger.ABANDONED_CART, JOB, profile, now=changed, occurred_at=changed, subject_id="CART1"
    )
    # Then the nudge is planned a day later, named after job, step and cart
    assert scheduled(first).name == "pje-JOB0000000AB-cart-1d-CART1"
    assert scheduled(first).expression == "at(2026-05-05T15:00:00)"
    # When the same cart changes again, the same schedule moves (no second one)
    later = changed + timedelta(hours=3)
    [second] = dispatch_for_event(
        Trigger.ABANDONED_CART, JOB, profile, now=later, occurred_at=later, subject_id="CART1"
    )
    assert scheduled(second).name == scheduled(first).name
    assert scheduled(second).expression == "at(2026-05-05T18:00:00)"
    # And another cart has its own
    [other] = dispatch_for_event(
        Trigger.ABANDONED_CART, JOB, profile, now=later, occurred_at=later, subject_id="CART2"
    )
    assert scheduled(other).name != scheduled(first).name
    # A fire of the first plan is stale once the cart changed
    assert check_fire(scheduled(first).payload, JOB, profile, subject_anchor=later).reason == (
        "subject_changed"
    )
    assert check_fire(scheduled(second).payload, JOB, profile, subject_anchor=later).send


def test_a_cart_event_handled_late_sends_at_once(profile):
    changed = datetime(2026, 5, 4, 15, tzinfo=BERLIN)
    [dispatch] = dispatch_for_event(
        Trigger.ABANDONED_CART,
        JOB,
        profile,
        now=changed + timedelta(days=2),
        occurred_at=changed,
        subject_id="CART1",
    )
    assert dispatch.send_now


def test_a_cart_idle_into_the_night_waits_for_the_morning(profile):
    changed = datetime(2026, 5, 4, 22, 30, tzinfo=BERLIN)
    [dispatch] = dispatch_for_event(
        Trigger.ABANDONED_CART, JOB, profile, now=changed, occurred_at=changed, subject_id="C1"
    )
    assert scheduled(dispatch).expression == "at(2026-05-06T08:00:00)"


def test_nothing_is_dispatched_in_planning(profile):
    now = datetime(2026, 5, 4, 14, tzinfo=UTC)
    job = replace(JOB, status="planning")
    for trigger in (Trigger.SELLING_STARTED, Trigger.ARCHIVED, Trigger.PHOTOS_BACK_ONLINE):
        assert dispatch_for_event(trigger, job, profile, now=now) == []


def test_archived_has_no_default_step(profile):
    now = datetime(2026, 5, 4, 14, tzinfo=UTC)
    job = replace(JOB, status="archived")
    assert dispatch_for_event(Trigger.ARCHIVED, job, profile, now=now) == []


def test_date_triggers_and_missing_subjects_are_refused(profile):
    now = datetime(2026, 5, 4, 14, tzinfo=UTC)
    with pytest.raises(ValueError):
        dispatch_for_event(Trigger.ARCHIVE_DUE, JOB, profile, now=now)
    with pytest.raises(ValueError):
        dispatch_for_event(Trigger.ABANDONED_CART, JOB, profile, now=now)
