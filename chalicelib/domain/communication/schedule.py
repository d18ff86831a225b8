"""Planning the one-time schedules of a job's date-relative steps (pure; an adapter applies
the plan to EventBridge Scheduler).

Anchor: job dates (archive date, voucher and prepay deadline) are LOCAL calendar dates in the
job's time zone, and the last day of their period. A step is anchored at ``send_time``
(default 10:00 local) on that date; its offset moves it in wall-clock terms, so "3 days
before" fires at 10:00 local three calendar days earlier whatever DST does in between. An
aware datetime anchor is used at its own local wall time instead. Quiet hours then move a
time forward; a time already past is not planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from chalicelib.domain.communication import clock
from chalicelib.domain.communication.names import (
    event_schedule_name,
    is_date_schedule_name,
    schedule_name,
)
from chalicelib.domain.communication.offsets import Offset, format_offset
from chalicelib.domain.communication.profiles import (
    SENDING_STATUSES,
    CommunicationProfile,
    Step,
    Trigger,
    is_date_relative,
)
from chalicelib.domain.communication.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours

PAYLOAD_VERSION = 1
DEFAULT_SEND_TIME = time(10, 0)
KIND_DATE = "date"
KIND_EVENT = "event"

_ANCHOR_FIELDS: Mapping[Trigger, str] = {
    Trigger.ARCHIVE_DUE: "archive_date",
    Trigger.VOUCHER_ENDING: "voucher_deadline",
    Trigger.PREPAY_DUE: "prepay_deadline",
}


class SchedulableJob(Protocol):
    """What planning needs of a job (``chalicelib.domain.jobs.Job`` fits)."""

    @property
    def job_id(self) -> str: ...
    @property
    def studio_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def archive_date(self) -> date | None: ...
    @property
    def voucher_deadline(self) -> date | None: ...
    @property
    def prepay_deadline(self) -> date | None: ...


@dataclass(frozen=True)
class PlannedSchedule:
    """One one-time schedule. ``fire_at`` is aware, in the job's zone; ``anchor`` is the date
    (ISO text) the step was planned against, so a fire for a stale plan can be told apart."""

    name: str
    kind: str
    studio_id: str
    job_id: str
    step_id: str
    trigger: Trigger
    anchor: str
    offset: Offset
    fire_at: datetime
    timezone: str
    moved_by_quiet_hours: bool = False
    subject_id: str | None = None

    @property
    def expression(self) -> str:
        """``ScheduleExpression``; pair it with ``ScheduleExpressionTimezone=timezone``."""
        return f"at({self.fire_at.replace(tzinfo=None).isoformat(timespec='seconds')})"

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON-able target input the sender receives when the schedule fires."""
        body: dict[str, Any] = {
            "v": PAYLOAD_VERSION,
            "kind": self.kind,
            "studio_id": self.studio_id,
            "job_id": self.job_id,
            "step_id": self.step_id,
            "trigger": self.trigger.value,
            "anchor": self.anchor,
            "offset": format_offset(self.offset),
            "fire_at": self.fire_at.replace(tzinfo=None).isoformat(timespec="seconds"),
            "timezone": self.timezone,
        }
        if self.subject_id is not None:
            body["subject_id"] = self.subject_id
        return body


@dataclass(frozen=True)
class SkippedStep:
    """A date-relative step that gets no schedule, and why: ``status`` (the job is not in a
    status that sends it), ``no_date`` (the job has no such date) or ``past``."""

    step_id: str
    trigger: Trigger
    reason: str
    fire_at: datetime | None = None


@dataclass(frozen=True)
class SchedulePlan:
    planned: tuple[PlannedSchedule, ...]
    skipped: tuple[SkippedStep, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.planned)


class ScheduleDiff(NamedTuple):
    to_create: tuple[PlannedSchedule, ...]
    to_update: tuple[PlannedSchedule, ...]
    to_delete: tuple[str, ...]


def anchor_of(job: SchedulableJob, trigger: Trigger) -> date | datetime | None:
    """The job date a date-relative trigger is relative to."""
    value: date | datetime | None = getattr(job, _ANCHOR_FIELDS[trigger])
    return value


