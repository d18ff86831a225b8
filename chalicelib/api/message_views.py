"""Messages -> JSON bodies (and the unsubscribe page). Times of planned messages are shown in
the job's local time (with the zone and the UTC instant)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from chalicelib.api.serializers import iso
from chalicelib.domain.communication import RenderedEmail, RenderedSms, UnsubscribeRequest
from chalicelib.domain.communication.offsets import describe_offset
from chalicelib.domain.communication.profiles import is_date_relative

if TYPE_CHECKING:  # the services import PynamoDB: not at the API's import time
    from chalicelib.services.job_messages import JobMessagesView, NewsletterDraft, Preview
    from chalicelib.services.message_scheduling import Replanned


def _local(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def messages_json(view: JobMessagesView) -> dict[str, Any]:
    scheduled = {s.name: s for s in view.scheduled}
    profile = view.profile
    steps = []
    for step in profile.profile.steps if profile else ():
        audience = view.audiences.get(step.step_id)
        steps.append(
            {
                **step.as_dict(),
                "when": f"{describe_offset(step.offset)} {step.trigger.value}",
                "date_relative": is_date_relative(step.trigger),
                "recipients_now": audience.recipients if audience else 0,
                "skipped_now": audience.skipped if audience else {},
            }
        )
    planned = [
        {
            "step_id": p.step_id,
            "trigger": p.trigger.value,
            "schedule": p.name,
            "local_time": _local(p.fire_at),
            "timezone": p.timezone,
            "utc": p.fire_at.astimezone(UTC).isoformat(timespec="minutes"),
            "moved_by_quiet_hours": p.moved_by_quiet_hours,
            "scheduled": p.name in scheduled,
        }
        for p in sorted(view.plan.planned, key=lambda p: p.fire_at)
    ]
    pending = [
        {
            "schedule": s.name,
            "step_id": s.payload.get("step_id"),
            # minutes, like the planned ones ("2026-10-25T08:00")
            "local_time": s.local_time[:16] if s.local_time else None,
            "timezone": s.timezone,
        }
        for s in view.scheduled
        if s.name not in {p["schedule"] for p in planned}
    ]
    return {
        "job_id": view.job.job_id,
        "status": view.job.status,
        "timezone": view.job.timezone,
        "communication_profile_id": profile.profile_id if profile else None,
        "quiet_hours": profile.as_dict()["quiet_hours"] if profile else None,
        "steps": steps,
        "planned": planned,
        "not_planned": [
            {"step_id": s.step_id, "trigger": s.trigger.value, "reason": s.reason}
            for s in view.plan.skipped
        ],
        "other_schedules": pending,
        "runs": [
            {**r.__dict__, "last_run_at": iso(r.last_run_at)}
            for r in sorted(view.runs, key=lambda r: r.step_id)
        ],
        "log": {
            "items": [
                {
                    "step_id": m.step_id,
                    "recipient_id": m.recipient_id,
                    "channel": m.channel,
                    "address": m.address,
                    "state": m.state,
                    "reason": m.reason,
                    "attempts": m.attempts,
                    "subject": m.subject,
                    "claimed_at": iso(m.claimed_at),
                    "finished_at": iso(m.finished_at),
                }
                for m in view.log.items
            ],
            "cursor": view.log.cursor,
        },
    }


def rendered_json(rendered: RenderedEmail | RenderedSms) -> dict[str, Any]:
    if isinstance(rendered, RenderedSms):
        return {
            "text": rendered.text,
            "encoding": rendered.encoding,
            "segments": rendered.segments,
        }
    return {
        "subject": rendered.subject,
        "html": rendered.html,
        "text": rendered.text,
        "unsubscribe_url": rendered.unsubscribe_url,
    }


def preview_json(preview: Preview) -> dict[str, Any]:
    return {
        "step_id": preview.step_id,
        "customer_id": preview.customer_id,
        "channel": preview.channel.value,
        **rendered_json(preview.rendered),
    }


def draft_json(draft: NewsletterDraft) -> dict[str, Any]:
    newsletter = draft.newsletter
    return {
        "newsletter_id": newsletter.newsletter_id,
        "subject": newsletter.subject,
        "body": newsletter.body,
        "channel": newsletter.channel.value,
        "audience": newsletter.audience.value,
        "state": draft.state,
        "recipients": draft.recipients,
        "skipped": draft.skipped,
        "preview": preview_json(draft.preview) if draft.preview else None,
    }


def replanned_json(replanned: Replanned) -> dict[str, Any]:
    diff = replanned.diff
    return {
        "planned": [p.name for p in replanned.plan.planned],
        "created": [p.name for p in diff.to_create],
        "updated": [p.name for p in diff.to_update],
        "deleted": list(diff.to_delete),
    }


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;
background:#f3f4f6;color:#374151;margin:0;padding:48px 16px;">
<div style="max-width:480px;margin:0 auto;background:#fff;border:1px solid #e5e7eb;
border-radius:10px;padding:28px 32px;">
<h1 style="font-size:22px;color:#111827;margin:0 0 12px 0;">{title}</h1>
<p style="margin:0;line-height:1.6;">{text}</p>
</div></body></html>"""


def unsubscribe_page(done: UnsubscribeRequest | None) -> tuple[str, int]:
    """The page a customer sees after following an unsubscribe link, and its status."""
    if done is None:
        title, text = (
            "This link does not work",
            "The unsubscribe link is incomplete or was changed. Please use the link from "
            "the email exactly as it is.",
        )
        return _PAGE.format(title=title, text=text), 400
    text = (
        f"{escape(done.address)} will receive no more emails about photos from this photographer."
    )
    return _PAGE.format(title="You are unsubscribed", text=text), 200
