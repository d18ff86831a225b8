"""The Stripe webhook: deliveries signed exactly the way Stripe signs them (HMAC-SHA256 of
"<timestamp>.<raw body>" with the endpoint's secret), verified by stripe's own code, and what a
verified delivery does to an order."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest

from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
from chalicelib.adapters.payments.stripe_secrets import StripeSecrets
from chalicelib.domain.orders import (
    PAID,
    Order,
    PaymentMismatch,
    already_paid_by,
    check_payment,
    paid,
)
from chalicelib.domain.payment_events import CompletedPayment
from chalicelib.errors import InvalidSignature, NotFound
from chalicelib.services.payment_notifications import PaymentNotifications
from tests.stripe_fakes import (
    NOW,
    SECRET_KEY,
    SESSION_ID,
    WEBHOOK_SECRET,
    RecordingHTTPClient,
    checkout_session,
    event,
    paid_session,
    pending_order,
    signature,
)
from tests.unit.payments.test_stripe_checkout import CANCEL, SUCCESS

ORDER = pending_order()  # 30.60 EUR after the voucher


class Orders:
    """The order service's payment rules over a dict (the real one stores them in DynamoDB)."""

    def __init__(self, *orders: Order) -> None:
        self.orders = {order.order_id: order for order in orders}
        self.recorded: list[tuple[Any, ...]] = []

    def record_payment(
        self,
        order_id: str,
        provider: str,
        provider_ref: str | None,
        amount_minor: int,
        currency: str,
    ) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}")
        if already_paid_by(order, provider_ref):
            return order
        check_payment(order, amount_minor=amount_minor, currency=currency)
        self.recorded.append((order_id, provider, provider_ref, amount_minor, currency))
        self.orders[order_id] = paid(
            order, provider=provider, provider_ref=provider_ref, amount_minor=amount_minor, now=NOW
        )
        return self.orders[order_id]


def stripe() -> tuple[StripeCheckout, RecordingHTTPClient]:
    http = RecordingHTTPClient(checkout_session())
    provider = StripeCheckout(
        lambda: StripeSecrets(SECRET_KEY, WEBHOOK_SECRET),
        success_url=SUCCESS,
        cancel_url=CANCEL,
        http_client=http,
    )
    return provider, http


def paid_event(amount: int = 3060, **kwargs: Any) -> bytes:
    return event(paid_session(ORDER.order_id, ORDER.job_id, amount), **kwargs)


def receive(payload: bytes, header: str | None, orders: Orders) -> dict[str, Any]:
    provider, http = stripe()
    answer = PaymentNotifications(provider, orders).receive(payload, header)
    assert http.requests == []  # verifying a webhook never calls Stripe
    return answer


def test_a_signed_paid_checkout_session_marks_its_order_paid() -> None:
    # Given a pending order and Stripe's delivery of its paid Checkout Session
    orders = Orders(ORDER)
    payload = paid_event()

    # When it arrives with Stripe's signature
    answer = receive(payload, signature(payload), orders)

    # Then the order is paid by that session, for its total
    assert answer == {"received": True, "recorded": True, "order_id": ORDER.order_id}
    assert orders.recorded == [(ORDER.order_id, "stripe", SESSION_ID, 3060, "EUR")]
    assert orders.orders[ORDER.order_id].status == PAID


def test_the_adapter_reports_the_payment_in_our_minor_units() -> None:
    payload = event(paid_session("O1", "J1", 50000, currency="isk"), event_id="evt_isk")
    provider, _ = stripe()

    assert provider.completed_payment(payload, signature(payload)) == CompletedPayment(
        provider="stripe",
        event_id="evt_isk",
        order_id="O1",
        provider_ref=SESSION_ID,
        amount_minor=500,
        currency="ISK",
    )


def test_a_redelivered_event_changes_nothing() -> None:
    orders = Orders(ORDER)
    payload = paid_event()
    receive(payload, signature(payload), orders)

    # Stripe redelivers the same event, signed anew
    again = receive(payload, signature(payload, timestamp=int(time.time()) + 5), orders)

    assert again["received"] is True
    assert len(orders.recorded) == 1


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="no header"),
        pytest.param("", id="empty header"),
        pytest.param("t=1,v0=abc", id="no v1 signature"),
        pytest.param("garbage", id="malformed header"),
    ],
)
def test_a_delivery_without_a_usable_signature_is_refused(header: str | None) -> None:
    orders = Orders(ORDER)

    with pytest.raises(InvalidSignature):
        receive(paid_event(), header, orders)

    assert orders.recorded == []


