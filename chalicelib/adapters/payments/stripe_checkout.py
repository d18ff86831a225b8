"""Stripe Checkout: a hosted payment page per order, and the webhook that says it was paid.

Only this module imports ``stripe`` (lazily: the API's cold start does not pay for it unless
the studio uses Stripe). Amounts: our orders hold ISO 4217 minor units; Stripe's "smallest
currency unit" agrees except for the currencies in :data:`STRIPE_EXPONENT_SHIFT`.

How an order is shown at Stripe: one line, "Order <id>", at the order's total after the voucher.
The order itself (confirmation page and email) is the itemised record. Per-product lines would
need a Stripe coupon per discounted order for the voucher (an extra object and API call each
time, and Stripe re-rounds percentages per line, so its total could differ from ours by a cent)
and would break at 100 lines, Stripe Checkout's limit, while a cart may hold 200.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.payments.stripe_secrets import StripeSecrets
from chalicelib.domain.currencies import minor_unit_exponent
from chalicelib.domain.payment_events import CompletedPayment
from chalicelib.domain.payments import OFFLINE, PaymentStart
from chalicelib.errors import (
    InvalidSignature,
    PaymentInProgress,
    PaymentUnavailable,
    Unprocessable,
)

if TYPE_CHECKING:
    from stripe import HTTPClient, StripeClient
    from stripe.params.checkout import SessionCreateParams

    from chalicelib.domain.orders import Order

logger = logging.getLogger(__name__)

PROVIDER = "stripe"
# Stripe's own verification default; the signed timestamp may be at most this old.
SIGNATURE_TOLERANCE_SECONDS = 300
# Events a Checkout payment can complete with: card payments with `completed` (paid at once),
# delayed methods (SEPA debit, bank transfers) with `async_payment_succeeded` later.
PAYMENT_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
# Stripe's unit minus ISO 4217's: ISK is two-decimal at Stripe (100 = 1 krona, whole kronur
# only), MGA is zero-decimal at Stripe, two-decimal in ISO 4217.
STRIPE_EXPONENT_SHIFT = {"ISK": 2, "MGA": -2}
# Three-decimal currencies: Stripe requires the last digit to be 0.
_THREE_DECIMAL_STEP = 10
# One retry (safe: every create carries an idempotency key); with these timeouts (connect,
# read) two attempts still end within API Gateway's 29 s for the whole request.
_NETWORK_RETRIES = 1
_TIMEOUT_SECONDS = (3.0, 10.0)


def to_stripe_amount(minor: int, currency: str) -> int:
    """ISO 4217 minor units -> the amount Stripe expects; refuses what Stripe cannot charge."""
    shift = STRIPE_EXPONENT_SHIFT.get(currency, 0)
    step = 10**-shift if shift < 0 else 1
    if minor_unit_exponent(currency) == 3:
        step = _THREE_DECIMAL_STEP
    if minor <= 0 or minor % step:
        raise Unprocessable(
            f"{minor} minor units of {currency} cannot be paid through Stripe",
            reason="amount_not_chargeable",
        )
    return minor * 10**shift if shift >= 0 else minor // 10**-shift


def from_stripe_amount(amount: int, currency: str) -> int:
    shift = STRIPE_EXPONENT_SHIFT.get(currency, 0)
    return amount // 10**shift if shift >= 0 else amount * 10**-shift


@dataclass(frozen=True)
class _Session:
    """The fields of a Checkout Session object we act on."""

    session_id: str
    order_id: str | None
    payment_status: str
    amount_total: int | None
    currency: str


def _session(values: dict[str, Any]) -> _Session:
    metadata = values.get("metadata") or {}
    return _Session(
        session_id=str(values["id"]),
        order_id=metadata.get("order_id") or values.get("client_reference_id"),
        payment_status=str(values.get("payment_status") or ""),
        amount_total=values.get("amount_total"),
        currency=str(values.get("currency") or "").upper(),
    )


def _unavailable(order: Order, exc: Any, failed: str = "create") -> PaymentUnavailable:
    """The buyer can only try again later; the operator needs Stripe's own words (and its
    request id to look the call up in the dashboard)."""
    logger.error(
        "stripe did not %s a checkout session",
        failed,
        extra={
            "order_id": order.order_id,
            "stripe_error": exc.code,
            "status": exc.http_status,
            "request_id": exc.request_id,
        },
    )
    return PaymentUnavailable("the payment provider is not available; try again later")


def idempotency_key(order: Order) -> str:
    """One key per order and payment attempt. The first attempt keeps the order id alone (the
    key of orders placed before "pay again" existed); a new attempt needs a new key, or Stripe
    would answer with the expired session of the attempt before."""
    attempt = order.payment.attempt
    suffix = "" if attempt == 1 else f"-{attempt}"
    return f"checkout-session-{order.order_id}{suffix}"


def _description(order: Order) -> str:
    items = sum(line.quantity for line in order.lines)
    text = f"{order.job_name}: {items} item{'s' if items != 1 else ''}"
    if order.voucher is not None:
        text += f", voucher {order.voucher.code} applied"
    return text


class StripeCheckout:
    """:class:`PaymentProvider` that sends the buyer to a Stripe-hosted Checkout page.

    ``secret_reader()`` returns the keys (:class:`StripeSecretReader`); ``success_url`` and
    ``cancel_url`` may hold ``{ORDER_ID}`` (replaced here) and ``{CHECKOUT_SESSION_ID}``
    (replaced by Stripe). ``client`` is a ready ``stripe.StripeClient``; without one it is built
    from the secret key on first use, over ``http_client`` when given (tests record requests).
    """

    name = PROVIDER

    def __init__(
        self,
        secret_reader: Callable[[], StripeSecrets],
        *,
        success_url: str,
        cancel_url: str,
        client: StripeClient | None = None,
        http_client: HTTPClient | None = None,
    ) -> None:
        self._secrets = secret_reader
        self._success_url = success_url
        self._cancel_url = cancel_url
        self._client = client
        self._http_client = http_client
        self._built: tuple[str, StripeClient] | None = None

    def start(self, order: Order) -> PaymentStart:
        """Create the Checkout Session of the order's payment attempt. The same attempt always
        gets the same session (:func:`idempotency_key`; Stripe keeps keys for 24 hours, as long
        as a session lives), so a retried call cannot open a second one; the next attempt
        ("pay again", after the session expired) gets a new one. A free order (a 100 % voucher)
        has nothing to pay at Stripe: it is left to the photographer, like an offline order."""
        if order.total_minor == 0:
            return PaymentStart(method=OFFLINE)
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": order.currency.lower(),
                        "unit_amount": to_stripe_amount(order.total_minor, order.currency),
                        "product_data": {
                            "name": f"Order {order.order_id}",
                            "description": _description(order),
                        },
                    },
                }
            ],
            "client_reference_id": order.order_id,
            "metadata": {"order_id": order.order_id, "job_id": order.job_id},
            "payment_intent_data": {
                "metadata": {"order_id": order.order_id, "job_id": order.job_id}
            },
            "success_url": self._success_url.replace("{ORDER_ID}", order.order_id),
            "cancel_url": self._cancel_url.replace("{ORDER_ID}", order.order_id),
        }
        if order.customer_email:
            params["customer_email"] = order.customer_email
        import stripe

        try:
            session = self._stripe().v1.checkout.sessions.create(
                params,
                {"idempotency_key": idempotency_key(order)},
            )
        except stripe.InvalidRequestError as exc:
            if exc.code != "amount_too_small":
                raise _unavailable(order, exc) from exc
            raise Unprocessable(
                "this order is below the smallest amount that can be paid online",
                reason="amount_too_small",
            ) from exc
        except stripe.StripeError as exc:
            raise _unavailable(order, exc) from exc
        return PaymentStart(method=PROVIDER, checkout_url=session.url, provider_ref=session.id)

    def expire(self, order: Order) -> None:
        """Expire the Checkout Session of the order's current attempt before "pay again" opens
        the next one, so that its page, still open in another tab, cannot pay the order twice.

        Stripe expires only an ``open`` session; it refuses any other with an
        ``invalid_request_error`` that has no code of its own, so a refusal is settled by the
        session's ``status``: ``expired`` (after 24 hours, or by an earlier call) is what we
        wanted; ``complete`` means the buyer has paid it and its webhook is on its way:
        :class:`PaymentInProgress`, and no new session may be opened. Stripe not answering is
        :class:`PaymentUnavailable`."""
        session_id = order.payment.provider_ref
        if not session_id:
            return
        import stripe

        sessions = self._stripe().v1.checkout.sessions
        try:
            sessions.expire(session_id)
            return
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                # Not a session of this account (the keys were changed): it cannot pay us.
                logger.warning(
                    "the checkout session to expire is unknown to stripe",
                    extra={"order_id": order.order_id, "session_id": session_id},
                )
                return
            refusal = exc
        except stripe.StripeError as exc:
            raise _unavailable(order, exc, "expire") from exc
        try:
            status = sessions.retrieve(session_id).status
        except stripe.StripeError as exc:
            raise _unavailable(order, exc, "read") from exc
        if status == "expired":
            return
        if status == "complete":
            raise PaymentInProgress(
                "this order has just been paid; refresh in a moment", order_id=order.order_id
            )
        raise _unavailable(order, refusal, "expire") from refusal

    def completed_payment(self, payload: bytes, signature: str | None) -> CompletedPayment | None:
        """Verify a webhook delivery (``Stripe-Signature`` over the raw body) and return the
        payment it reports, or None for events that do not pay an order of ours.

        Raises :class:`InvalidSignature` for a missing, wrong or expired signature."""
        import stripe

        try:
            event = self._stripe().construct_event(
                payload,
                signature,
                self._secrets().webhook_secret,
                tolerance=SIGNATURE_TOLERANCE_SECONDS,
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature("the Stripe-Signature header does not verify") from exc
        except ValueError as exc:  # signed, but not a Stripe event
            raise InvalidSignature("the signed body is not a Stripe event") from exc
        if event.type not in PAYMENT_EVENTS:
            return None
        session = _session(json.loads(payload)["data"]["object"])
        if session.payment_status != "paid" or not session.order_id:
            return None
        if session.amount_total is None or not session.currency:
            return None
        return CompletedPayment(
            provider=PROVIDER,
            event_id=event.id,
            order_id=session.order_id,
            provider_ref=session.session_id,
            amount_minor=from_stripe_amount(session.amount_total, session.currency),
            currency=session.currency,
        )

    def _stripe(self) -> StripeClient:
        if self._client is not None:
            return self._client
        key = self._secrets().secret_key
        if self._built is None or self._built[0] != key:  # a rotated key: a new client
            import stripe

            http_client = self._http_client or stripe.RequestsClient(timeout=_TIMEOUT_SECONDS)
            client = stripe.StripeClient(
                key, http_client=http_client, max_network_retries=_NETWORK_RETRIES
            )
            self._built = (key, client)
        return self._built[1]
