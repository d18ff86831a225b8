"""Deterministic EventBridge Scheduler names (1-64 characters of ``[0-9a-zA-Z-_.]``).

The same (job, step[, subject]) always gives the same name, so a changed date or profile
updates or deletes the existing schedule instead of orphaning it or adding a second one.

- ``pj-<job>-<step>``             date-relative steps, owned by ``plan_schedules``/``diff``
- ``pje-<job>-<step>[-<subject>]`` delayed event-driven steps (a cart, a night-time event)

A part that is too long or uses other characters is replaced by a short hash of itself, so
names stay within the limit and every name of a job starts with ``schedule_prefix(job)``.
"""

from __future__ import annotations

import hashlib
import re

MAX_NAME_LENGTH = 64
NAME_PATTERN = re.compile(r"[0-9A-Za-z_.-]{1,64}")
DATE_PREFIX = "pj"
EVENT_PREFIX = "pje"
_JOB_PART = re.compile(r"[0-9A-Za-z_.]{1,24}")  # no '-': a job's prefix must not match another's
_STEP_PART = re.compile(r"[0-9A-Za-z_.-]{1,20}")
_SUBJECT_PART = re.compile(r"[0-9A-Za-z_.-]{1,14}")


def _hashed(value: str, length: int) -> str:
    return "h" + hashlib.sha256(value.encode()).hexdigest()[: length - 1]


def _part(value: str, pattern: re.Pattern[str], length: int) -> str:
    return value if pattern.fullmatch(value) else _hashed(value, length)


def _job_part(job_id: str) -> str:
    return _part(job_id, _JOB_PART, 24)


def schedule_prefix(job_id: str, *, kind: str = DATE_PREFIX) -> str:
    """Every schedule name of ``job_id`` of that kind starts with this (list by prefix)."""
    return f"{kind}-{_job_part(job_id)}-"


def schedule_name(job_id: str, step_id: str) -> str:
    """The name of the one-time schedule of a date-relative step of a job."""
    return schedule_prefix(job_id) + _part(step_id, _STEP_PART, 20)


def event_schedule_name(job_id: str, step_id: str, subject_id: str | None = None) -> str:
    """The name of a delayed event-driven step, per subject (a cart) when given."""
    name = schedule_prefix(job_id, kind=EVENT_PREFIX) + _part(step_id, _STEP_PART, 20)
    return name if subject_id is None else f"{name}-{_part(subject_id, _SUBJECT_PART, 14)}"


def is_date_schedule_name(name: str) -> bool:
    return name.startswith(DATE_PREFIX + "-")
