"""Quiet hours: no message goes out at night. A planned time inside them moves forward to the
end of the quiet window (default 21:00-08:00 local, spanning midnight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` (inclusive) to ``end`` (exclusive), local time; equal means none."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def contains(self, clock: time) -> bool:
        if not self.enabled:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_allowed(self, wall: datetime) -> datetime:
        """``wall`` itself when allowed, else the end of the quiet window it falls in."""
        if not self.contains(wall.time()):
            return wall
        end_today = datetime.combine(wall.date(), self.end)
        return end_today if wall < end_today else end_today + timedelta(days=1)


DEFAULT_QUIET_HOURS = QuietHours()
NO_QUIET_HOURS = QuietHours(time(0), time(0))
