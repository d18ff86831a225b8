""" "Pay again" over HTTP: ``POST /shop/orders/{order_id}/payment`` expires the order's Stripe
Checkout Session and starts a fresh one for the same pending order (Stripe's side faked at its
HTTP client: a new session per idempotency key, the same one for a repeated key, only open
sessions expire), refuses other sessions' orders, orders no longer waiting for a payment, jobs
closed for orders and orders whose session was paid meanwhile (the webhook then marks them
paid)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.shop import (
    admin,
    deliver,
    ok,
    order_body,
    set_status,
    shop,
    stripe_checkout,
    token_of,
)
from tests.stripe_fakes import IdempotentStripe, event, paid_session, signature

pytestmark = pytest.mark.integration

# The shop's fixtures (conftest.py): a selling job with a built gallery and its price list, and
# the Stripe secret in Secrets Manager with the API set to Stripe payments.


@pytest.fixture()
def stripe(stripe_secret: str) -> IdempotentStripe:
    from chalicelib import wiring

    http = IdempotentStripe()
    wiring.reset()
    wiring.override("stripe_checkout", stripe_checkout(stripe_secret, http))
    return http


def place_download(api_url: str, token: str, gallery: dict[str, Any]) -> dict[str, Any]:
    """Anna's order of one download (9.00 EUR)."""
    body = order_body(gallery["job_id"], (gallery["photos"]["A_2.jpg"], "dl", 1))
    return dict(ok(shop(api_url, token, "POST", "orders", body), 201))


def pay_again(api_url: str, token: str, order_id: str) -> Any:
    return shop(api_url, token, "POST", f"orders/{order_id}/payment")


