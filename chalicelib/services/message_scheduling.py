"""Keeping a job's messages in line with the job: after every change of its dates, status,
time zone or profile, re-plan its date-relative schedules and apply the difference to
EventBridge Scheduler (no orphans, no duplicates); when its status changes, dispatch the
status triggers (selling, or "photos back online" for a job recreated after an accidental
delete; archived; never planning or prepay) at once or, at night, as a delayed one-time
schedule. Also the entry point for the shop's events (a registration, a cart's change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.adapters.scheduler import MessageScheduler
from chalicelib.domain.communication import (
    PlannedSchedule,
    ScheduleDiff,
    SchedulePlan,
    Step,
    Trigger,
    diff_schedules,
    dispatch_for_event,
    event_schedule_name,
    plan_schedules,
    triggers_for_status_change,
)
from chalicelib.domain.communication.library import StudioProfile
from chalicelib.domain.communication.schedule import event_schedule
from chalicelib.domain.jobs import Job
from chalicelib.domain.principal import Clock, utc_now
from chalicelib.services.communication_profiles import ProfileResolver, job_profile


class SendNow(Protocol):
    def start(self, payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Replanned:
    plan: SchedulePlan
    diff: ScheduleDiff


class MessageScheduling:
    def __init__(
        self,
        profiles: ProfileResolver,
        scheduler: MessageScheduler,
        send_now: SendNow,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._profiles = profiles
        self._scheduler = scheduler
        self._send_now = send_now
        self._clock = clock

    # JobService observer --------------------------------------------------------------------
    def __call__(self, before: Job | None, after: Job) -> None:
        """After a job was created or changed: re-plan, and dispatch status triggers."""
        profile = self.profile_of(after)
        self.replan(after, profile)
        if before is None or before.status == after.status or profile is None:
            return
        # A job replacing a deleted one (seed 004) says "back online, with new codes" instead.
        triggers = triggers_for_status_change(
            before.status, after.status, recreated=after.recreated
        )
        for trigger in triggers:
            self.dispatch(trigger, after, profile)

    def replan_job(self, job: Job) -> Replanned:
        """Re-plan one job (its profile changed)."""
        return self.replan(job, self.profile_of(job))

    def replan(self, job: Job, profile: StudioProfile | None) -> Replanned:
        """Bring the job's date-relative schedules in line with its current plan."""
        plan = self.plan(job, profile)
        diff = diff_schedules(self._scheduler.date_schedules(job.job_id), plan.planned)
        self._scheduler.apply(diff)
        return Replanned(plan, diff)

    def plan(self, job: Job, profile: StudioProfile | None) -> SchedulePlan:
        if profile is None:
            return SchedulePlan((), ())
        return plan_schedules(job, profile.profile, self._clock(), profile.quiet_hours)

    def dispatch(
        self,
        trigger: Trigger,
        job: Job,
        profile: StudioProfile,
        *,
        subject_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> list[str]:
        """Fire an event trigger for a job: each step is sent now or scheduled (at night, or
        after its delay). Returns what was done per step (``now:<step>``/``at:<name>``)."""
        now = self._clock()
        done = []
        for dispatch in dispatch_for_event(
            trigger,
            job,
            profile.profile,
            now=now,
            occurred_at=occurred_at,
            subject_id=subject_id,
            quiet_hours=profile.quiet_hours,
        ):
            if dispatch.schedule is not None:
                self._scheduler.put(dispatch.schedule)
                done.append(f"at:{dispatch.schedule.name}")
                continue
            self._send_now.start(_payload_now(job, dispatch.step, now, subject_id, occurred_at))
            done.append(f"now:{dispatch.step.step_id}")
        return done

    def customer_registered(self, job: Job, customer_id: str) -> list[str]:
        """The shop's hook: a customer registered for ``job`` (welcome steps)."""
        profile = self.profile_of(job)
        if profile is None:
            return []
        return self.dispatch(Trigger.REGISTRATION, job, profile, subject_id=customer_id)

    def cart_changed(
        self, job: Job, customer_id: str, changed_at: datetime, *, empty: bool
    ) -> list[str]:
        """The shop's hook: a registered customer's cart of ``job`` changed at ``changed_at``.
        A cart with lines (re)schedules its ``abandoned_cart`` steps, counted from the change;
        the deterministic names replace the pending schedules of the previous change. An
        emptied cart deletes them: there is nothing left to remind of."""
        profile = self.profile_of(job)
        if profile is None:
            return []
        if empty:
            names = [
                event_schedule_name(job.job_id, step.step_id, customer_id)
                for step in profile.profile.steps_for(Trigger.ABANDONED_CART)
            ]
            for name in names:
                self._scheduler.delete(name)
            return [f"deleted:{name}" for name in names]
        return self.dispatch(
            Trigger.ABANDONED_CART, job, profile, subject_id=customer_id, occurred_at=changed_at
        )

    def job_deleted(self, job: Job) -> None:
        """JobService deletion step: a deleted job keeps no schedule."""
        self._scheduler.delete_job(job.job_id)

    def profile_of(self, job: Job) -> StudioProfile | None:
        return job_profile(self._profiles, job)


def _payload_now(
    job: Job,
    step: Step,
    now: datetime,
    subject_id: str | None,
    occurred_at: datetime | None,
) -> dict[str, Any]:
    """The payload a schedule firing right now would deliver (the function checks it the same
    way, so a dispatch for a job that changed meanwhile is ignored)."""
    zone = ZoneInfo(job.timezone)
    schedule: PlannedSchedule = event_schedule(
        job,
        step,
        now.astimezone(zone),
        anchor=(occurred_at or now).astimezone(zone),
        moved_by_quiet_hours=False,
        subject_id=subject_id,
    )
    return schedule.payload
