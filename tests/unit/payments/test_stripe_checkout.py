"""Stripe Checkout adapter: the exact requests it sends (recorded by stripe's own HTTP client
hook, no network), amounts in Stripe's units, and reading the keys from Secrets Manager."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import stripe

from chalicelib.adapters.payments.stripe_checkout import (
    StripeCheckout,
    from_stripe_amount,
    idempotency_key,
    to_stripe_amount,
)
from chalicelib.adapters.payments.stripe_secrets import (
    StripeSecretInvalid,
    StripeSecretReader,
    StripeSecrets,
)
from chalicelib.domain.orders import Contact, Payment
from chalicelib.domain.payments import OfflinePayment, PaymentStart
from chalicelib.errors import PaymentInProgress, PaymentUnavailable, Unprocessable
from tests.conftest import ROOT
from tests.stripe_fakes import (
    SECRET_KEY,
    SESSION_ID,
    WEBHOOK_SECRET,
    IdempotentStripe,
    RecordingHTTPClient,
    checkout_session,
    pending_order,
)

SUCCESS = "https://shop.example/order.html?order={ORDER_ID}&session={CHECKOUT_SESSION_ID}"
CANCEL = "https://shop.example/cart.html?order={ORDER_ID}"


def secrets() -> StripeSecrets:
    return StripeSecrets(SECRET_KEY, WEBHOOK_SECRET)


def checkout(http: RecordingHTTPClient) -> StripeCheckout:
    return StripeCheckout(secrets, success_url=SUCCESS, cancel_url=CANCEL, http_client=http)


def test_start_creates_one_checkout_session_at_the_total_after_the_voucher() -> None:
    # Given an order of 34.00 EUR with a 10 % voucher (total 30.60 EUR)
    http = RecordingHTTPClient(checkout_session(amount_total=3060))

    # When its payment starts
    start = checkout(http).start(pending_order())

    # Then Stripe was asked for exactly this session, once
    assert start == PaymentStart(
        method="stripe",
        checkout_url=checkout_session()["url"],
        provider_ref=SESSION_ID,
    )
    [sent] = http.requests
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "3060",
        "line_items[0][price_data][product_data][name]": "Order ORD7K2M9Q4X",
        "line_items[0][price_data][product_data][description]": (
            "Elm School 2026: 3 items, voucher AUTUMN10 applied"
        ),
        "client_reference_id": "ORD7K2M9Q4X",
        "metadata[order_id]": "ORD7K2M9Q4X",
        "metadata[job_id]": "JOB5H8P2",
        "payment_intent_data[metadata][order_id]": "ORD7K2M9Q4X",
        "payment_intent_data[metadata][job_id]": "JOB5H8P2",
        "customer_email": "parent@example.com",
        "success_url": (
            "https://shop.example/order.html?order=ORD7K2M9Q4X&session={CHECKOUT_SESSION_ID}"
        ),
        "cancel_url": "https://shop.example/cart.html?order=ORD7K2M9Q4X",
    }
    assert sent.headers["Idempotency-Key"] == "checkout-session-ORD7K2M9Q4X"
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_the_same_order_always_sends_the_same_idempotency_key() -> None:
    http = RecordingHTTPClient(checkout_session())
    provider = checkout(http)

    provider.start(pending_order())
    provider.start(pending_order())

    first, second = http.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.form == second.form


def test_each_payment_attempt_gets_its_own_idempotency_key_and_keeps_it_on_retry() -> None:
    # Given an order whose first checkout expired, and the next attempt of it
    http = RecordingHTTPClient(checkout_session())
    provider = checkout(http)
    first = pending_order()
    again = pending_order(payment=Payment(method="stripe", attempt=2))

    # When the first attempt is started, then the second one, twice (a retried call)
    provider.start(first)
    provider.start(again)
    provider.start(again)

    # Then the first keeps the order's key, the second has a new one, sent again on the retry
    keys = [sent.headers["Idempotency-Key"] for sent in http.requests]
    assert keys == [
        "checkout-session-ORD7K2M9Q4X",
        "checkout-session-ORD7K2M9Q4X-2",
        "checkout-session-ORD7K2M9Q4X-2",
    ]
    # And every attempt asks for the same order and amount
    assert http.requests[0].form == http.requests[1].form == http.requests[2].form


def test_a_third_attempt_differs_from_the_second() -> None:
    assert idempotency_key(pending_order(payment=Payment("stripe", attempt=3))) != (
        idempotency_key(pending_order(payment=Payment("stripe", attempt=2)))
    )


def test_an_order_without_voucher_or_email_says_so() -> None:
    http = RecordingHTTPClient(checkout_session())

    checkout(http).start(
        pending_order(voucher=None, discount_minor=0, total_minor=3400, contact=Contact("P", ""))
    )

    [sent] = http.requests
    assert sent.form["line_items[0][price_data][unit_amount]"] == "3400"
    assert sent.form["line_items[0][price_data][product_data][description]"] == (
        "Elm School 2026: 3 items"
    )
    assert "customer_email" not in sent.form


def test_a_zero_decimal_currency_is_sent_as_is() -> None:
    http = RecordingHTTPClient(checkout_session(currency="jpy"))

    checkout(http).start(pending_order(currency="JPY", total_minor=4500))

    [sent] = http.requests
    assert sent.form["line_items[0][price_data][currency]"] == "jpy"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "4500"


@pytest.mark.parametrize(
    ("currency", "minor", "stripe_amount"),
    [
        ("EUR", 1250, 1250),
        ("JPY", 500, 500),
        ("ISK", 500, 50000),  # two-decimal at Stripe, whole kronur only
        ("MGA", 120000, 1200),  # zero-decimal at Stripe
        ("KWD", 5120, 5120),  # three decimals, last digit 0
    ],
)
def test_amounts_in_stripe_units_and_back(currency: str, minor: int, stripe_amount: int) -> None:
    assert to_stripe_amount(minor, currency) == stripe_amount
    assert from_stripe_amount(stripe_amount, currency) == minor


@pytest.mark.parametrize(("currency", "minor"), [("MGA", 120050), ("KWD", 5124), ("EUR", -5)])
def test_amounts_stripe_cannot_charge_are_refused_before_calling_it(
    currency: str, minor: int
) -> None:
    http = RecordingHTTPClient(checkout_session())

    with pytest.raises(Unprocessable):
        checkout(http).start(pending_order(currency=currency, total_minor=minor))

    assert http.requests == []


def test_a_free_order_is_not_sent_to_stripe() -> None:
    # A 100 % voucher: nothing to pay online; the photographer confirms it like an offline order
    http = RecordingHTTPClient(checkout_session())

    start = checkout(http).start(pending_order(discount_minor=3400, total_minor=0))

    assert start == PaymentStart(method="offline")
    assert http.requests == []


def stripe_error(error_type: str, code: str, message: str) -> dict[str, Any]:
    """Stripe's documented error object."""
    return {"error": {"type": error_type, "code": code, "message": message}}


