"""Local wall-clock arithmetic in a job's time zone, safe across DST changes.

Offsets and quiet hours are reasoned about in local wall time ("3 days before at 10:00"),
then turned into an instant. A wall time that does not exist (the spring-forward gap) moves
forward by the gap (02:30 becomes 03:30); an ambiguous one (the autumn fall-back hour) is the
first of the two occurrences.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def require_aware(value: datetime, name: str = "now") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def to_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall time of an aware instant."""
    return require_aware(moment, "moment").astimezone(zone).replace(tzinfo=None)


def resolve_wall(wall: datetime, zone: ZoneInfo) -> datetime:
    """The aware instant for a naive local wall time (gap: forward; fold: first)."""
    candidate = wall.replace(tzinfo=zone, fold=0)
    return candidate.astimezone(UTC).astimezone(zone)


def add_wall(wall: datetime, minutes: int) -> datetime:
    """Wall time plus minutes of calendar time: one day later is the same time tomorrow."""
    return wall + timedelta(minutes=minutes)


def at_time(wall: datetime, clock: time) -> datetime:
    return datetime.combine(wall.date(), clock)
