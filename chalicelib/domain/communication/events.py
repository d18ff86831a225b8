"""Event-driven steps: what to do when a trigger fires now (a status change, a registration,
a cart left idle). Each step either goes out at once or becomes a delayed one-time schedule
with a deterministic name (per cart for ``abandoned_cart``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.communication import clock
from chalicelib.domain.communication.profiles import (
    SENDING_STATUSES,
    CommunicationProfile,
    Step,
    Trigger,
    is_date_relative,
)
from chalicelib.domain.communication.quiet_hours import (
    DEFAULT_QUIET_HOURS,
    NO_QUIET_HOURS,
    QuietHours,
)
from chalicelib.domain.communication.schedule import (
    PlannedSchedule,
    SchedulableJob,
    event_schedule,
    fire_time,
)

# Triggers that concern one customer (their id, or their cart's id, is the subject).
PER_SUBJECT_TRIGGERS = frozenset({Trigger.REGISTRATION, Trigger.ABANDONED_CART})


@dataclass(frozen=True)
class StepDispatch:
    """Send ``step`` now (``schedule`` is None) or create ``schedule``. ``subject_id`` narrows
    the audience to one customer (registration) or one cart's owner (abandoned cart)."""

    step: Step
    job_id: str
    subject_id: str | None
    schedule: PlannedSchedule | None

    @property
    def send_now(self) -> bool:
        return self.schedule is None


def dispatch_for_event(
    trigger: Trigger,
    job: SchedulableJob,
    profile: CommunicationProfile,
    *,
    now: datetime,
    occurred_at: datetime | None = None,
    subject_id: str | None = None,
    quiet_hours: QuietHours = DEFAULT_QUIET_HOURS,
) -> list[StepDispatch]:
    """The steps of ``profile`` that ``trigger`` fires for ``job``.

    ``occurred_at`` is when it happened (for ``abandoned_cart``: the cart's last change,
    which the delay counts from; default ``now``). Quiet hours delay night-time messages to
    the morning, except a welcome sent at once: that answers the customer's own action. A
    job not in a status that sends ``trigger`` gets nothing (planning never sends).
    """
    if is_date_relative(trigger):
        raise ValueError(f"{trigger} is date-relative: use plan_schedules")
    if trigger in PER_SUBJECT_TRIGGERS and not subject_id:
        raise ValueError(f"{trigger} needs the subject_id of the customer or cart")
    clock.require_aware(now)
    happened = clock.require_aware(occurred_at or now, "occurred_at")
    if job.status not in SENDING_STATUSES[trigger]:
        return []
    zone = ZoneInfo(job.timezone)
    dispatches = []
    for step in profile.steps_for(trigger):
        exempt = trigger == Trigger.REGISTRATION and step.offset.is_at_once
        quiet = NO_QUIET_HOURS if exempt else quiet_hours
        fire_at, moved = fire_time(happened, step.offset, zone, quiet_hours=quiet)
        schedule = None
        if fire_at > now:
            schedule = event_schedule(
                job,
                step,
                fire_at,
                anchor=happened.astimezone(zone),
                moved_by_quiet_hours=moved,
                subject_id=subject_id,
            )
        dispatches.append(StepDispatch(step, job.job_id, subject_id, schedule))
    return dispatches
