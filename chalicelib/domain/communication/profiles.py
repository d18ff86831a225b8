"""Communication profiles: a studio's reusable plan of messages (seed 000). Its name is never
shown to customers. Each step says when (trigger + offset), how (channel), to whom
(audience) and what (template id)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.domain.communication.errors import InvalidOffset
from chalicelib.domain.communication.offsets import Offset, format_offset, parse_offset
from chalicelib.errors import ValidationFailed


class Trigger(StrEnum):
    SELLING_STARTED = "selling_started"
    ARCHIVE_DUE = "archive_due"
    VOUCHER_ENDING = "voucher_ending"
    ARCHIVED = "archived"
    REGISTRATION = "registration"
    PREPAY_DUE = "prepay_due"
    ABANDONED_CART = "abandoned_cart"
    PHOTOS_BACK_ONLINE = "photos_back_online"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Audience(StrEnum):
    ALL_REGISTERED = "all_registered"
    NOT_ORDERED = "not_ordered"
    BUYERS = "buyers"


# Triggers relative to a date of the job: planned ahead as one-time schedules.
DATE_RELATIVE_TRIGGERS = frozenset(
    {Trigger.ARCHIVE_DUE, Trigger.VOUCHER_ENDING, Trigger.PREPAY_DUE}
)
# Triggers fired by something happening: a status change, a registration, an idle cart.
EVENT_DRIVEN_TRIGGERS = frozenset(set(Trigger) - DATE_RELATIVE_TRIGGERS)

# The job statuses in which a trigger's messages go out (checked when planning, dispatching
# and again when a schedule fires). Planning never sends anything (seeds 001, 002).
SENDING_STATUSES: Mapping[Trigger, frozenset[str]] = {
    Trigger.SELLING_STARTED: frozenset({"selling"}),
    Trigger.PHOTOS_BACK_ONLINE: frozenset({"selling"}),
    Trigger.ARCHIVE_DUE: frozenset({"selling"}),
    Trigger.VOUCHER_ENDING: frozenset({"selling"}),
    Trigger.ARCHIVED: frozenset({"archived"}),
    Trigger.PREPAY_DUE: frozenset({"prepay"}),
    Trigger.REGISTRATION: frozenset({"selling", "prepay"}),
    Trigger.ABANDONED_CART: frozenset({"selling", "prepay"}),
}

MIN_ABANDONED_CART_DELAY = Offset(30)
QUARTER_HOUR = 15
STEP_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,20}")
TEMPLATE_ID_PATTERN = re.compile(r"[a-z0-9_]{1,40}")
MAX_STEPS = 30
MAX_NAME_LENGTH = 80


def is_date_relative(trigger: Trigger) -> bool:
    """True for triggers anchored on a job date (archive date, voucher and prepay deadline)."""
    return trigger in DATE_RELATIVE_TRIGGERS


def triggers_for_status_change(old: str, new: str, *, recreated: bool = False) -> list[Trigger]:
    """The event triggers a status change fires (seeds 001, 002).

    Planning and prepay never trigger the profile; selling and archived may. A job recreated
    after an accidental delete (seed 004) announces "your photos are back online" instead of
    the first "your photos are online". Date-relative steps are not fired here: re-plan the
    job's schedules (``plan_schedules``) after every status change instead.
    """
    if old == new:
        return []
    if new == "selling":
        return [Trigger.PHOTOS_BACK_ONLINE if recreated else Trigger.SELLING_STARTED]
    if new == "archived":
        return [Trigger.ARCHIVED]
    return []


@dataclass(frozen=True)
class Step:
    """One message of a profile. ``step_id`` is stable: schedules and message keys use it."""

    step_id: str
    trigger: Trigger
    offset: Offset
    channel: Channel
    audience: Audience
    template_id: str

    def as_dict(self) -> dict[str, str]:
        return {
            "step_id": self.step_id,
            "trigger": self.trigger.value,
            "offset": format_offset(self.offset),
            "channel": self.channel.value,
            "audience": self.audience.value,
            "template_id": self.template_id,
        }


@dataclass(frozen=True)
class CommunicationProfile:
    profile_id: str
    studio_id: str
    name: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.step_id == step_id), None)

    def steps_for(self, trigger: Trigger) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.trigger == trigger)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "studio_id": self.studio_id,
            "name": self.name,
            "steps": [s.as_dict() for s in self.steps],
        }


def step_problems(step: Step) -> list[str]:
    """What is wrong with one step, in words (empty when it is fine)."""
    problems = []
    if not STEP_ID_PATTERN.fullmatch(step.step_id):
        problems.append("step_id: 1-20 letters, digits, '_' or '-'")
    if not TEMPLATE_ID_PATTERN.fullmatch(step.template_id):
        problems.append("template_id: 1-40 lower-case letters, digits or '_'")
    if step.trigger == Trigger.ABANDONED_CART and step.offset < MIN_ABANDONED_CART_DELAY:
        problems.append(
            f"offset: an abandoned cart waits at least {MIN_ABANDONED_CART_DELAY.minutes} minutes"
        )
    elif not is_date_relative(step.trigger) and step.offset.minutes < 0:
        problems.append(f"offset: {step.trigger} cannot be anticipated, use 0 or a delay")
    if step.offset.minutes % QUARTER_HOUR:
        problems.append("offset: use whole quarter hours")
    return problems


def validate_profile(profile: CommunicationProfile) -> None:
    """Raise ``ValidationFailed`` naming every problem (field paths like ``steps[2].offset``)."""
    errors: list[dict[str, str]] = []
    if not profile.name.strip() or len(profile.name) > MAX_NAME_LENGTH:
        errors.append({"field": "name", "reason": f"1-{MAX_NAME_LENGTH} characters"})
    if len(profile.steps) > MAX_STEPS:
        errors.append({"field": "steps", "reason": f"at most {MAX_STEPS} steps"})
    seen: set[str] = set()
    for index, step in enumerate(profile.steps):
        if step.step_id in seen:
            errors.append({"field": f"steps[{index}].step_id", "reason": "is used twice"})
        seen.add(step.step_id)
        for problem in step_problems(step):
            field, reason = problem.split(": ", 1)
            errors.append({"field": f"steps[{index}].{field}", "reason": reason})
    if errors:
        raise ValidationFailed(errors)


def step_from_dict(data: Mapping[str, Any], *, index: int = 0) -> Step:
    """Parse one step of a request body or a stored item; raises ``ValidationFailed``."""
    errors: list[dict[str, str]] = []
    prefix = f"steps[{index}]."

    def pick(name: str, convert: Any) -> Any:
        try:
            return convert(data[name])
        except KeyError:
            errors.append({"field": prefix + name, "reason": "is required"})
        except (ValueError, InvalidOffset) as exc:
            errors.append({"field": prefix + name, "reason": str(exc)})
        return None

    values = {
        "step_id": pick("step_id", str),
        "trigger": pick("trigger", Trigger),
        "offset": pick("offset", parse_offset),
        "channel": pick("channel", Channel),
        "audience": pick("audience", Audience),
        "template_id": pick("template_id", str),
    }
    if errors:
        raise ValidationFailed(errors)
    return Step(**values)


def profile_from_dict(data: Mapping[str, Any]) -> CommunicationProfile:
    """Parse and validate a whole profile (``as_dict`` round-trips through it)."""
    errors: list[dict[str, str]] = []
    steps: list[Step] = []
    raw_steps = data.get("steps") or []
    if not isinstance(raw_steps, list) or not all(isinstance(r, Mapping) for r in raw_steps):
        raise ValidationFailed([{"field": "steps", "reason": "must be a list of objects"}])
    for index, raw in enumerate(raw_steps):
        try:
            steps.append(step_from_dict(raw, index=index))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    missing = [f for f in ("profile_id", "studio_id", "name") if not data.get(f)]
    errors.extend({"field": f, "reason": "is required"} for f in missing)
    if errors:
        raise ValidationFailed(errors)
    profile = CommunicationProfile(
        profile_id=str(data["profile_id"]),
        studio_id=str(data["studio_id"]),
        name=str(data["name"]),
        steps=tuple(steps),
    )
    validate_profile(profile)
    return profile
