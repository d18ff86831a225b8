"""When a schedule fires: is its plan still current? A schedule may fire after the date
moved, the step was edited or removed, or the job changed status; such a fire is ignored
(the re-planned schedule, if any, fires on its own)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.communication.offsets import format_offset
from chalicelib.domain.communication.profiles import (
    SENDING_STATUSES,
    CommunicationProfile,
    Step,
    is_date_relative,
)
from chalicelib.domain.communication.schedule import (
    KIND_DATE,
    PAYLOAD_VERSION,
    SchedulableJob,
    anchor_of,
)


@dataclass(frozen=True)
class FireCheck:
    """``send`` with the current ``step``, or not with a ``reason``: ``unknown_payload``,
    ``other_job``, ``step_changed``, ``status``, ``timezone_changed``, ``date_changed`` or
    ``subject_changed``."""

    send: bool
    step: Step | None = None
    reason: str | None = None


def _stale(reason: str) -> FireCheck:
    return FireCheck(False, None, reason)


def check_fire(
    payload: Mapping[str, Any],
    job: SchedulableJob,
    profile: CommunicationProfile,
    *,
    subject_anchor: datetime | None = None,
) -> FireCheck:
    """Decide whether a fired schedule's payload still matches the job and its profile.

    ``subject_anchor`` is, for a cart schedule, the cart's current last change: a cart that
    changed since the schedule was made has its own, later schedule.
    """
    if payload.get("v") != PAYLOAD_VERSION or "step_id" not in payload:
        return _stale("unknown_payload")
    if payload.get("job_id") != job.job_id:
        return _stale("other_job")
    step = profile.step(str(payload["step_id"]))
    if (
        step is None
        or step.trigger.value != payload.get("trigger")
        or format_offset(step.offset) != payload.get("offset")
    ):
        return _stale("step_changed")
    if job.status not in SENDING_STATUSES[step.trigger]:
        return _stale("status")
    if payload.get("timezone") != job.timezone:
        return _stale("timezone_changed")
    if payload.get("kind") == KIND_DATE or is_date_relative(step.trigger):
        anchor = anchor_of(job, step.trigger)
        if anchor is None or anchor.isoformat() != payload.get("anchor"):
            return _stale("date_changed")
    elif subject_anchor is not None and not _same_second(subject_anchor, payload.get("anchor")):
        return _stale("subject_changed")
    return FireCheck(True, step)


def _same_second(moment: datetime, text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        planned = datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.replace(microsecond=0) == planned
