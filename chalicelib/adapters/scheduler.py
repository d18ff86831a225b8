"""EventBridge Scheduler: one-time ``at(...)`` schedules that invoke ``functions/send_messages``.

Names are deterministic (``communication.names``), so applying a plan is idempotent: a schedule
that exists is updated, one that is gone is not an error. Each schedule fires once in the job's
time zone (``ScheduleExpressionTimezone``) and deletes itself afterwards (``DELETE``). The
target's ``Input`` is the plan's payload: exactly what the function receives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.communication import PlannedSchedule, ScheduleDiff, schedule_prefix
from chalicelib.domain.communication.names import DATE_PREFIX, EVENT_PREFIX

# Scheduler retries a failed invocation of the function (not the function's own errors: Lambda
# retries those, the invocation being asynchronous) for at most this long.
RETRY_POLICY = {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 6 * 3600}
ALL_KINDS = (DATE_PREFIX, EVENT_PREFIX)


@dataclass(frozen=True)
class ExistingSchedule:
    name: str
    expression: str
    timezone: str
    payload: dict[str, Any]
    target_arn: str = ""
    role_arn: str = ""

    @property
    def local_time(self) -> str | None:
        """The local wall time of an ``at(...)`` expression, ISO format, or None."""
        if self.expression.startswith("at(") and self.expression.endswith(")"):
            return self.expression[3:-1]
        return None


class MessageScheduler:
    def __init__(self, *, group: str, target_arn: str, role_arn: str, client: Any = None) -> None:
        self.group = group
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._client = client

    @cached_property
    def _scheduler(self) -> Any:
        if self._client is not None:
            return self._client
        from chalicelib.adapters.aws import client

        return client("scheduler")

    # reading ------------------------------------------------------------------------------
    def date_schedules(self, job_id: str) -> dict[str, dict[str, Any]]:
        """The job's date-relative schedules, name -> payload (what ``diff_schedules`` takes)."""
        return {s.name: s.payload for s in self.job_schedules(job_id, kinds=(DATE_PREFIX,))}

    def job_schedules(
        self, job_id: str, *, kinds: tuple[str, ...] = ALL_KINDS
    ) -> list[ExistingSchedule]:
        """Every schedule of a job (date-relative ``pj`` and delayed event ``pje``)."""
        found = []
        for name in self._job_names(job_id, kinds):
            schedule = self._get(name)
            if schedule is not None:
                found.append(schedule)
        return sorted(found, key=lambda s: s.name)

    # writing ------------------------------------------------------------------------------
    def apply(self, diff: ScheduleDiff) -> None:
        """Create, update and delete the schedules of a plan's diff."""
        for planned in (*diff.to_create, *diff.to_update):
            self.put(planned)
        for name in diff.to_delete:
            self.delete(name)

    def put(self, planned: PlannedSchedule) -> None:
        """Create the schedule, or replace it when it exists."""
        request = self._request(planned.name, planned.expression, planned.timezone, planned.payload)
        try:
            self._scheduler.create_schedule(**request)
        except ClientError as exc:
            if _code(exc) != "ConflictException":
                raise
            self._scheduler.update_schedule(**request)

    def delete(self, name: str) -> None:
        try:
            self._scheduler.delete_schedule(GroupName=self.group, Name=name)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise

    def delete_job(self, job_id: str) -> list[str]:
        """Delete every schedule of a job (it is being deleted); returns their names."""
        names = list(self._job_names(job_id, ALL_KINDS))
        for name in names:
            self.delete(name)
        return names

    def move_to(self, job_id: str, when: datetime) -> list[str]:
        """Let every schedule of a job fire at ``when`` instead (local fast-forward: the
        payload, and so what is sent, stays the same); returns their names."""
        at = f"at({when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec='seconds')})"
        moved = []
        for schedule in self.job_schedules(job_id):
            request = self._request(schedule.name, at, "UTC", schedule.payload)
            request["Target"].update(Arn=schedule.target_arn, RoleArn=schedule.role_arn)
            self._scheduler.update_schedule(**request)
            moved.append(schedule.name)
        return moved

    # helpers ------------------------------------------------------------------------------
    def _request(
        self, name: str, expression: str, timezone: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "Name": name,
            "GroupName": self.group,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": json.dumps(payload, sort_keys=True, separators=(",", ":")),
                "RetryPolicy": RETRY_POLICY,
            },
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
        }

    def _job_names(self, job_id: str, kinds: tuple[str, ...]) -> Iterator[str]:
        for kind in kinds:
            yield from self._names(schedule_prefix(job_id, kind=kind))

    def _names(self, prefix: str) -> Iterator[str]:
        kwargs: dict[str, Any] = {"GroupName": self.group, "NamePrefix": prefix}
        while True:
            page = self._scheduler.list_schedules(**kwargs)
            for summary in page.get("Schedules", []):
                # NamePrefix is honoured by AWS; filter again so a looser emulator is harmless.
                if summary["Name"].startswith(prefix):
                    yield summary["Name"]
            token = page.get("NextToken")
            if not token:
                return
            kwargs["NextToken"] = token

    def _get(self, name: str) -> ExistingSchedule | None:
        try:
            schedule = self._scheduler.get_schedule(GroupName=self.group, Name=name)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None  # fired and deleted between listing and reading
            raise
        try:
            payload = json.loads(schedule["Target"].get("Input") or "{}")
        except ValueError:
            payload = {}
        return ExistingSchedule(
            name=name,
            expression=schedule["ScheduleExpression"],
            timezone=schedule.get("ScheduleExpressionTimezone") or "UTC",
            payload=payload if isinstance(payload, dict) else {},
            target_arn=schedule["Target"]["Arn"],
            role_arn=schedule["Target"].get("RoleArn", ""),
        )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
