"""Local wall-clock times across DST changes, against the local endpoint, with a fixed clock:
a job in Europe/Berlin and one in America/New_York whose reminders fall on both sides of the
autumn 2026 and spring 2027 changes keep their local hour in the ``at(...)`` expression, in
``ScheduleExpressionTimezone``, in ``GET /api/jobs/{id}/messages`` and when the local runner
fires them; quiet hours move them to the same local hour on both sides; a status change at
night waits for the morning even when the night is the one the clocks change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from chalicelib import wiring
from chalicelib.local.wiring import schedule_due_at
from tests.integration.messaging import (
    call,
    firer,
    make_job,
    profile_without_quiet_hours,
    schedules,
    set_status,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Change:
    zone: str
    day: date  # the day the clocks change
    utc_before: str  # 10:00 local as UTC (HH:MM) a week before the change ...
    utc_after: str  # ... and the day after it


CHANGES = [
    Change("Europe/Berlin", date(2026, 10, 25), "08:00", "09:00"),  # CEST -> CET
    Change("America/New_York", date(2026, 11, 1), "14:00", "15:00"),  # EDT -> EST
    Change("Europe/Berlin", date(2027, 3, 28), "09:00", "08:00"),  # CET -> CEST
    Change("America/New_York", date(2027, 3, 14), "15:00", "14:00"),  # EST -> EDT
]


# 15:00 UTC is daytime in both zones (the status triggers are sent at once, not scheduled).
AFTERNOON = time(15, 0)


def use_clock(moment: datetime) -> None:
    """Plan and dispatch messages as if it were ``moment`` (the API runs in this process)."""
    wiring.reset()
    wiring.override("message_clock", lambda: moment)


def at(day: date, clock: str) -> str:
    return f"at({day.isoformat()}T{clock}:00)"


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: f"{c.zone}-{c.day}")
def test_reminders_keep_their_local_hour_across_the_change(
    api_url, photographer, messaging, change
):
    stage = messaging
    # Given it is four weeks before the change, and a job in that zone whose archive date is
    # three days after it: the 7-day reminder falls before the change, the 1-day one after
    use_clock(datetime.combine(change.day - timedelta(days=28), AFTERNOON, UTC))
    archive = change.day + timedelta(days=3)
    job = make_job(
        api_url,
        photographer,
        timezone=change.zone,
        shooting_date=(change.day - timedelta(days=30)).isoformat(),
        archive_date=archive.isoformat(),
    )
    job_id = job["job_id"]
    # When it starts selling
    set_status(api_url, photographer, job_id, "selling")
    # Then both schedules say 10:00 in the job's zone
    week, day = archive - timedelta(days=7), archive - timedelta(days=1)
    found = schedules(stage)
    seven, one = found[f"pj-{job_id}-archive-7d"], found[f"pj-{job_id}-archive-1d-sms"]
    assert (seven["ScheduleExpression"], one["ScheduleExpression"]) == (
        at(week, "10:00"),
        at(day, "10:00"),
    )
    assert seven["ScheduleExpressionTimezone"] == one["ScheduleExpressionTimezone"] == change.zone
    # And the messages view lists them at 10:00 local, at UTC instants an hour apart in the day
    view = call(api_url, photographer, "GET", f"/api/jobs/{job_id}/messages").json()
    planned = {p["step_id"]: p for p in view["planned"]}
    assert {s: (p["local_time"], p["timezone"]) for s, p in planned.items()} == {
        "archive-7d": (f"{week}T10:00", change.zone),
        "archive-1d-sms": (f"{day}T10:00", change.zone),
    }
    assert planned["archive-7d"]["utc"] == f"{week}T{change.utc_before}+00:00"
    assert planned["archive-1d-sms"]["utc"] == f"{day}T{change.utc_after}+00:00"
    # And the local runner fires the first at that UTC instant, not an hour early or late
    due = schedule_due_at(seven)
    assert due == datetime.fromisoformat(planned["archive-7d"]["utc"])
    runner = firer(stage)
    assert runner.fire_due(due - timedelta(minutes=1)) == []
    assert runner.fire_due(due) == [f"pj-{job_id}-archive-7d"]


@pytest.mark.parametrize("change", CHANGES[:2], ids=lambda c: c.zone)
def test_quiet_hours_move_reminders_to_the_same_local_hour_on_both_sides(
    api_url, photographer, messaging, change
):
    stage = messaging
    use_clock(datetime.combine(change.day - timedelta(days=28), AFTERNOON, UTC))
    # Given a profile whose quiet hours last until 11:00 local
    profile_id = profile_without_quiet_hours(
        api_url, photographer, quiet_hours={"start": "20:00", "end": "11:00"}
    )
    archive = change.day + timedelta(days=3)
    job = make_job(
        api_url,
        photographer,
        timezone=change.zone,
        shooting_date=(change.day - timedelta(days=30)).isoformat(),
        archive_date=archive.isoformat(),
        communication_profile_id=profile_id,
    )
    set_status(api_url, photographer, job["job_id"], "selling")
    # Then the 10:00 reminders go at 11:00 local before and after the change
    found = schedules(stage)
    assert found[f"pj-{job['job_id']}-archive-7d"]["ScheduleExpression"] == at(
        archive - timedelta(days=7), "11:00"
    )
    assert found[f"pj-{job['job_id']}-archive-1d-sms"]["ScheduleExpression"] == at(
        archive - timedelta(days=1), "11:00"
    )
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    assert {
        p["step_id"]: (p["local_time"][11:], p["moved_by_quiet_hours"]) for p in view["planned"]
    } == {
        "archive-7d": ("11:00", True),
        "archive-1d-sms": ("11:00", True),
    }


@pytest.mark.parametrize(
    ("zone", "evening_utc", "morning", "morning_utc"),
    [
        # 22:30 CEST on the night the clocks go back: 08:00 CET is 07:00 UTC
        ("Europe/Berlin", datetime(2026, 10, 24, 20, 30, tzinfo=UTC), "2026-10-25", "07:00"),
        # 23:30 EDT on the night the clocks go back: 08:00 EST is 13:00 UTC
        ("America/New_York", datetime(2026, 11, 1, 3, 30, tzinfo=UTC), "2026-11-01", "13:00"),
        # 22:30 CET on the night the clocks go forward: 08:00 CEST is 06:00 UTC
        ("Europe/Berlin", datetime(2027, 3, 27, 21, 30, tzinfo=UTC), "2027-03-28", "06:00"),
    ],
    ids=["berlin-autumn", "new-york-autumn", "berlin-spring"],
)
def test_selling_started_at_night_waits_for_the_morning_after_the_change(
    api_url, photographer, messaging, zone, evening_utc, morning, morning_utc
):
    stage = messaging
    # Given a job with the default profile (quiet 21:00-08:00 local), started at night
    use_clock(evening_utc)
    job = make_job(
        api_url,
        photographer,
        timezone=zone,
        shooting_date=(evening_utc.date() - timedelta(days=10)).isoformat(),
    )
    set_status(api_url, photographer, job["job_id"], "selling")
    # Then "online" is one schedule at 08:00 local the next morning, in the job's zone
    name = f"pje-{job['job_id']}-online"
    pending = schedules(stage, prefix="pje-")
    assert list(pending) == [name]
    assert pending[name]["ScheduleExpression"] == f"at({morning}T08:00:00)"
    assert pending[name]["ScheduleExpressionTimezone"] == zone
    assert schedule_due_at(pending[name]) == datetime.fromisoformat(
        f"{morning}T{morning_utc}+00:00"
    )
    view = call(api_url, photographer, "GET", f"/api/jobs/{job['job_id']}/messages").json()
    assert [(s["schedule"], s["local_time"], s["timezone"]) for s in view["other_schedules"]] == [
        (name, f"{morning}T08:00", zone)
    ]
