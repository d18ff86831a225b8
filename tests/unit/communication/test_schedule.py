from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.communication import (
    Audience,
    Channel,
    CommunicationProfile,
    Offset,
    QuietHours,
    Step,
    Trigger,
    check_fire,
    diff_schedules,
    plan_schedules,
    schedule_name,
    schedule_prefix,
)
from chalicelib.domain.communication.names import event_schedule_name
from chalicelib.domain.communication.quiet_hours import NO_QUIET_HOURS
from tests.unit.communication.fakes import FakeJob

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def archive_profile(*offsets: Offset) -> CommunicationProfile:
    steps = tuple(
        Step(f"a{i}", Trigger.ARCHIVE_DUE, o, Channel.EMAIL, Audience.NOT_ORDERED, "archive_due")
        for i, o in enumerate(offsets)
    )
    return CommunicationProfile("p1", "STUDIO000001", "Internal plan name", steps)


def fire_times_utc(plan):
    return [p.fire_at.astimezone(UTC).replace(tzinfo=None) for p in plan.planned]


# --- DST: offsets are local calendar days at the same local time -------------------------


@pytest.mark.parametrize(
    ("zone", "archive", "expected_utc"),
    [
        # Berlin springs forward on 29 March 2026: 10:00 is 09:00 UTC before, 08:00 after.
        ("Europe/Berlin", date(2026, 3, 31), ["2026-03-28T09:00", "2026-03-30T08:00"]),
        # Berlin falls back on 25 October 2026.
        ("Europe/Berlin", date(2026, 10, 27), ["2026-10-24T08:00", "2026-10-26T09:00"]),
        # New York springs forward on 8 March 2026: 10:00 is 15:00 UTC before, 14:00 after.
        ("America/New_York", date(2026, 3, 10), ["2026-03-07T15:00", "2026-03-09T14:00"]),
        # New York falls back on 1 November 2026.
        ("America/New_York", date(2026, 11, 3), ["2026-10-31T14:00", "2026-11-02T15:00"]),
    ],
)
def test_days_before_keep_the_local_time_across_dst(zone, archive, expected_utc):
    # Given a job whose reminders straddle a DST change
    job = FakeJob(timezone=zone, archive_date=archive)
    # When "3 days before" and "1 day before" are planned
    plan = plan_schedules(job, archive_profile(Offset.days(-3), Offset.days(-1)), LONG_AGO)
    # Then both fire at 10:00 local, so at different UTC hours
    assert [p.fire_at.time() for p in plan.planned] == [time(10, 0), time(10, 0)]
    assert [t.isoformat(timespec="minutes") for t in fire_times_utc(plan)] == expected_utc
    assert [p.timezone for p in plan.planned] == [zone, zone]


def test_naive_elapsed_time_would_be_an_hour_off():
    job = FakeJob(archive_date=date(2026, 3, 31))
    planned = plan_schedules(job, archive_profile(Offset.days(-3)), LONG_AGO).planned[0]
    anchor = datetime(2026, 3, 31, 10, tzinfo=BERLIN)
    assert planned.fire_at != anchor.astimezone(UTC) - timedelta(hours=72)
    assert planned.fire_at == datetime(2026, 3, 28, 10, tzinfo=BERLIN)


def test_the_schedule_expression_is_local_with_the_job_zone():
    job = FakeJob(timezone="America/New_York", archive_date=date(2026, 11, 3))
    planned = plan_schedules(job, archive_profile(Offset.days(-7)), LONG_AGO).planned[0]
    assert planned.expression == "at(2026-10-27T10:00:00)"
    assert planned.timezone == "America/New_York"


def test_a_wall_time_in_the_spring_gap_moves_forward():
    # 10:00 minus 7h30 on the day Berlin skips 02:00-03:00 is 02:30, which does not exist
    job = FakeJob(archive_date=date(2026, 3, 29))
    profile = archive_profile(Offset(-(7 * 60 + 30)))
    planned = plan_schedules(job, profile, LONG_AGO, NO_QUIET_HOURS).planned[0]
    assert planned.expression == "at(2026-03-29T03:30:00)"
    assert planned.fire_at.utcoffset() == timedelta(hours=2)


