"""Domain objects -> JSON bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.domain.contractees import Contractee
from chalicelib.domain.jobs import Job
from chalicelib.domain.orders import Contact
from chalicelib.domain.status import go_live_checklist, order_window, status_label


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def job_json(job: Job, now: datetime) -> dict[str, Any]:
    window = order_window(job, now)
    return {
        "job_id": job.job_id,
        "name": job.name,
        "shooting_date": iso(job.shooting_date),
        "job_type": job.job_type,
        "internal_name": job.internal_name,
        "timezone": job.timezone,
        "people_expected": job.people_expected,
        "contractee_id": job.contractee_id,
        "access_type": job.access_type,
        "registration": job.registration,
        "price_profile_id": job.price_profile_id,
        "communication_profile_id": job.communication_profile_id,
        "watermark": job.watermark.as_dict() if job.watermark else None,
        "archive_date": iso(job.archive_date),
        "voucher_deadline": iso(job.voucher_deadline),
        "prepay": job.prepay,
        "prepay_deadline": iso(job.prepay_deadline),
        "recreates": job.recreates,
        "status": job.status,
        "status_label": status_label(job, now),
        "open_for_orders": window.open,
        "closed_reason": window.reason,
        "status_history": [
            {
                "from": c.from_status,
                "to": c.to_status,
                "by": c.changed_by,
                "at": iso(c.changed_at),
                "forced": c.forced,
            }
            for c in job.status_history
        ],
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


def checklist_json(job: Job, now: datetime) -> list[dict[str, Any]]:
    return [item.__dict__ for item in go_live_checklist(job, now)]


def contractee_json(contractee: Contractee) -> dict[str, Any]:
    body = {k: v for k, v in contractee.__dict__.items() if k != "studio_id"}
    body["created_at"] = iso(contractee.created_at)
    return body


def contact_json(contact: Contact) -> dict[str, Any]:
    """An order's contact, the same for its customer and the studio."""
    return {"name": contact.name, "email": contact.email, "phone": contact.phone}
