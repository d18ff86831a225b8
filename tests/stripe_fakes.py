"""Stripe without a network: an HTTP client for ``stripe.StripeClient`` that records requests and
answers with canned objects shaped like Stripe's documented ones, and webhook deliveries signed
the way Stripe signs them (``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

from chalicelib.domain.orders import Contact, Order, OrderLine, Payment
from chalicelib.domain.pricing import AppliedVoucher

SECRET_KEY = "sk_test_51Offline00000000000000000000"
WEBHOOK_SECRET = "whsec_offline0000000000000000000000"
SESSION_ID = "cs_test_a1B2c3D4e5F6g7H8i9J0"
NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
SESSIONS_PATH = "/v1/checkout/sessions"


@dataclass
class RecordedRequest:
    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]


class RecordingHTTPClient(stripe.HTTPClient):
    """Answers every request with ``response`` (a JSON object) and keeps what was sent."""

    name = "recording"

    def __init__(self, response: dict[str, Any], status: int = 200) -> None:
        super().__init__()
        self.response = response
        self.status = status
        self.requests: list[RecordedRequest] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
        self.requests.append(
            RecordedRequest(method, url, dict(headers or {}), dict(parse_qsl(body)))
        )
        return json.dumps(self.response), self.status, {"Request-Id": "req_offline"}

    def close(self) -> None:
        pass


class IdempotentStripe(RecordingHTTPClient):
    """Checkout Sessions kept as Stripe keeps them, and every request sent.

    Create makes a new session per idempotency key and answers a repeated key with the session
    it made for it. Expire turns an ``open`` session ``expired`` and refuses any other with a
    400 ``invalid_request_error`` without a code; retrieve reads a session; an unknown session
    id is a 404 ``resource_missing``. :meth:`pay` is the buyer completing a checkout page."""

    def __init__(self) -> None:
        super().__init__({})
        self.sessions: dict[str, dict[str, Any]] = {}  # by idempotency key

    @property
    def creates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if urlsplit(r.url).path == SESSIONS_PATH]

    @property
    def expired_ids(self) -> list[str]:
        """The sessions asked to expire, in order (whether Stripe expired them or refused)."""
        paths = [urlsplit(r.url).path for r in self.requests]
        return [p.split("/")[-2] for p in paths if p.endswith("/expire")]

    def session(self, session_id: str) -> dict[str, Any]:
        [found] = [s for s in self.sessions.values() if s["id"] == session_id]
        return found

    def pay(self, session_id: str) -> None:
        self.session(session_id).update(
            payment_status="paid", status="complete", url=None, payment_intent="pi_3Offline0"
        )

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        path = urlsplit(url).path
        if path == SESSIONS_PATH:
            self.response, self.status = self._create(dict(headers or {})), 200
        else:
            session_id, _, action = path.removeprefix(f"{SESSIONS_PATH}/").partition("/")
            self.response, self.status = self._act(session_id, action)
        return super().request(method, url, headers, post_data, _usage=_usage)

    def _create(self, headers: dict[str, str]) -> dict[str, Any]:
        key = headers.get("Idempotency-Key", "")
        if key not in self.sessions:
            session_id = f"cs_test_session{len(self.sessions) + 1}"
            self.sessions[key] = checkout_session(
                id=session_id, url=f"https://checkout.stripe.com/c/pay/{session_id}"
            )
        return self.sessions[key]

    def _act(self, session_id: str, action: str) -> tuple[dict[str, Any], int]:
        known = [s for s in self.sessions.values() if s["id"] == session_id]
        if not known:
            message = f"No such checkout.session: '{session_id}'"
            return stripe_error("invalid_request_error", message, code="resource_missing"), 404
        [session] = known
        if action == "expire":
            if session["status"] != "open":
                message = (
                    'Only Checkout Sessions with a status in ["open"] can be expired. This '
                    f'Checkout Session has a status of "{session["status"]}".'
                )
                return stripe_error("invalid_request_error", message), 400
            session.update(status="expired", url=None)
        return session, 200


def stripe_error(error_type: str, message: str, code: str | None = None) -> dict[str, Any]:
    """Stripe's documented error object (``code`` is absent from some errors)."""
    error = {"type": error_type, "message": message}
    if code is not None:
        error["code"] = code
    return {"error": error}


def checkout_session(**overrides: Any) -> dict[str, Any]:
    """A Checkout Session object as the API returns it after create (status open, unpaid)."""
    session: dict[str, Any] = {
        "id": SESSION_ID,
        "object": "checkout.session",
        "amount_subtotal": 2350,
        "amount_total": 2350,
        "cancel_url": "http://127.0.0.1:8001/cart.html",
        "client_reference_id": None,
        "created": 1_790_000_000,
        "currency": "eur",
        "customer": None,
        "customer_details": None,
        "customer_email": None,
        "expires_at": 1_790_086_400,
        "livemode": False,
        "metadata": {},
        "mode": "payment",
        "payment_intent": None,
        "payment_status": "unpaid",
        "status": "open",
        "success_url": "http://127.0.0.1:8001/order.html",
        "url": f"https://checkout.stripe.com/c/pay/{SESSION_ID}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
    }
    session.update(overrides)
    return session


def paid_session(order_id: str, job_id: str, amount: int, currency: str = "eur") -> dict[str, Any]:
    return checkout_session(
        amount_subtotal=amount,
        amount_total=amount,
        currency=currency,
        client_reference_id=order_id,
        metadata={"order_id": order_id, "job_id": job_id},
        customer_details={"email": "parent@example.com", "name": "Zoë Müller-Łukasik"},
        payment_intent="pi_3Offline0000000000000000",
        payment_status="paid",
        status="complete",
        url=None,
    )


def event(
    data_object: dict[str, Any],
    *,
    event_type: str = "checkout.session.completed",
    event_id: str = "evt_1Offline00000000000000",
) -> bytes:
    """An event as Stripe delivers it to a webhook endpoint: the exact bytes to sign and send."""
    body = {
        "id": event_id,
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    # Stripe sends UTF-8 as is (not \u-escaped): names like "Zoë" test that the raw bytes are used
    return json.dumps(body, indent=2, ensure_ascii=False).encode()


def signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for ``payload``, computed as Stripe documents it."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{signed_at}.".encode() + payload, hashlib.sha256)
    return f"t={signed_at},v1={mac.hexdigest()}"


def pending_order(**changes: Any) -> Order:
    """An order waiting for its payment: 34.00 EUR less a 10 % voucher, 30.60 EUR to pay."""
    order = Order(
        order_id="ORD7K2M9Q4X",
        studio_id="STU1",
        job_id="JOB5H8P2",
        job_name="Elm School 2026",
        internal_job_name="elm-2026",
        session_id="SES1",
        subject_ids=("SUB1",),
        contact=Contact("Pat Parent", "parent@example.com"),
        lines=(
            OrderLine("PH1", "SUB1", "p13", 2, 1250, 2500),
            OrderLine("PH2", "SUB1", "dl", 1, 900, 900),
        ),
        products=(),
        currency="EUR",
        subtotal_minor=3400,
        discount_minor=340,
        total_minor=3060,
        status="pending_payment",
        payment=Payment(method="offline"),
        created_at=NOW,
        updated_at=NOW,
        voucher=AppliedVoucher("AUTUMN10", "job", 10, None, False),
    )
    return replace(order, **changes)
