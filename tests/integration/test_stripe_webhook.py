"""Stripe Checkout end to end without Stripe: the keys live in Secrets Manager (moto), a Checkout
Session is started with them (Stripe's side recorded, no network), the order is stored in
DynamoDB, and a delivery signed the way Stripe signs it is POSTed to the real API over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import Photographer
from tests.integration.shop import deliver, ok, order_body, session, shop, stripe_checkout
from tests.stripe_fakes import (
    SECRET_KEY,
    SESSION_ID,
    RecordingHTTPClient,
    checkout_session,
    event,
    paid_session,
    pending_order,
    signature,
)

pytestmark = pytest.mark.integration

# The shop's fixtures (conftest.py): a selling job with a built gallery, its price list and
# codes, and the Stripe secret in Secrets Manager with the API set to Stripe payments.


def job_of(api_url: str, who: Photographer) -> str:
    answer = requests.post(
        f"{api_url}/api/jobs",
        json={"name": "Elm School", "shooting_date": "2026-09-14", "job_type": "primary school"},
        headers=who.headers,
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["job_id"])


def placed_order(
    secret_arn: str, job_id: str, studio_id: str, order_id: str, total_minor: int = 3060
) -> Any:
    """An order as the shop places it with Stripe: its Checkout Session started with the keys
    in Secrets Manager (Stripe's side recorded: no network here), then stored."""
    from chalicelib import wiring
    from chalicelib.adapters.dynamo.orders_repository import OrderRepository
    from chalicelib.domain.orders import with_payment_start

    http = RecordingHTTPClient(checkout_session(amount_total=total_minor))
    stripe = stripe_checkout(secret_arn, http)
    order = pending_order(
        order_id=order_id, job_id=job_id, studio_id=studio_id, total_minor=total_minor
    )
    order = with_payment_start(order, stripe.start(order))
    [sent] = http.requests
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"  # read from Secrets Manager
    assert sent.form["metadata[order_id]"] == order_id
    wiring.order_service()  # binds the table
    return OrderRepository().place(order)


def order_status(api_url: str, who: Photographer, job_id: str, order_id: str) -> dict[str, Any]:
    answer = requests.get(
        f"{api_url}/api/jobs/{job_id}/orders/{order_id}", headers=who.headers, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_signed_delivery_marks_the_order_paid_once(
    api_url: str, photographer: Photographer, stripe_secret: str
) -> None:
    # Given an order started with Stripe Checkout and stored, waiting for its payment
    job_id = job_of(api_url, photographer)
    order = placed_order(stripe_secret, job_id, photographer.studio_id, "ORDPAIDVIAHTTP")
    assert order.payment.method == "stripe"
    assert order.payment.provider_ref == SESSION_ID
    assert order_status(api_url, photographer, job_id, order.order_id)["status"] == (
        "pending_payment"
    )

    # When Stripe delivers checkout.session.completed, signed with the endpoint's secret
    payload = event(paid_session(order.order_id, job_id, 3060))
    answer = deliver(api_url, payload, signature(payload))

    # Then the order is paid, by that session
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": True, "recorded": True, "order_id": order.order_id}
    seen = order_status(api_url, photographer, job_id, order.order_id)
    assert seen["status"] == "paid"

    # And a redelivery is a no-op answered 200
    again = deliver(api_url, payload, signature(payload))
    assert again.status_code == 200, again.text
    assert order_status(api_url, photographer, job_id, order.order_id) == seen


def test_refusals_over_http(api_url: str, photographer: Photographer, stripe_secret: str) -> None:
    job_id = job_of(api_url, photographer)
    order = placed_order(stripe_secret, job_id, photographer.studio_id, "ORDREFUSALS")
    payload = event(paid_session(order.order_id, job_id, 3060))

    # A wrong signature, a tampered body, no signature: 400 invalid_signature, nothing changes
    for body, header in [
        (payload, signature(payload, secret="whsec_not_ours")),
        (payload.replace(b"3060", b"3061"), signature(payload)),
        (payload, None),
    ]:
        refused = deliver(api_url, body, header)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == "invalid_signature"

    # Another amount: 409, recorded in the log, the order stays unpaid
    short = event(paid_session(order.order_id, job_id, 3000), event_id="evt_short")
    mismatch = deliver(api_url, short, signature(short))
    assert mismatch.status_code == 409, mismatch.text
    assert mismatch.json()["error"] == "payment_mismatch"

    # An event we do not act on: 200, ignored
    other = event(checkout_session(), event_type="checkout.session.expired", event_id="evt_exp")
    ignored = deliver(api_url, other, signature(other))
    assert ignored.status_code == 200, ignored.text
    assert ignored.json() == {"received": True, "recorded": False}

    assert order_status(api_url, photographer, job_id, order.order_id)["status"] == (
        "pending_payment"
    )


def test_a_payment_for_an_unknown_order_is_404(api_url: str, stripe_secret: str) -> None:
    payload = event(paid_session("NOSUCHORDER", "NOJOB", 3060))

    answer = deliver(api_url, payload, signature(payload))

    assert answer.status_code == 404, answer.text


def test_without_a_stripe_secret_the_webhook_is_not_found(api_url: str, stage: Any) -> None:
    payload = event(paid_session("ORD1", "JOB1", 3060))

    answer = deliver(api_url, payload, signature(payload))

    assert answer.status_code == 404, answer.text


def test_an_order_placed_in_the_shop_is_paid_through_stripe(
    api_url: str, gallery: dict[str, Any], stripe_secret: str
) -> None:
    from chalicelib import wiring

    # Given the shop on Stripe (Stripe's side recorded) and a parent's session
    http = RecordingHTTPClient(checkout_session(amount_total=900))
    wiring.reset()
    wiring.override("stripe_checkout", stripe_checkout(stripe_secret, http))
    job_id, photo = gallery["job_id"], gallery["photos"]
    token = session(api_url, gallery["subjects"]["Anna"]["access_code"])["token"]

    # When the parent orders a download (9.00 EUR)
    body = order_body(job_id, (photo["A_2.jpg"], "dl", 1))
    placed = ok(shop(api_url, token, "POST", "orders", body), 201)

    # Then the order waits for its Checkout Session, which Stripe was asked for at 900 cents
    assert placed["status"] == "pending_payment"
    assert placed["payment"] == {"method": "stripe", "checkout_url": checkout_session()["url"]}
    [sent] = http.requests
    assert sent.form["line_items[0][price_data][unit_amount]"] == "900"
    assert sent.form["line_items[0][price_data][currency]"] == "eur"
    assert sent.form["client_reference_id"] == placed["order_id"]
    assert sent.headers["Idempotency-Key"] == f"checkout-session-{placed['order_id']}"

    # When Stripe reports the session paid
    payload = event(paid_session(placed["order_id"], job_id, 900))
    assert deliver(api_url, payload, signature(payload)).status_code == 200

    # Then the parent sees the order paid
    seen = ok(shop(api_url, token, "GET", f"orders/{placed['order_id']}"))
    assert seen["status"] == "paid"
