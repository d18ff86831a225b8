"""Job statuses (seeds 001, 002): transitions, the go-live checklist and "open for orders"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.jobs import Job, StatusChange
from chalicelib.errors import GoLiveChecklistIncomplete, InvalidTransition

STATUS_LABELS = {
    "planning": "Planning (inactive)",
    "selling": "Selling",
    "prepay": "Prepay",
    "archived": "Archived",
}

_ALLOWED = {
    "planning": {"selling", "prepay", "archived"},
    "selling": {"planning", "archived"},
    "prepay": {"planning", "archived"},
    "archived": {"planning"},
}


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    detail: str


def local_today(job: Job, now: datetime) -> date:
    return now.astimezone(ZoneInfo(job.timezone)).date()


def go_live_checklist(job: Job, now: datetime) -> list[ChecklistItem]:
    """The settings worth a look before selling. A guide: the photographer may override it."""
    today = local_today(job, now)
    archive_ok = job.archive_date is not None and job.archive_date >= today
    if job.archive_date is None:
        archive_detail = "no archive date: the shop would stay open forever"
    elif not archive_ok:
        archive_detail = f"archive date {job.archive_date} has passed: the shop would be closed"
    else:
        archive_detail = f"shop closes after {job.archive_date}"
    return [
        ChecklistItem(
            "price_profile",
            "Price list",
            job.price_profile_id is not None,
            "set" if job.price_profile_id else "no price profile: parents cannot order",
        ),
        ChecklistItem("archive_date", "Archive date", archive_ok, archive_detail),
        ChecklistItem(
            "communication_profile",
            "Automated campaigns",
            job.communication_profile_id is not None,
            "set" if job.communication_profile_id else "no communication profile: no reminders",
        ),
        ChecklistItem(
            "watermark",
            "Watermark",
            job.watermark is not None,
            "set" if job.watermark else "no watermark set: previews carry the default PROOF mark",
        ),
        ChecklistItem(
            "voucher",
            "Coupon / voucher",
            job.voucher_deadline is not None,
            "voucher deadline set"
            if job.voucher_deadline
            else "no voucher deadline: no early-order incentive",
        ),
    ]


def change_status(job: Job, target: str, *, actor: str, now: datetime, force: bool) -> Job:
    """Move ``job`` to ``target`` and record who and when.

    Raises ``InvalidTransition`` for a move the lifecycle does not allow and
    ``GoLiveChecklistIncomplete`` when going to selling with open items and no ``force``.
    """
    if target not in _ALLOWED:
        raise InvalidTransition(f"unknown status {target!r}", status=job.status, target=target)
    if target not in _ALLOWED[job.status]:
        raise InvalidTransition(
            f"a job cannot go from {job.status} to {target}", status=job.status, target=target
        )
    if target == "prepay" and not job.prepay:
        raise InvalidTransition(
            "only prepay jobs can go to prepay", status=job.status, target=target
        )
    if target == "selling":
        checklist = go_live_checklist(job, now)
        if not force and not all(item.ok for item in checklist):
            raise GoLiveChecklistIncomplete(
                "the go-live checklist has open items; send force=true to start selling anyway",
                checklist=[item.__dict__ for item in checklist],
            )
    forced = target == "selling" and force and not all(i.ok for i in go_live_checklist(job, now))
    change = StatusChange(job.status, target, actor, now, forced)
    return replace(job, status=target, updated_at=now, status_history=(*job.status_history, change))


@dataclass(frozen=True)
class OrderWindow:
    open: bool
    reason: str | None  # None when open
    message: str


def order_window(job: Job, now: datetime) -> OrderWindow:
    """Whether parents may order now — the one rule the shop uses (seed 001)."""
    today = local_today(job, now)
    if job.status == "planning":
        return OrderWindow(False, "not_yet_available", "These photos are not available yet.")
    if job.status == "archived":
        return OrderWindow(False, "archived", "These photos have been archived.")
    if job.status == "prepay":
        if job.prepay_deadline is not None and today > job.prepay_deadline:
            return OrderWindow(False, "prepay_closed", "Pre-ordering for this job has closed.")
        return OrderWindow(True, None, "Pre-ordering is open.")
    if job.archive_date is not None and today > job.archive_date:
        return OrderWindow(False, "archived", "These photos have been archived.")
    return OrderWindow(True, None, "The shop is open.")


def status_label(job: Job, now: datetime) -> str:
    label = STATUS_LABELS[job.status]
    window = order_window(job, now)
    if job.status in ("selling", "prepay") and not window.open:
        return f"{label} (closed: {window.reason})"
    return label
