"""Payment providers' webhooks: verify the delivery, then record the payment it reports.

Every outcome is safe to repeat: a redelivered notification finds its order already paid by the
same payment and changes nothing; a payment that does not match its order (another amount,
currency, or an order that was cancelled) is refused by the order service, logged, and answered
409 so that it stays visible in the provider's dashboard; it never marks the order paid."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from chalicelib.domain.orders import PaymentMismatch
from chalicelib.domain.payment_events import CompletedPayment

logger = logging.getLogger(__name__)


class NotificationSource(Protocol):
    def completed_payment(
        self, payload: bytes, signature: str | None
    ) -> CompletedPayment | None: ...


class PaymentRecorder(Protocol):
    def record_payment(
        self,
        order_id: str,
        provider: str,
        provider_ref: str | None,
        amount_minor: int,
        currency: str,
    ) -> Any: ...


class PaymentNotifications:
    def __init__(self, source: NotificationSource, orders: PaymentRecorder) -> None:
        self._source = source
        self._orders = orders

    def receive(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """Handle one delivery: ``payload`` exactly as received (the signature covers its
        bytes). Raises ``InvalidSignature``, ``NotFound`` (no such order) or
        ``PaymentMismatch``."""
        payment = self._source.completed_payment(payload, signature)
        if payment is None:
            return {"received": True, "recorded": False}
        try:
            self._orders.record_payment(
                payment.order_id,
                payment.provider,
                payment.provider_ref,
                payment.amount_minor,
                payment.currency,
            )
        except PaymentMismatch as exc:
            logger.warning(
                "a reported payment does not pay its order",
                extra={
                    "provider": payment.provider,
                    "event_id": payment.event_id,
                    "order_id": payment.order_id,
                    "provider_ref": payment.provider_ref,
                    "amount_minor": payment.amount_minor,
                    "currency": payment.currency,
                    "reason": exc.message,
                },
            )
            raise
        return {"received": True, "recorded": True, "order_id": payment.order_id}