def test_an_ambiguous_autumn_wall_time_is_the_first_occurrence():
    job = FakeJob(archive_date=date(2026, 10, 25))
    profile = archive_profile(Offset(-(7 * 60 + 30)))
    planned = plan_schedules(job, profile, LONG_AGO, NO_QUIET_HOURS).planned[0]
    assert planned.expression == "at(2026-10-25T02:30:00)"
    assert planned.fire_at.utcoffset() == timedelta(hours=2)  # still summer time


# --- quiet hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_default_quiet_hours_span_midnight(clock, quiet):
    assert QuietHours().contains(clock) is quiet


def test_quiet_hours_move_to_the_next_allowed_time():
    quiet = QuietHours()
    assert quiet.next_allowed(datetime(2026, 5, 4, 22, 30)) == datetime(2026, 5, 5, 8, 0)
    assert quiet.next_allowed(datetime(2026, 5, 4, 3, 0)) == datetime(2026, 5, 4, 8, 0)
    assert quiet.next_allowed(datetime(2026, 5, 4, 8, 0)) == datetime(2026, 5, 4, 8, 0)


def test_daytime_quiet_hours_and_none():
    lunch = QuietHours(time(12), time(14))
    assert lunch.next_allowed(datetime(2026, 5, 4, 13)) == datetime(2026, 5, 4, 14)
    assert not lunch.contains(time(14))
    assert not NO_QUIET_HOURS.contains(time(3))


def test_a_step_in_quiet_hours_is_planned_for_the_morning():
    # Given a studio that sends at 07:00 and a step 14 hours before 10:00 (20:00... 21:00)
    job = FakeJob(archive_date=date(2026, 6, 10))
    plan = plan_schedules(
        job, archive_profile(Offset.days(-1), Offset(-13 * 60)), LONG_AGO, send_time=time(7, 0)
    )
    # Then 07:00 moves to 08:00 the same day, 18:00 the day before stays
    early, evening = plan.planned
    assert early.expression == "at(2026-06-09T08:00:00)" and early.moved_by_quiet_hours
    assert evening.expression == "at(2026-06-09T18:00:00)" and not evening.moved_by_quiet_hours


def test_a_late_step_moves_past_midnight_to_the_morning():
    job = FakeJob(archive_date=date(2026, 6, 10))
    profile = archive_profile(Offset(-11 * 60 - 30))  # 22:30 the day before
    planned = plan_schedules(job, profile, LONG_AGO).planned[0]
    assert planned.expression == "at(2026-06-10T08:00:00)"


def test_quiet_hours_on_the_dst_nights():
    # The spring gap (02:30 -> 03:30) and the autumn repeat (01:30 twice) both end at 08:00
    for zone, day, utc_hour in (
        ("Europe/Berlin", date(2026, 3, 29), 6),
        ("America/New_York", date(2026, 3, 8), 12),
        ("America/New_York", date(2026, 11, 1), 13),
    ):
        job = FakeJob(timezone=zone, archive_date=day)
        planned = plan_schedules(job, archive_profile(Offset(-8 * 60 - 30)), LONG_AGO).planned[0]
        assert planned.fire_at.time() == time(8, 0)
        assert planned.fire_at.astimezone(UTC).hour == utc_hour
        assert planned.moved_by_quiet_hours


# --- what gets planned --------------------------------------------------------------------


def test_past_steps_are_skipped_and_named(profile):
    job = FakeJob(archive_date=date(2026, 12, 4), voucher_deadline=date(2026, 11, 27))
    now = datetime(2026, 11, 30, 9, tzinfo=BERLIN)  # after "7 days before", before "1 day"
    plan = plan_schedules(job, profile, now)
    assert [p.step_id for p in plan.planned] == ["archive-1d-sms"]
    reasons = {s.step_id: s.reason for s in plan.skipped}
    assert reasons == {"voucher-2d": "past", "archive-7d": "past", "prepay-2d": "status"}
    assert next(s for s in plan.skipped if s.step_id == "archive-7d").fire_at == datetime(
        2026, 11, 27, 10, tzinfo=BERLIN
    )


