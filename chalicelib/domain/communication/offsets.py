"""Signed offsets of a step from its trigger: ``-P3D`` is three days before, ``P2D`` two days
after, ``P0D`` at once. Stored as whole minutes; applied to LOCAL wall-clock time (see
``schedule``), so "1 day before" keeps the local time of day across a DST change."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.communication.errors import InvalidOffset

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR
MAX_OFFSET_MINUTES = 366 * MINUTES_PER_DAY

_ISO = re.compile(
    r"(?P<sign>[+-])?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?"
)
_SHORT = re.compile(r"(?P<sign>[+-])?(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?")
_WORDS = re.compile(r"(?P<count>\d+)\s*(?P<unit>minute|hour|day|week)s?\s+(?P<when>before|after)")
_UNIT_MINUTES = {
    "minute": 1,
    "hour": MINUTES_PER_HOUR,
    "day": MINUTES_PER_DAY,
    "week": 7 * MINUTES_PER_DAY,
}
_AT_ONCE = {"0", "at once", "now", "immediately", "p0d", "pt0m", "pt0s"}


@dataclass(frozen=True, order=True)
class Offset:
    """Minutes after the trigger (negative: before)."""

    minutes: int

    def __post_init__(self) -> None:
        if abs(self.minutes) > MAX_OFFSET_MINUTES:
            raise InvalidOffset(f"offset beyond a year: {self.minutes} minutes")

    @classmethod
    def days(cls, count: int) -> Offset:
        return cls(count * MINUTES_PER_DAY)

    @classmethod
    def hours(cls, count: int) -> Offset:
        return cls(count * MINUTES_PER_HOUR)

    @property
    def is_at_once(self) -> bool:
        return self.minutes == 0

    def __str__(self) -> str:
        return format_offset(self)


AT_ONCE = Offset(0)


def parse_offset(text: str | int | Offset) -> Offset:
    """Read ``-P3D``, ``P1DT2H``, ``-3d``, ``2d12h``, ``90m``, ``3 days before``, ``at once``,
    or a number of minutes. Raises ``InvalidOffset``."""
    if isinstance(text, Offset):
        return text
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise InvalidOffset(f"not an offset: {text!r}")
    if isinstance(text, int):
        return Offset(text)
    value = text.strip().lower()
    if value in _AT_ONCE:
        return AT_ONCE
    words = _WORDS.fullmatch(value)
    if words:
        minutes = int(words["count"]) * _UNIT_MINUTES[words["unit"]]
        return Offset(-minutes if words["when"] == "before" else minutes)
    match = _ISO.fullmatch(value.upper()) or _SHORT.fullmatch(value)
    parts = ("weeks", "days", "hours", "minutes")
    if not match or not any(match.groupdict().get(p) for p in parts):
        raise InvalidOffset(f"not an offset: {text!r} (try -P3D, P2D, -1d or '3 days before')")
    found = {p: int(match.groupdict().get(p) or 0) for p in parts}
    minutes = (
        found["weeks"] * 7 * MINUTES_PER_DAY
        + found["days"] * MINUTES_PER_DAY
        + found["hours"] * MINUTES_PER_HOUR
        + found["minutes"]
    )
    return Offset(-minutes if match["sign"] == "-" else minutes)


def format_offset(offset: Offset) -> str:
    """The canonical ISO 8601 form: ``-P3D``, ``P1DT2H``, ``PT30M``, ``P0D``."""
    if offset.minutes == 0:
        return "P0D"
    sign = "-" if offset.minutes < 0 else ""
    days, rest = divmod(abs(offset.minutes), MINUTES_PER_DAY)
    hours, minutes = divmod(rest, MINUTES_PER_HOUR)
    date_part = f"{days}D" if days else ""
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"{sign}P{date_part}" + (f"T{time_part}" if time_part else "")


def describe_offset(offset: Offset) -> str:
    """English words for the admin UI: ``3 days before``, ``1 day 2 hours after``, ``at once``."""
    if offset.minutes == 0:
        return "at once"
    days, rest = divmod(abs(offset.minutes), MINUTES_PER_DAY)
    hours, minutes = divmod(rest, MINUTES_PER_HOUR)
    pieces = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(pieces) + (" before" if offset.minutes < 0 else " after")
