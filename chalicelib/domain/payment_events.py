"""What a payment provider's notification means for us: an order was paid, by how much."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompletedPayment:
    """A payment the provider reports as completed, in ISO 4217 minor units.

    ``event_id`` is the provider's id of the notification (redeliveries repeat it);
    ``provider_ref`` identifies the payment itself (for Stripe: the Checkout Session id)."""

    provider: str
    event_id: str
    order_id: str
    provider_ref: str
    amount_minor: int
    currency: str
