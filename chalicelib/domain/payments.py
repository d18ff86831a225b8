"""How an order gets paid, behind one small interface.

A :class:`PaymentProvider` starts the payment of a new order; what it answers is stored with the
order in the same write. ``offline`` (pay later: the photographer marks the order paid) is the
local default; ``stripe`` sends the buyer to a hosted checkout page
(``chalicelib/adapters/payments/stripe_checkout.py``), whose webhook then calls
``OrderService.record_payment``. The setting ``PHOTOJOBS_PAYMENT_PROVIDER`` chooses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.orders import Order

OFFLINE = "offline"
STRIPE = "stripe"
PAYMENT_PROVIDERS = (OFFLINE, STRIPE)
# Not a provider: an order whose total is 0 (a voucher covered it) is paid when it is placed.
FREE = "free"


@dataclass(frozen=True)
class PaymentStart:
    """What the buyer does next: ``checkout_url`` is where to pay (None: pay offline);
    ``provider_ref`` is the provider's id of the payment (e.g. a Checkout Session)."""

    method: str
    checkout_url: str | None = None
    provider_ref: str | None = None


class PaymentProvider(Protocol):
    """Starts the payment of an order that is about to be stored (status ``pending_payment``).

    It is called before the order is written, so that the order and its payment reference are
    stored together; a provider must therefore be safe to call again for the same order id and
    ``order.payment.attempt`` (Stripe: both make the idempotency key). "Pay again" calls it
    for a pending order with the next attempt number, and must then get a new payment (a new
    checkout URL). Before that, ``expire`` closes the checkout of the attempt before
    (``order.payment.provider_ref``) so that a page of it still open cannot pay the order a
    second time: a checkout already closed is fine; one paid meanwhile raises
    ``PaymentInProgress`` (its webhook is on its way) and no new payment may start. Failures
    raise ``PaymentUnavailable``."""

    @property
    def name(self) -> str: ...

    def start(self, order: Order) -> PaymentStart: ...

    def expire(self, order: Order) -> None: ...


class OfflinePayment:
    """Pay later (cash, bank transfer): nothing to start; the photographer marks it paid."""

    name = OFFLINE

    def start(self, order: Order) -> PaymentStart:
        return PaymentStart(method=OFFLINE)

    def expire(self, order: Order) -> None:
        """Nothing was opened anywhere: nothing to close."""