def test_a_total_below_stripes_minimum_charge_is_unprocessable() -> None:
    http = RecordingHTTPClient(
        stripe_error(
            "invalid_request_error",
            "amount_too_small",
            "The Checkout Session's total amount due must add up to at least €0.50 eur",
        ),
        status=400,
    )

    with pytest.raises(Unprocessable) as refused:
        checkout(http).start(pending_order(total_minor=10))

    assert refused.value.details == {"reason": "amount_too_small"}


def test_any_other_stripe_error_is_payment_unavailable() -> None:
    http = RecordingHTTPClient(
        stripe_error("invalid_request_error", "api_key_expired", "Expired API Key provided"),
        status=401,
    )

    with pytest.raises(PaymentUnavailable):
        checkout(http).start(pending_order())


# Expiring the previous checkout ("pay again") ------------------------------------------------
def started(http: IdempotentStripe) -> tuple[StripeCheckout, Any]:
    """The provider over ``http``, and an order whose first checkout it opened."""
    provider = checkout(http)
    start = provider.start(pending_order())
    order = pending_order(
        payment=Payment("stripe", checkout_url=start.checkout_url, provider_ref=start.provider_ref)
    )
    return provider, order


def test_expire_expires_the_orders_current_session_at_stripe() -> None:
    # Given an order whose checkout session is open
    http = IdempotentStripe()
    provider, order = started(http)

    # When it is expired
    provider.expire(order)

    # Then Stripe was asked to expire that very session, once, and did
    [_, sent] = http.requests
    assert (sent.method, sent.url) == (
        "post",
        "https://api.stripe.com/v1/checkout/sessions/cs_test_session1/expire",
    )
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert http.session("cs_test_session1")["status"] == "expired"


def test_a_session_already_expired_is_fine() -> None:
    # Given an order whose session expired already (after 24 hours, or an earlier call)
    http = IdempotentStripe()
    provider, order = started(http)
    provider.expire(order)

    # When it is expired again, Stripe refuses, and the session's status settles it
    provider.expire(order)

    assert [(r.method, r.url.rsplit("/v1/", 1)[1]) for r in http.requests[1:]] == [
        ("post", "checkout/sessions/cs_test_session1/expire"),
        ("post", "checkout/sessions/cs_test_session1/expire"),
        ("get", "checkout/sessions/cs_test_session1"),
    ]