@pytest.mark.parametrize("status", ["planning", "archived"])
def test_a_job_not_selling_gets_no_schedules(profile, status):
    job = FakeJob(
        status=status, archive_date=date(2026, 12, 4), voucher_deadline=date(2026, 11, 27)
    )
    plan = plan_schedules(job, profile, LONG_AGO)
    assert plan.planned == ()
    assert {s.reason for s in plan.skipped} == {"status"}


def test_a_prepay_job_plans_only_its_prepay_reminder(profile):
    job = FakeJob(
        status="prepay", archive_date=date(2026, 12, 4), prepay_deadline=date(2026, 10, 1)
    )
    plan = plan_schedules(job, profile, LONG_AGO)
    assert [p.step_id for p in plan.planned] == ["prepay-2d"]
    assert plan.planned[0].expression == "at(2026-09-29T10:00:00)"


def test_a_job_without_the_date_skips_the_step(profile):
    plan = plan_schedules(FakeJob(archive_date=date(2026, 12, 4)), profile, LONG_AGO)
    assert ("voucher-2d", "no_date") in {(s.step_id, s.reason) for s in plan.skipped}


def test_now_must_be_aware(profile):
    with pytest.raises(ValueError):
        plan_schedules(FakeJob(), profile, datetime(2026, 1, 1))


