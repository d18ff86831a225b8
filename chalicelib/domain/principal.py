"""Who is acting: a signed-in photographer acts for exactly one studio (the tenant)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Principal:
    studio_id: str
    user_id: str
    email: str | None = None


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