def test_a_session_paid_meanwhile_cannot_be_expired_and_says_so() -> None:
    # Given an order whose session the buyer has just paid
    http = IdempotentStripe()
    provider, order = started(http)
    http.pay("cs_test_session1")

    # When it is to be expired
    with pytest.raises(PaymentInProgress) as refused:
        provider.expire(order)

    # Then the refusal is the order's payment in progress, and the session stays paid
    assert refused.value.code == "payment_in_progress"
    assert refused.value.details == {"order_id": "ORD7K2M9Q4X"}
    assert http.expired_ids == ["cs_test_session1"]
    assert http.session("cs_test_session1")["status"] == "complete"


def test_a_session_unknown_to_this_stripe_account_is_not_in_the_way() -> None:
    http = IdempotentStripe()
    order = pending_order(payment=Payment("stripe", provider_ref="cs_test_of_another_account"))

    checkout(http).expire(order)

    assert http.expired_ids == ["cs_test_of_another_account"]


def test_an_order_without_a_session_has_nothing_to_expire() -> None:
    http = IdempotentStripe()

    checkout(http).expire(pending_order(payment=Payment("stripe")))

    assert http.requests == []


class UnreachableStripe(RecordingHTTPClient):
    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        super().request(method, url, *args, **kwargs)
        raise stripe.APIConnectionError("Could not connect to Stripe (api.stripe.com)")


@pytest.mark.parametrize(
    "http",
    [
        UnreachableStripe({}),
        RecordingHTTPClient(
            stripe_error("invalid_request_error", "api_key_expired", "Expired API Key"),
            status=401,
        ),
    ],
    ids=["network", "expired_key"],
)
def test_stripe_not_answering_the_expiry_is_payment_unavailable(
    http: RecordingHTTPClient,
) -> None:
    order = pending_order(payment=Payment("stripe", provider_ref="cs_test_session1"))

    with pytest.raises(PaymentUnavailable):
        checkout(http).expire(order)

    assert {r.url for r in http.requests} == {
        "https://api.stripe.com/v1/checkout/sessions/cs_test_session1/expire"
    }


def test_the_offline_provider_has_nothing_to_expire() -> None:
    assert OfflinePayment().expire(pending_order()) is None


class FakeSecretsManager:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.reads = 0

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        self.reads += 1
        return {"ARN": SecretId, "SecretString": self.secret}


def test_the_keys_are_read_once_and_again_after_five_minutes() -> None:
    # Given the secret JSON and a clock
    manager = FakeSecretsManager(
        json.dumps({"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET})
    )
    now = [1000.0]
    reader = StripeSecretReader("arn:stripe", client=manager, clock=lambda: now[0])

    # When read three times within five minutes, and once after
    first = reader()
    now[0] += 299
    reader()
    now[0] += 1
    reader()

    # Then
    assert first == StripeSecrets(SECRET_KEY, WEBHOOK_SECRET)
    assert manager.reads == 2
    assert SECRET_KEY not in repr(first)


@pytest.mark.parametrize(
    "secret", ["not json", "[]", json.dumps({"secret_key": SECRET_KEY}), json.dumps({})]
)
def test_a_malformed_secret_fails_without_echoing_it(secret: str) -> None:
    reader = StripeSecretReader("arn:stripe", client=FakeSecretsManager(secret))

    with pytest.raises(StripeSecretInvalid) as raised:
        reader()

    assert SECRET_KEY not in str(raised.value)


def test_a_rotated_secret_key_builds_a_new_client() -> None:
    keys = [StripeSecrets("sk_test_old", WEBHOOK_SECRET)]
    http = RecordingHTTPClient(checkout_session())
    provider = StripeCheckout(
        lambda: keys[0], success_url=SUCCESS, cancel_url=CANCEL, http_client=http
    )

    provider.start(pending_order())
    keys[0] = StripeSecrets("sk_test_new", WEBHOOK_SECRET)
    provider.start(pending_order())

    assert [r.headers["Authorization"] for r in http.requests] == [
        "Bearer sk_test_old",
        "Bearer sk_test_new",
    ]


def test_the_api_module_does_not_import_stripe() -> None:
    # stripe is imported on first use by the adapter: an offline shop never pays for it
    code = "import sys, runpy; runpy.run_path('app.py'); print('stripe' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_stripe_payments_need_the_secret_setting() -> None:
    from chalicelib.config import SettingsError, load_settings
    from tests.unit.test_config_and_cursors import REQUIRED

    with pytest.raises(SettingsError, match="PHOTOJOBS_STRIPE_SECRET_ARN"):
        load_settings({**REQUIRED, "PHOTOJOBS_PAYMENT_PROVIDER": "stripe"})
    settings = load_settings(
        {**REQUIRED, "PHOTOJOBS_PAYMENT_PROVIDER": "stripe", "PHOTOJOBS_STRIPE_SECRET_ARN": "arn"}
    )
    assert (settings.payment_provider, settings.stripe_secret_arn) == ("stripe", "arn")
    assert load_settings(REQUIRED).stripe_secret_arn is None
