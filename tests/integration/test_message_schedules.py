"""A job's message schedules on EventBridge Scheduler (the local endpoint) follow its dates,
status and profile: created, moved, deleted, never orphaned or duplicated; local times in the
job's zone across a DST change; quiet hours move a step."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.local.runner import function_arn
from tests.integration.messaging import (
    call,
    local_today,
    make_job,
    next_dst_change,
    schedules,
    set_status,
)

pytestmark = pytest.mark.integration


def at(day, clock="10:00:00") -> str:
    return f"at({day.isoformat()}T{clock})"


def test_schedules_follow_dates_status_and_profile(api_url, photographer, messaging):
    stage = messaging
    today = local_today("Europe/Berlin")
    archive, voucher = today + timedelta(days=30), today + timedelta(days=20)
    # Given a job with the default profile: nothing is scheduled while it is planned
    job = make_job(
        api_url,
        photographer,
        archive_date=archive.isoformat(),
        voucher_deadline=voucher.isoformat(),
    )
    job_id = job["job_id"]
    assert schedules(stage) == {}
    # When it starts selling, each date-relative step gets one schedule
    set_status(api_url, photographer, job_id, "selling")
    found = schedules(stage)
    assert {n: s["ScheduleExpression"] for n, s in found.items()} == {
        f"pj-{job_id}-archive-7d": at(archive - timedelta(days=7)),
        f"pj-{job_id}-archive-1d-sms": at(archive - timedelta(days=1)),
        f"pj-{job_id}-voucher-2d": at(voucher - timedelta(days=2)),
    }
    one = found[f"pj-{job_id}-archive-7d"]
    assert one["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert one["ActionAfterCompletion"] == "DELETE"
    assert one["Target"]["Arn"] == function_arn("local", "send_messages")
    assert json.loads(one["Target"]["Input"]) == {
        "v": 1,
        "kind": "date",
        "studio_id": photographer.studio_id,
        "job_id": job_id,
        "step_id": "archive-7d",
        "trigger": "archive_due",
        "anchor": archive.isoformat(),
        "offset": "-P7D",
        "fire_at": f"{archive - timedelta(days=7)}T10:00:00",
        "timezone": "Europe/Berlin",
    }
    # When the archive date moves, the same schedules move (no second copy)
    later = archive + timedelta(days=7)
    call(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"archive_date": later.isoformat()})
    found = schedules(stage)
    assert len(found) == 3
    assert found[f"pj-{job_id}-archive-7d"]["ScheduleExpression"] == at(later - timedelta(7))
    # When the voucher deadline goes, its schedule goes
    call(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", {"voucher_deadline": None})
    assert set(schedules(stage)) == {f"pj-{job_id}-archive-7d", f"pj-{job_id}-archive-1d-sms"}
    # Back to planning: nothing stays; selling again: the same two come back
    set_status(api_url, photographer, job_id, "planning")
    assert schedules(stage) == {}
    set_status(api_url, photographer, job_id, "selling")
    assert set(schedules(stage)) == {f"pj-{job_id}-archive-7d", f"pj-{job_id}-archive-1d-sms"}
    # A profile without date steps leaves none; editing the profile re-plans its jobs
    steps = [
        {"step_id": "online", "trigger": "selling_started", "offset": "P0D", "channel": "email",
         "audience": "all_registered", "template_id": "selling_started"},
    ]  # fmt: skip
    profile = call(
        api_url, photographer, "POST", "/api/communication-profiles",
        {"name": "Only online", "steps": steps},
    ).json()  # fmt: skip
    call(
        api_url, photographer, "PATCH", f"/api/jobs/{job_id}",
        {"communication_profile_id": profile["profile_id"]},
    )  # fmt: skip
    assert schedules(stage) == {}
    reminder = {
        "step_id": "last-call", "trigger": "archive_due", "offset": "-P2D", "channel": "email",
        "audience": "not_ordered", "template_id": "archive_due",
    }  # fmt: skip
    path = f"/api/communication-profiles/{profile['profile_id']}"
    call(api_url, photographer, "PATCH", path, {"steps": [*steps, reminder]})
    assert {n: s["ScheduleExpression"] for n, s in schedules(stage).items()} == {
        f"pj-{job_id}-last-call": at(later - timedelta(days=2))
    }
    # When the job's profile is removed, its schedules go; given back, they return
    body = {"communication_profile_id": None}
    assert call(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", body).status_code == 200
    assert schedules(stage) == {}
    body = {"communication_profile_id": profile["profile_id"]}
    assert call(api_url, photographer, "PATCH", f"/api/jobs/{job_id}", body).status_code == 200
    assert set(schedules(stage)) == {f"pj-{job_id}-last-call"}
    # And a deleted job leaves no schedule behind
    assert call(api_url, photographer, "DELETE", f"/api/jobs/{job_id}").status_code == 200
    assert schedules(stage) == {}


def test_local_times_across_a_dst_change_and_quiet_hours(api_url, photographer, messaging):
    stage = messaging
    zone = "America/New_York"
    # Given an archive date three days after the next DST change in New York
    change = next_dst_change(zone, local_today(zone) + timedelta(days=10))
    archive = change + timedelta(days=3)
    job = make_job(api_url, photographer, timezone=zone, archive_date=archive.isoformat())
    set_status(api_url, photographer, job["job_id"], "selling")
    # Then both reminders fire at 10:00 local, on either side of the change
    found = schedules(stage)
    seven = found[f"pj-{job['job_id']}-archive-7d"]
    one = found[f"pj-{job['job_id']}-archive-1d-sms"]
    assert seven["ScheduleExpression"] == at(archive - timedelta(days=7))
    assert one["ScheduleExpression"] == at(archive - timedelta(days=1))
    assert seven["ScheduleExpressionTimezone"] == one["ScheduleExpressionTimezone"] == zone
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    utc = {p["step_id"]: p["utc"][11:16] for p in view["planned"]}
    local = {p["step_id"]: p["local_time"][11:] for p in view["planned"]}
    assert local == {"archive-7d": "10:00", "archive-1d-sms": "10:00"}
    assert utc["archive-7d"] != utc["archive-1d-sms"]  # the UTC offset changed in between
    assert all(p["scheduled"] for p in view["planned"])
    # When the studio's profile keeps 09:00-12:00 quiet, the 10:00 reminders move to 12:00
    profile = call(
        api_url, photographer, "POST", "/api/communication-profiles/default/copy", {}
    ).json()
    call(
        api_url, photographer, "PATCH", f"/api/communication-profiles/{profile['profile_id']}",
        {"quiet_hours": {"start": "09:00", "end": "12:00"}},
    )  # fmt: skip
    call(
        api_url, photographer, "PATCH", f"/api/jobs/{job['job_id']}",
        {"communication_profile_id": profile["profile_id"]},
    )  # fmt: skip
    moved = schedules(stage)[f"pj-{job['job_id']}-archive-7d"]
    assert moved["ScheduleExpression"] == at(archive - timedelta(days=7), "12:00:00")
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    assert {p["step_id"]: p["moved_by_quiet_hours"] for p in view["planned"]} == {
        "archive-7d": True,
        "archive-1d-sms": True,
    }
    assert len(schedules(stage)) == 2


def test_prepay_plans_its_deadline_reminder_and_triggers_nothing_else(
    api_url, photographer, messaging
):
    stage = messaging
    deadline = local_today("Europe/Berlin") + timedelta(days=9)
    job = make_job(api_url, photographer, prepay=True, prepay_deadline=deadline.isoformat())
    # When the job goes to prepay (seed 001: that does not trigger the profile)
    set_status(api_url, photographer, job["job_id"], "prepay")
    # Then only the prepay reminder is planned, and no status trigger was dispatched
    assert {n: s["ScheduleExpression"] for n, s in schedules(stage).items()} == {
        f"pj-{job['job_id']}-prepay-2d": at(deadline - timedelta(days=2))
    }
    assert schedules(stage, prefix="pje-") == {}
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    assert view["runs"] == []
    # And back to planning removes it
    set_status(api_url, photographer, job["job_id"], "planning")
    assert schedules(stage) == {}
