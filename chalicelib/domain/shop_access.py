"""What a parent may see and do in the shop, and why not (seeds 000, 001, 002).

- **Login**: a code that is unknown, wrong or retired gets one and the same answer
  (:class:`UnknownCode`); a typo in a generated code is caught by its check character before any
  lookup (:class:`InvalidCode`).
- **Gallery**: visible while the job is selling or in prepay, including after the prepay
  deadline (photos stay visible, ordering closes). Not in planning (``not_yet_available``), and
  not once archived (``archived``: seed 001 — whoever logs in is told the photos have been
  archived; nothing of them is shown). Registration ``required`` hides it until the parent
  registered. The reasons come from :func:`chalicelib.domain.status.order_window`, the one rule.
- **Ordering**: only while :func:`order_window` is open (:class:`NotOpenForOrders`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.jobs import Job
from chalicelib.domain.orders import email_address, optional_phone
from chalicelib.domain.status import OrderWindow, order_window
from chalicelib.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized

# Why a gallery is not shown (403 ``error``); order_window's reasons that hide it.
HIDING_REASONS = ("not_yet_available", "archived")
REGISTRATION_REQUIRED = "registration_required"
NAME_LENGTH = 100


class UnknownCode(Unauthorized):
    """The code opens nothing: unknown, mistyped beyond the check character, or retired."""

    code = "unknown_code"


class InvalidCode(BadRequest):
    """The code cannot be valid (``reason``: check_failed, wrong_length, bad_character, ...)."""

    code = "invalid_code"


class GalleryHidden(Forbidden):
    """The gallery is not shown; ``error`` is the reason (not_yet_available, archived,
    registration_required) and ``message`` is for the parent."""

    def __init__(self, reason: str, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = reason  # the instance's machine-readable reason


class NotOpenForOrders(Conflict):
    code = "not_open_for_orders"

    def __init__(self, window: OrderWindow, job_id: str) -> None:
        super().__init__(window.message, reason=window.reason, job_id=job_id)


def gallery_block(job: Job, now: datetime, *, registered: bool) -> GalleryHidden | None:
    """Why the job's gallery is hidden from a session, or None when it is shown."""
    window = order_window(job, now)
    if window.reason in HIDING_REASONS:
        return GalleryHidden(window.reason or "", window.message, job_id=job.job_id)
    if job.registration == "required" and not registered:
        return GalleryHidden(
            REGISTRATION_REQUIRED,
            "Please register first: the photographer asks for your name and e-mail address.",
            job_id=job.job_id,
        )
    return None


def check_open_for_orders(job: Job, now: datetime) -> None:
    window = order_window(job, now)
    if not window.open:
        raise NotOpenForOrders(window, job.job_id)


@dataclass(frozen=True)
class Registration:
    job_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    marketing_consent: bool


def parse_registration(body: Any) -> Registration:
    """Registration form (seed 000): name, e-mail, optional phone (E.164), marketing consent."""
    fields = v.collect(
        v.require_object(body),
        {
            "job_id": lambda x: v.text(x, max_length=64),
            "first_name": lambda x: v.text(x, max_length=NAME_LENGTH),
            "last_name": lambda x: v.text(x, max_length=NAME_LENGTH),
            "email": email_address,
            "phone": optional_phone,
            "marketing_consent": v.boolean,
        },
        required=("job_id", "first_name", "last_name", "email", "marketing_consent"),
    )
    return Registration(
        job_id=fields["job_id"],
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        email=fields["email"],
        phone=fields.get("phone"),
        marketing_consent=fields["marketing_consent"],
    )


def require_job(job_ids: Iterable[str], job_id: str) -> None:
    """A job the session has no code for does not exist, as far as the session can tell."""
    if job_id not in set(job_ids):
        raise NotFound(f"job {job_id} not found", field="job_id")