def test_the_payload_says_what_was_planned_against(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    planned = plan_schedules(job, profile, LONG_AGO).planned[0]
    assert json.loads(json.dumps(planned.payload)) == {
        "v": 1,
        "kind": "date",
        "studio_id": "STUDIO000001",
        "job_id": "JOB0000000AB",
        "step_id": "archive-7d",
        "trigger": "archive_due",
        "anchor": "2026-12-04",
        "offset": "-P7D",
        "fire_at": "2026-11-27T10:00:00",
        "timezone": "Europe/Berlin",
    }


def test_the_real_job_model_fits(profile):
    from chalicelib.domain.jobs import Job

    job = Job(
        job_id="JOB0000000AB",
        studio_id="STUDIO000001",
        name="St. John Primary School",
        shooting_date=date(2026, 10, 1),
        job_type="school",
        internal_name="SJ-2026-A",
        created_at=LONG_AGO,
        updated_at=LONG_AGO,
        timezone="Europe/Berlin",
        archive_date=date(2026, 12, 4),
        status="selling",
    )
    assert [p.step_id for p in plan_schedules(job, profile, LONG_AGO).planned] == [
        "archive-7d",
        "archive-1d-sms",
    ]


# --- names and diff -----------------------------------------------------------------------

NAME = re.compile(r"[0-9A-Za-z_.-]{1,64}")


def test_names_are_deterministic_and_valid():
    assert schedule_name("JOB0000000AB", "archive-7d") == "pj-JOB0000000AB-archive-7d"
    assert schedule_name("JOB0000000AB", "archive-7d").startswith(schedule_prefix("JOB0000000AB"))
    long_ids = ("j" * 200, "step with spaces and ümlauts", "c/a/r/t" * 20)
    for name in (
        schedule_name(long_ids[0], long_ids[1]),
        event_schedule_name(long_ids[0], long_ids[1], long_ids[2]),
        event_schedule_name("JOB0000000AB", "cart-1d", "CART000000000000000001"),
    ):
        assert NAME.fullmatch(name), name
    assert schedule_name(long_ids[0], long_ids[1]) == schedule_name(long_ids[0], long_ids[1])
    assert schedule_name("A", "x") != schedule_name("A", "y")
    # a job's prefix never matches another job's names
    assert not schedule_name("AB-C", "x").startswith(schedule_prefix("AB"))


def _existing(plan):
    return {p.name: json.loads(json.dumps(p.payload)) for p in plan.planned}


def test_nothing_changed_means_nothing_to_do(profile):
    job = FakeJob(archive_date=date(2026, 12, 4), voucher_deadline=date(2026, 11, 27))
    plan = plan_schedules(job, profile, LONG_AGO)
    assert diff_schedules(_existing(plan), plan.planned) == ((), (), ())


def test_a_moved_date_updates_the_same_schedules(profile):
    job = FakeJob(archive_date=date(2026, 12, 4), voucher_deadline=date(2026, 11, 27))
    before = plan_schedules(job, profile, LONG_AGO)
    after = plan_schedules(replace(job, archive_date=date(2026, 12, 11)), profile, LONG_AGO)
    to_create, to_update, to_delete = diff_schedules(_existing(before), after.planned)
    assert to_create == () and to_delete == ()
    assert {p.name for p in to_update} == {
        "pj-JOB0000000AB-archive-7d",
        "pj-JOB0000000AB-archive-1d-sms",
    }
    assert {p.payload["anchor"] for p in to_update} == {"2026-12-11"}


def test_a_removed_step_is_deleted_and_a_new_one_created(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    before = plan_schedules(job, profile, LONG_AGO)
    new_step = Step(
        "archive-3d",
        Trigger.ARCHIVE_DUE,
        Offset.days(-3),
        Channel.EMAIL,
        Audience.NOT_ORDERED,
        "archive_due",
    )
    edited = replace(
        profile, steps=(*(s for s in profile.steps if s.step_id != "archive-1d-sms"), new_step)
    )
    to_create, to_update, to_delete = diff_schedules(
        _existing(before), plan_schedules(job, edited, LONG_AGO).planned
    )
    assert [p.name for p in to_create] == ["pj-JOB0000000AB-archive-3d"]
    assert to_update == ()
    assert to_delete == ("pj-JOB0000000AB-archive-1d-sms",)


def test_archiving_deletes_every_date_schedule_but_not_event_schedules(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    existing = _existing(plan_schedules(job, profile, LONG_AGO))
    existing["pje-JOB0000000AB-cart-1d-CART1"] = {"v": 1}
    plan = plan_schedules(replace(job, status="archived"), profile, LONG_AGO)
    assert diff_schedules(existing, plan.planned).to_delete == (
        "pj-JOB0000000AB-archive-1d-sms",
        "pj-JOB0000000AB-archive-7d",
    )


def test_a_changed_time_zone_updates(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    before = plan_schedules(job, profile, LONG_AGO)
    after = plan_schedules(replace(job, timezone="America/New_York"), profile, LONG_AGO)
    assert len(diff_schedules(_existing(before), after.planned).to_update) == 2


# --- a fire for a stale plan is ignored ---------------------------------------------------


def test_a_current_fire_is_sent_and_stale_ones_are_not(profile):
    job = FakeJob(archive_date=date(2026, 12, 4))
    payload = plan_schedules(job, profile, LONG_AGO).planned[0].payload
    ok = check_fire(payload, job, profile)
    assert ok.send and ok.step == profile.step("archive-7d")

    moved = check_fire(payload, replace(job, archive_date=date(2026, 12, 11)), profile)
    assert (moved.send, moved.reason) == (False, "date_changed")
    offline = check_fire(payload, replace(job, status="planning"), profile)
    assert offline.reason == "status"
    without = replace(profile, steps=tuple(s for s in profile.steps if s.step_id != "archive-7d"))
    assert check_fire(payload, job, without).reason == "step_changed"
    retimed = replace(
        profile,
        steps=tuple(
            replace(s, offset=Offset.days(-5)) if s.step_id == "archive-7d" else s
            for s in profile.steps
        ),
    )
    assert check_fire(payload, job, retimed).reason == "step_changed"
    assert check_fire(payload, replace(job, timezone="UTC"), profile).reason == "timezone_changed"
    assert check_fire({"v": 99}, job, profile).reason == "unknown_payload"
    assert check_fire(payload, replace(job, job_id="OTHER"), profile).reason == "other_job"
