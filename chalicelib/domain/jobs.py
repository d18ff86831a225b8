"""Jobs (seed 000): the settings a photographer gives, their validation and job-type defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.errors import ValidationFailed

STATUSES = ("planning", "selling", "prepay", "archived")
ACCESS_TYPES = ("per_person", "shared")
REGISTRATION_MODES = ("off", "optional", "required")


@dataclass(frozen=True)
class Watermark:
    text: str | None = None
    image_key: str | None = None  # S3 key of an uploaded watermark image
    opacity: float = 0.35

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "image_key": self.image_key, "opacity": self.opacity}


@dataclass(frozen=True)
class StatusChange:
    from_status: str
    to_status: str
    changed_by: str
    changed_at: datetime
    forced: bool = False


@dataclass(frozen=True)
class Job:
    job_id: str
    studio_id: str
    name: str
    shooting_date: date
    job_type: str
    internal_name: str
    created_at: datetime
    updated_at: datetime
    timezone: str = "UTC"
    people_expected: int = 0
    contractee_id: str | None = None
    access_type: str = "per_person"
    registration: str = "optional"
    price_profile_id: str | None = None
    communication_profile_id: str | None = None
    watermark: Watermark | None = None
    archive_date: date | None = None
    voucher_deadline: date | None = None
    prepay: bool = False
    prepay_deadline: date | None = None
    status: str = "planning"
    # The deleted job this one replaces (seed 004), as the photographer knows it: its internal
    # name or id. Its parents are told "your photos are back online" with their new codes.
    recreates: str | None = None
    status_history: tuple[StatusChange, ...] = field(default_factory=tuple)
    version: int = 0

    @property
    def recreated(self) -> bool:
        """Whether this job replaces an accidentally deleted one (seed 004)."""
        return self.recreates is not None


# Settings a request may give. Identity fields are never taken from another job.
IDENTITY_FIELDS = ("name", "shooting_date", "job_type", "internal_name")
DEFAULTABLE_FIELDS = (
    "timezone",
    "people_expected",
    "contractee_id",
    "access_type",
    "registration",
    "price_profile_id",
    "communication_profile_id",
    "watermark",
    "archive_date",
    "voucher_deadline",
    "prepay",
    "prepay_deadline",
)
# Not copied from the previous job of the type: only this job replaces a deleted one.
OWN_FIELDS = ("recreates",)
# Deadlines are copied relative to the shooting date: "archive 6 weeks after the shoot".
RELATIVE_DATE_FIELDS = ("archive_date", "voucher_deadline", "prepay_deadline")
SETTING_FIELDS = IDENTITY_FIELDS + DEFAULTABLE_FIELDS + OWN_FIELDS
MAX_RECREATES_LENGTH = 120


def _watermark(value: Any) -> Watermark | None:
    if value is None:
        return None
    body = v.require_object(value)
    parsed = v.collect(
        body,
        {
            "text": lambda x: v.optional_text(x, max_length=80),
            "image_key": lambda x: v.optional_text(x, max_length=512),
            "opacity": lambda x: v.number(x, minimum=0.05, maximum=1.0),
        },
        prefix="watermark.",
    )
    mark = Watermark(**parsed)
    if not mark.text and not mark.image_key:
        raise v.FieldError("needs a text or an image_key")
    return mark


def _internal_name(value: Any) -> str:
    name = v.text(value, max_length=64)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise v.FieldError("may contain only letters, digits, '.', '_' and '-' (it names folders)")
    return name


def _recreates(value: Any) -> str | None:
    """The deleted job's internal name or id: one line of printable text (it is shown in the
    admin, never to parents)."""
    name = v.optional_text(value, max_length=MAX_RECREATES_LENGTH)
    if name is not None and not name.isprintable():
        raise v.FieldError("must be one line of printable text (the deleted job's name or id)")
    return name


def _optional_id(value: Any) -> str | None:
    return v.optional_text(value, max_length=64)


JOB_FIELD_PARSERS: dict[str, Any] = {
    "name": lambda x: v.text(x, max_length=120),
    "shooting_date": v.iso_date,
    "job_type": lambda x: v.text(x, max_length=60),
    "internal_name": _internal_name,
    "timezone": v.timezone,
    "people_expected": lambda x: v.integer(x, maximum=100_000),
    "contractee_id": _optional_id,
    "access_type": lambda x: v.choice(x, ACCESS_TYPES),
    "registration": lambda x: v.choice(x, REGISTRATION_MODES),
    "price_profile_id": _optional_id,
    "communication_profile_id": _optional_id,
    "watermark": _watermark,
    "archive_date": v.optional_date,
    "voucher_deadline": v.optional_date,
    "prepay": v.boolean,
    "prepay_deadline": v.optional_date,
    "recreates": _recreates,
}


def parse_job_settings(body: Any, *, creating: bool) -> dict[str, Any]:
    """Parse the settings fields of a create or update request (no cross-field rules yet)."""
    parsers = dict(JOB_FIELD_PARSERS)
    required = ("name", "shooting_date", "job_type") if creating else ()
    return v.collect(v.require_object(body), parsers, required=required)


def check_consistency(job: Job) -> None:
    """Cross-field rules, checked on the job as it would be stored."""
    errors: list[dict[str, str]] = []
    if job.archive_date and job.archive_date < job.shooting_date:
        errors.append({"field": "archive_date", "reason": "must not be before the shooting date"})
    if job.voucher_deadline and job.archive_date and job.voucher_deadline > job.archive_date:
        errors.append({"field": "voucher_deadline", "reason": "must not be after the archive date"})
    if job.prepay_deadline and not job.prepay:
        errors.append({"field": "prepay_deadline", "reason": "is only for prepay jobs"})
    if job.status == "prepay" and not job.prepay:
        errors.append(
            {"field": "prepay", "reason": "cannot be turned off while the job is in prepay"}
        )
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class Defaults:
    """What a new job took from the studio's most recent job of the same type."""

    source_job_id: str | None
    fields: tuple[str, ...]


def job_type_defaults(
    requested: dict[str, Any], previous: Job | None
) -> tuple[dict[str, Any], Defaults]:
    """Fill every defaultable setting the request does not give from ``previous``.

    Deadlines keep their distance from the shooting date, so a type whose archive date was
    six weeks after the shoot gets an archive date six weeks after the new shoot.
    """
    if previous is None:
        return dict(requested), Defaults(None, ())
    filled = dict(requested)
    taken: list[str] = []
    for name in DEFAULTABLE_FIELDS:
        if name in requested:
            continue
        value = getattr(previous, name)
        if name in RELATIVE_DATE_FIELDS and value is not None:
            value = requested["shooting_date"] + (value - previous.shooting_date)
        filled[name] = value
        taken.append(name)
    return filled, Defaults(previous.job_id, tuple(taken))


def new_job(
    *, job_id: str, studio_id: str, settings: dict[str, Any], now: datetime, default_timezone: str
) -> Job:
    values = dict(settings)
    values.setdefault("timezone", default_timezone)
    job = Job(job_id=job_id, studio_id=studio_id, created_at=now, updated_at=now, **values)
    check_consistency(job)
    return job


def updated_job(job: Job, changes: dict[str, Any], now: datetime) -> Job:
    updated = replace(job, updated_at=now, **changes)
    check_consistency(updated)
    return updated


def derived_internal_name(name: str, shooting_date: date) -> str:
    """A folder-safe internal name for a job whose request did not give one."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:40] or "job"
    return f"{shooting_date.isoformat()}-{slug}"