def test_pay_again_expires_the_old_checkout_and_stores_a_new_one_that_pays_the_order(
    api_url: str, photographer: Any, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    # Given a pending order whose first Checkout Session (session1) is still open
    token = token_of(api_url, gallery, "Anna")
    placed = place_download(api_url, token, gallery)
    order_id = placed["order_id"]
    assert placed["payment"]["checkout_url"].endswith("/cs_test_session1")

    # When the parent asks to pay again
    again = ok(pay_again(api_url, token, order_id))

    # Then Stripe expired session1, so that a tab still showing it cannot pay the order too
    assert stripe.expired_ids == ["cs_test_session1"]
    assert stripe.session("cs_test_session1")["status"] == "expired"
    # And was then asked for a new session of the same order and amount, under a new key
    first, expire, second = stripe.requests
    assert expire.url.endswith("/v1/checkout/sessions/cs_test_session1/expire")
    assert first.headers["Idempotency-Key"] == f"checkout-session-{order_id}"
    assert second.headers["Idempotency-Key"] == f"checkout-session-{order_id}-2"
    assert second.form == first.form
    assert second.form["line_items[0][price_data][unit_amount]"] == "900"
    # And the order, unchanged otherwise, now leads to the new checkout page
    assert again["status"] == "pending_payment"
    assert again["payment"] == {
        "method": "stripe",
        "checkout_url": "https://checkout.stripe.com/c/pay/cs_test_session2",
    }
    assert again["total_minor"] == placed["total_minor"] == 900
    assert again["lines"] == placed["lines"]
    assert ok(shop(api_url, token, "GET", f"orders/{order_id}"))["payment"] == again["payment"]

    # And each further attempt expires the one before and gets its own session
    third = ok(pay_again(api_url, token, order_id))
    assert third["payment"]["checkout_url"].endswith("/cs_test_session3")
    assert stripe.creates[-1].headers["Idempotency-Key"] == f"checkout-session-{order_id}-3"
    assert stripe.expired_ids == ["cs_test_session1", "cs_test_session2"]
    assert stripe.session("cs_test_session3")["status"] == "open"

    # When the newest session is paid
    paid_third = {**paid_session(order_id, gallery["job_id"], 900), "id": "cs_test_session3"}
    payload = event(paid_third)
    assert deliver(api_url, payload, signature(payload)).status_code == 200

    # Then it pays the order, and a redelivery of it changes nothing
    seen = ok(shop(api_url, token, "GET", f"orders/{order_id}"))
    assert seen["status"] == "paid" and seen["payment"] == {"method": "stripe"}
    path = f"/api/jobs/{gallery['job_id']}/orders/{order_id}"
    assert ok(admin(api_url, photographer, "GET", path))["payment"]["provider_ref"] == (
        "cs_test_session3"
    )
    assert deliver(api_url, payload, signature(payload)).status_code == 200
    # And a paid order has no payment to start again: 409 with its status, Stripe not asked
    asked = len(stripe.requests)
    refused = pay_again(api_url, token, order_id)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "payment_not_restartable"
    assert refused.json()["status"] == "paid"
    assert len(stripe.requests) == asked


def test_a_checkout_paid_meanwhile_is_not_replaced_and_its_webhook_marks_the_order_paid(
    api_url: str, photographer: Any, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    # Given a pending order whose session the parent has just paid in another tab, before
    # Stripe's webhook reached us
    token = token_of(api_url, gallery, "Anna")
    placed = place_download(api_url, token, gallery)
    order_id = placed["order_id"]
    stripe.pay("cs_test_session1")

    # When the parent asks to pay again
    answer = pay_again(api_url, token, order_id)

    # Then Stripe refused to expire the paid session, and nothing new was started
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "payment_in_progress"
    assert "just been paid" in answer.json()["message"]
    assert stripe.expired_ids == ["cs_test_session1"]
    assert len(stripe.creates) == len(stripe.sessions) == 1
    assert stripe.session("cs_test_session1")["status"] == "complete"
    # And the order still leads to the paid session
    path = f"/api/jobs/{gallery['job_id']}/orders/{order_id}"
    seen = ok(admin(api_url, photographer, "GET", path))
    assert seen["status"] == "pending_payment"
    assert seen["payment"]["provider_ref"] == "cs_test_session1"

    # When the webhook of that payment arrives
    payload = event({**paid_session(order_id, gallery["job_id"], 900), "id": "cs_test_session1"})
    assert deliver(api_url, payload, signature(payload)).status_code == 200

    # Then the order is paid
    assert ok(shop(api_url, token, "GET", f"orders/{order_id}"))["status"] == "paid"


def test_only_the_sessions_own_order_can_be_paid_again(
    api_url: str, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    anna = token_of(api_url, gallery, "Anna")
    order_id = place_download(api_url, anna, gallery)["order_id"]
    ben = token_of(api_url, gallery, "Ben")

    for token, path_id in [(ben, order_id), (anna, "NOSUCHORDER")]:
        answer = pay_again(api_url, token, path_id)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "not_found"
    assert pay_again(api_url, "not-a-token", order_id).status_code == 401
    assert len(stripe.requests) == 1  # the order's own first session only


def test_a_cancelled_order_is_not_paid_again(
    api_url: str, photographer: Any, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    token = token_of(api_url, gallery, "Anna")
    order_id = place_download(api_url, token, gallery)["order_id"]
    cancel = f"/api/jobs/{gallery['job_id']}/orders/{order_id}/cancel"
    ok(admin(api_url, photographer, "POST", cancel))

    answer = pay_again(api_url, token, order_id)

    assert answer.status_code == 409, answer.text
    assert (answer.json()["error"], answer.json()["status"]) == (
        "payment_not_restartable",
        "cancelled",
    )
    assert len(stripe.requests) == 1


def test_a_job_closed_for_orders_refuses_a_new_payment_and_keeps_the_order(
    api_url: str, photographer: Any, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    # Given a pending order, and then its job archived by the photographer
    token = token_of(api_url, gallery, "Anna")
    placed = place_download(api_url, token, gallery)
    set_status(api_url, photographer, gallery["job_id"], "archived")

    # When the parent asks to pay again
    answer = pay_again(api_url, token, placed["order_id"])

    # Then the existing rule refuses it, Stripe is not asked and the order is as it was
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "not_open_for_orders"
    assert answer.json()["reason"] == "archived"
    assert len(stripe.requests) == 1
    path = f"/api/jobs/{gallery['job_id']}/orders/{placed['order_id']}"
    seen = ok(admin(api_url, photographer, "GET", path))
    assert seen["status"] == "pending_payment"
    assert seen["payment"]["provider_ref"] == "cs_test_session1"


def test_an_offline_order_has_no_payment_to_start_again(
    api_url: str, gallery: dict[str, Any]
) -> None:
    # The local default: pay later, to the photographer
    token = token_of(api_url, gallery, "Anna")
    placed = place_download(api_url, token, gallery)
    assert placed["payment"] == {"method": "offline"}

    answer = pay_again(api_url, token, placed["order_id"])

    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert (body["error"], body["status"], body["method"]) == (
        "payment_not_restartable",
        "pending_payment",
        "offline",
    )


def order_service_over(orders: Any) -> Any:
    """The shop's order service as wired, over another orders repository."""
    from chalicelib import wiring
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.pricing_repository import (
        PriceProfileRepository,
        VoucherRepository,
    )
    from chalicelib.adapters.dynamo.shop_reads import ShopReads
    from chalicelib.services.orders import OrderService

    return OrderService(
        jobs=JobRepository(),
        reads=ShopReads(),
        orders=orders,
        profiles=PriceProfileRepository(),
        vouchers=VoucherRepository(),
        payments=wiring.payment_provider(),
    )


def test_a_double_click_stores_one_new_session_and_answers_both_with_it(
    api_url: str, gallery: dict[str, Any], stripe: IdempotentStripe
) -> None:
    from chalicelib.adapters.dynamo.orders_repository import OrderRepository
    from chalicelib.domain.orders import Order
    from chalicelib.domain.shop_sessions import ShopSession
    from tests.stripe_fakes import NOW

    # Given a pending order, and its owner's session
    token = token_of(api_url, gallery, "Anna")
    order_id = place_download(api_url, token, gallery)["order_id"]
    stored = OrderRepository().get(order_id)
    owner = ShopSession(stored.session_id, stored.studio_id, (), NOW, NOW)
    other_click = order_service_over(OrderRepository())

    class OvertakenOrders(OrderRepository):
        """Lets a second "pay again" of the order run and store first, as a double click can."""

        overtaken: Order | None = None

        def replace(self, before: Order, after: Order, **kwargs: Any) -> Order:
            if self.overtaken is None:
                self.overtaken = other_click.pay_again(owner, order_id)
            return super().replace(before, after, **kwargs)

    orders = OvertakenOrders()

    # When the slower of two requests of the same attempt finds the order changed meanwhile
    answer = order_service_over(orders).pay_again(owner, order_id)

    # Then both answer the same new session, Stripe made one (same key twice), and it is stored
    assert orders.overtaken is not None
    assert answer.payment == orders.overtaken.payment
    assert answer.payment.checkout_url == "https://checkout.stripe.com/c/pay/cs_test_session2"
    assert [r.headers["Idempotency-Key"] for r in stripe.creates[1:]] == [
        f"checkout-session-{order_id}-2",
        f"checkout-session-{order_id}-2",
    ]
    assert len(stripe.sessions) == 2
    assert OrderRepository().get(order_id).payment == answer.payment
    # And the second click found session1 already expired by the first, and carried on
    assert stripe.expired_ids == ["cs_test_session1", "cs_test_session1"]
    assert stripe.session("cs_test_session2")["status"] == "open"