def fire_time(
    anchor: date | datetime,
    offset: Offset,
    zone: ZoneInfo,
    *,
    send_time: time = DEFAULT_SEND_TIME,
    quiet_hours: QuietHours = DEFAULT_QUIET_HOURS,
) -> tuple[datetime, bool]:
    """The aware local fire time of ``offset`` from ``anchor``, and whether quiet hours moved it."""
    if isinstance(anchor, datetime):
        base = clock.to_wall(anchor, zone) if anchor.tzinfo else anchor
    else:
        base = datetime.combine(anchor, send_time)
    wall = clock.to_wall(clock.resolve_wall(clock.add_wall(base, offset.minutes), zone), zone)
    allowed = quiet_hours.next_allowed(wall)
    return clock.resolve_wall(allowed, zone), allowed != wall


def plan_schedules(
    job: SchedulableJob,
    profile: CommunicationProfile,
    now: datetime,
    quiet_hours: QuietHours = DEFAULT_QUIET_HOURS,
    *,
    send_time: time = DEFAULT_SEND_TIME,
) -> SchedulePlan:
    """Plan a one-time schedule for every date-relative step of ``profile`` that applies to
    ``job`` in its current status and lies in the future. Re-plan after every change of the
    job's dates, status, time zone or profile, then apply ``diff_schedules``."""
    clock.require_aware(now)
    zone = ZoneInfo(job.timezone)
    planned: list[PlannedSchedule] = []
    skipped: list[SkippedStep] = []
    for step in profile.steps:
        if not is_date_relative(step.trigger):
            continue
        if job.status not in SENDING_STATUSES[step.trigger]:
            skipped.append(SkippedStep(step.step_id, step.trigger, "status"))
            continue
        anchor = anchor_of(job, step.trigger)
        if anchor is None:
            skipped.append(SkippedStep(step.step_id, step.trigger, "no_date"))
            continue
        at, moved = fire_time(
            anchor, step.offset, zone, send_time=send_time, quiet_hours=quiet_hours
        )
        if at <= now:
            skipped.append(SkippedStep(step.step_id, step.trigger, "past", at))
            continue
        planned.append(
            PlannedSchedule(
                name=schedule_name(job.job_id, step.step_id),
                kind=KIND_DATE,
                studio_id=job.studio_id,
                job_id=job.job_id,
                step_id=step.step_id,
                trigger=step.trigger,
                anchor=anchor.isoformat(),
                offset=step.offset,
                fire_at=at,
                timezone=job.timezone,
                moved_by_quiet_hours=moved,
            )
        )
    return SchedulePlan(tuple(planned), tuple(skipped))


def diff_schedules(
    existing: Mapping[str, Mapping[str, Any]], planned: Iterable[PlannedSchedule]
) -> ScheduleDiff:
    """Compare a job's existing date schedules (name -> payload, listed by
    ``schedule_prefix(job_id)``) with a plan. Names not made by ``plan_schedules`` (event
    schedules) are left alone. Nothing changed gives three empty tuples."""
    wanted = {p.name: p for p in planned}
    owned = {name: payload for name, payload in existing.items() if is_date_schedule_name(name)}
    to_create = tuple(p for name, p in wanted.items() if name not in owned)
    to_update = tuple(
        p for name, p in wanted.items() if name in owned and dict(owned[name]) != p.payload
    )
    to_delete = tuple(sorted(name for name in owned if name not in wanted))
    return ScheduleDiff(to_create, to_update, to_delete)


def event_schedule(
    job: SchedulableJob,
    step: Step,
    fire_at: datetime,
    *,
    anchor: datetime,
    moved_by_quiet_hours: bool,
    subject_id: str | None,
) -> PlannedSchedule:
    """A one-time schedule for a delayed event-driven step (see ``events``)."""
    return PlannedSchedule(
        name=event_schedule_name(job.job_id, step.step_id, subject_id),
        kind=KIND_EVENT,
        studio_id=job.studio_id,
        job_id=job.job_id,
        step_id=step.step_id,
        trigger=step.trigger,
        anchor=anchor.isoformat(timespec="seconds"),
        offset=step.offset,
        fire_at=fire_at,
        timezone=job.timezone,
        moved_by_quiet_hours=moved_by_quiet_hours,
        subject_id=subject_id,
    )
