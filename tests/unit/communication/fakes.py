"""Small stand-ins for other parts of the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FakeJob:
    """The fields planning reads; ``chalicelib.domain.jobs.Job`` has the same ones."""

    job_id: str = "JOB0000000AB"
    studio_id: str = "STUDIO000001"
    status: str = "selling"
    timezone: str = "Europe/Berlin"
    archive_date: date | None = None
    voucher_deadline: date | None = None
    prepay_deadline: date | None = None