def test_a_tampered_body_is_refused() -> None:
    # Given a signed delivery whose amount was changed after signing
    orders = Orders(ORDER)
    payload = paid_event(amount=100)
    header = signature(payload)
    tampered = payload.replace(b'"amount_total": 100', b'"amount_total": 3060')
    assert tampered != payload

    with pytest.raises(InvalidSignature):
        receive(tampered, header, orders)

    assert orders.recorded == []


def test_a_body_re_serialised_after_signing_is_refused() -> None:
    # The signature covers the raw bytes: the same JSON, formatted differently, fails.
    orders = Orders(ORDER)
    payload = paid_event()
    compact = json.dumps(json.loads(payload), separators=(",", ":")).encode()

    with pytest.raises(InvalidSignature):
        receive(compact, signature(payload), orders)


def test_a_signature_with_another_secret_is_refused() -> None:
    orders = Orders(ORDER)
    payload = paid_event()

    with pytest.raises(InvalidSignature):
        receive(payload, signature(payload, secret="whsec_someone_else"), orders)

    assert orders.recorded == []


def test_a_signature_older_than_five_minutes_is_refused() -> None:
    orders = Orders(ORDER)
    payload = paid_event()

    with pytest.raises(InvalidSignature):
        receive(payload, signature(payload, timestamp=int(time.time()) - 301), orders)

    assert orders.recorded == []


def test_a_signature_just_within_five_minutes_is_accepted() -> None:
    orders = Orders(ORDER)
    payload = paid_event()

    receive(payload, signature(payload, timestamp=int(time.time()) - 290), orders)

    assert len(orders.recorded) == 1


def test_a_rotated_secret_verifies_when_any_signature_matches() -> None:
    # While a webhook secret is rolled, Stripe signs with the old and the new one.
    orders = Orders(ORDER)
    payload = paid_event()
    ts = int(time.time())
    old = signature(payload, secret="whsec_old", timestamp=ts).split(",")[1]
    header = f"{signature(payload, timestamp=ts)},{old}"

    receive(payload, header, orders)

    assert len(orders.recorded) == 1


@pytest.mark.parametrize(
    "event_type", ["payment_intent.succeeded", "checkout.session.expired", "charge.refunded"]
)
def test_other_event_types_are_acknowledged_and_ignored(event_type: str) -> None:
    orders = Orders(ORDER)
    payload = paid_event(event_type=event_type)

    answer = receive(payload, signature(payload), orders)

    assert answer == {"received": True, "recorded": False}
    assert orders.recorded == []


def test_a_completed_session_still_waiting_for_its_money_is_not_paid_yet() -> None:
    # A delayed method (e.g. SEPA debit): completed now, paid by a later event.
    orders = Orders(ORDER)
    waiting = replace_session(payment_status="unpaid")
    later = event(
        paid_session(ORDER.order_id, ORDER.job_id, 3060),
        event_type=("checkout.session.async_payment_succeeded"),
        event_id="evt_2",
    )

    first = receive(waiting, signature(waiting), orders)
    assert first == {"received": True, "recorded": False}
    assert orders.orders[ORDER.order_id].status == "pending_payment"

    receive(later, signature(later), orders)
    assert orders.orders[ORDER.order_id].status == PAID


def test_a_session_of_another_integration_is_ignored() -> None:
    orders = Orders(ORDER)
    payload = replace_session(metadata={}, client_reference_id=None)

    assert receive(payload, signature(payload), orders) == {"received": True, "recorded": False}


def test_a_payment_of_another_amount_is_refused_and_the_order_stays_unpaid() -> None:
    orders = Orders(ORDER)
    payload = paid_event(amount=3000)

    with pytest.raises(PaymentMismatch):
        receive(payload, signature(payload), orders)

    assert orders.recorded == []
    assert orders.orders[ORDER.order_id].status == "pending_payment"


def test_a_payment_for_a_cancelled_order_is_refused() -> None:
    orders = Orders(replace(ORDER, status="cancelled"))
    payload = paid_event()

    with pytest.raises(PaymentMismatch):
        receive(payload, signature(payload), orders)


def replace_session(**changes: Any) -> bytes:
    session = paid_session(ORDER.order_id, ORDER.job_id, 3060)
    session.update(changes)
    return event(session, event_id="evt_changed")
