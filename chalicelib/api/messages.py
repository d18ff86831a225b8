"""Admin routes for a job's messages (planned schedule, log, previews, newsletters) and the
customers' unsubscribe link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import wiring
from chalicelib.api.message_views import (
    draft_json,
    messages_json,
    preview_json,
    replanned_json,
    unsubscribe_page,
)
from chalicelib.api.routing import ApiRequest, Routes, page_params
from chalicelib.domain.communication.errors import InvalidUnsubscribeToken

if TYPE_CHECKING:
    from chalicelib.domain.communication import UnsubscribeRequest

routes = Routes(__name__, tag="messages")


@routes.api("/api/jobs/{job_id}/messages", query=("step", "limit", "cursor"))
def job_messages(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """A job's planned messages (local times, recipients now) and the sent/failed log."""
    limit, cursor = page_params(request, default_limit=50)
    view = wiring.job_messages().overview(
        request.principal, job_id, step_id=request.query.get("step"), limit=limit, cursor=cursor
    )
    return messages_json(view)


@routes.api("/api/jobs/{job_id}/messages/preview", "POST", request_schema="MessagePreview")
def preview_message(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Render a step of the job's profile for a customer (or a sample customer)."""
    return preview_json(wiring.job_messages().preview(request.principal, job_id, request.json))


@routes.api("/api/jobs/{job_id}/messages/replan", "POST")
def replan_messages(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Apply the job's message plan to the scheduler again (changes nothing when in line)."""
    return replanned_json(wiring.job_messages().replan(request.principal, job_id))


@routes.api("/api/jobs/{job_id}/newsletters", "POST", status=201, request_schema="NewsletterInput")
def create_newsletter(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """Draft a newsletter: returns its preview and audience; send it with .../send."""
    service = wiring.job_messages()
    return draft_json(service.create_newsletter(request.principal, job_id, request.json))


@routes.api("/api/jobs/{job_id}/newsletters")
def list_newsletters(request: ApiRequest, job_id: str) -> dict[str, Any]:
    """A job's newsletters (drafts and sent)."""
    drafts = wiring.job_messages().newsletters(request.principal, job_id)
    return {"items": [draft_json(d) for d in drafts]}


@routes.api("/api/jobs/{job_id}/newsletters/{newsletter_id}/send", "POST", status=202)
def send_newsletter(request: ApiRequest, job_id: str, newsletter_id: str) -> dict[str, Any]:
    """Send a drafted newsletter (again: nobody gets a second copy)."""
    service = wiring.job_messages()
    return draft_json(service.send_newsletter(request.principal, job_id, newsletter_id))


@routes.api("/shop/unsubscribe", auth=False, query=("token",))
def unsubscribe(request: ApiRequest) -> Response:
    """Follow an email's unsubscribe link (signed; no login): records the opt-out."""
    return _unsubscribe(request)


@routes.api("/shop/unsubscribe", "POST", auth=False, query=("token",))
def unsubscribe_one_click(request: ApiRequest) -> Response:
    """One-click unsubscribe (RFC 8058) from the mail client: records the opt-out."""
    return _unsubscribe(request)


def _unsubscribe(request: ApiRequest) -> Response:
    done: UnsubscribeRequest | None
    try:
        done = wiring.unsubscribes().unsubscribe(request.query.get("token", ""))
    except InvalidUnsubscribeToken:  # a person reads this answer: a page, not JSON
        done = None
    body, status = unsubscribe_page(done)
    return Response(body, status_code=status, headers={"Content-Type": "text/html; charset=utf-8"})
