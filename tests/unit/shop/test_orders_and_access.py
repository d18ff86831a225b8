"""Orders (parsing, building, life, payments) and what a session may see: pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.jobs import Job
from chalicelib.domain.orders import (
    CANCELLED,
    FULFILLED,
    PAID,
    Contact,
    InvalidOrderTransition,
    PaymentMismatch,
    PaymentNotRestartable,
    already_paid_by,
    check_payment,
    check_restartable,
    moved,
    new_order,
    next_payment_attempt,
    paid,
    parse_order_request,
    with_payment_start,
)
from chalicelib.domain.payments import PaymentStart
from chalicelib.domain.price_profiles import PriceProfile, Product
from chalicelib.domain.pricing import CartLine, price_cart
from chalicelib.domain.shop_access import (
    NotOpenForOrders,
    check_open_for_orders,
    gallery_block,
    parse_registration,
)
from chalicelib.domain.vouchers import Voucher
from chalicelib.errors import ValidationFailed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PROFILE = PriceProfile(
    "P", "S", "Schools", "EUR", NOW, NOW,
    products=(Product("p13", "print", "Print", 990, size="13x18", lab_code="LAB"),
              Product("dl", "download", "File", 1290)),
)  # fmt: skip


def job(**changes) -> Job:
    base = Job(
        job_id="J",
        studio_id="S",
        name="St. John",
        shooting_date=date(2026, 11, 1),
        job_type="primary",
        internal_name="2026-stjohn",
        created_at=NOW,
        updated_at=NOW,
        timezone="Europe/Berlin",
        status="selling",
        archive_date=date(2026, 12, 31),
    )
    return replace(base, **changes)


def order(voucher: Voucher | None = None):
    lines = (CartLine("PH1", "p13", 2), CartLine("PH2", "dl"))
    priced = price_cart(PROFILE, lines, voucher, job=job(), today=date(2026, 11, 23))
    return new_order(
        order_id="O1",
        session_id="SID",
        job=job(),
        priced=priced,
        owners={"PH1": "S1", "PH2": "S2"},
        contact=Contact("Anna", "anna@example.com"),
        redeemed_codes=("CODE1", "CODE2"),
        now=NOW,
    )


def test_an_order_request_names_every_bad_field_and_drops_client_totals():
    with pytest.raises(ValidationFailed) as bad:
        parse_order_request(
            {"job_id": "J", "lines": [], "contact": {"name": "", "email": "nope", "phone": "x"}}
        )
    assert {e["field"] for e in bad.value.errors} == {
        "lines",
        "contact.name",
        "contact.email",
        "contact.phone",
    }
    parsed = parse_order_request(
        {
            "job_id": "J",
            "lines": [{"photo_id": "PH1", "product_id": "p13", "unit_price_minor": 1}],
            "contact": {"name": "Anna", "email": "Anna@Example.COM", "phone": "030 1234567"},
            "voucher": "welcome10",
            "total_minor": 1,
        }
    )
    assert parsed.lines == (CartLine("PH1", "p13", 1),)
    assert parsed.contact == Contact("Anna", "Anna@example.com", "+49301234567")
    assert parsed.voucher_code == "WELCOME10"


def test_a_new_order_snapshots_products_and_owners_and_claims_codes_only_for_once_vouchers():
    placed = order()
    assert placed.status == "pending_payment" and placed.total_minor == 2 * 990 + 1290
    assert placed.internal_job_name == "2026-stjohn"
    assert [(line.photo_id, line.subject_id) for line in placed.lines] == [
        ("PH1", "S1"),
        ("PH2", "S2"),
    ]
    assert placed.product("p13").lab_code == "LAB"
    assert placed.redeemed_codes == ()  # no voucher, nothing to claim
    once = Voucher("TEN", "S", "job", "J", NOW, NOW, percent=10, once_per_access_code=True)
    assert order(once).redeemed_codes == ("CODE1", "CODE2")
    assert order(replace(once, once_per_access_code=False)).redeemed_codes == ()


def test_order_life_and_payments():
    placed = order()
    with pytest.raises(InvalidOrderTransition):
        moved(placed, FULFILLED, by="x", now=NOW)
    with pytest.raises(PaymentMismatch):
        check_payment(placed, amount_minor=placed.total_minor - 1, currency="EUR")
    with pytest.raises(PaymentMismatch):
        check_payment(placed, amount_minor=placed.total_minor, currency="USD")
    check_payment(placed, amount_minor=placed.total_minor, currency="eur")
    done = paid(placed, provider="stripe", provider_ref="cs_1", amount_minor=3270, now=NOW)
    assert done.status == PAID and done.payment.paid_minor == 3270
    assert [h.status for h in done.history] == ["pending_payment", "paid"]
    assert already_paid_by(done, "cs_1") and not already_paid_by(done, "cs_2")
    with pytest.raises(PaymentMismatch):  # paid already: a second payment is not taken
        check_payment(done, amount_minor=3270, currency="EUR")
    assert moved(done, FULFILLED, by="anna", now=NOW).status == FULFILLED
    with pytest.raises(InvalidOrderTransition):
        moved(done, CANCELLED, by="anna", now=NOW)


def test_a_pending_stripe_order_starts_its_next_payment_attempt_from_scratch():
    first = with_payment_start(order(), PaymentStart("stripe", "https://pay/1", "cs_1"))
    assert first.payment.attempt == 1
    check_restartable(first, "stripe")

    later = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    again = next_payment_attempt(first, later)
    started = with_payment_start(again, PaymentStart("stripe", "https://pay/2", "cs_2"))

    assert (started.payment.attempt, started.payment.provider_ref) == (2, "cs_2")
    assert started.payment.checkout_url == "https://pay/2"
    assert started.updated_at == later and started.status == "pending_payment"
    assert started.total_minor == first.total_minor and started.lines == first.lines
    # The session of the first attempt still pays it, and its redelivery is then a no-op
    done = paid(started, provider="stripe", provider_ref="cs_1", amount_minor=3270, now=later)
    assert done.payment.provider_ref == "cs_1" and done.payment.attempt == 2
    assert already_paid_by(done, "cs_1")


@pytest.mark.parametrize(
    ("status", "method", "provider"),
    [
        (PAID, "stripe", "stripe"),
        (CANCELLED, "stripe", "stripe"),
        ("pending_payment", "offline", "offline"),  # paid to the photographer: nothing to restart
        ("pending_payment", "offline", "stripe"),  # placed before the shop took Stripe
        ("pending_payment", "stripe", "offline"),  # the shop went back to offline payments
    ],
)
def test_only_a_pending_order_of_the_shops_online_provider_is_restartable(status, method, provider):
    placed = replace(order(), status=status)
    placed = with_payment_start(placed, PaymentStart(method, None, None))
    with pytest.raises(PaymentNotRestartable) as refused:
        check_restartable(placed, provider)
    assert refused.value.details["status"] == status


@pytest.mark.parametrize(
    ("changes", "hidden", "orderable"),
    [
        ({"status": "planning"}, "not_yet_available", False),
        ({"status": "archived"}, "archived", False),
        ({"archive_date": date(2026, 11, 22)}, "archived", False),  # seed 001: date passed
        ({"status": "prepay", "prepay": True, "prepay_deadline": date(2026, 11, 1)}, None, False),
        ({"status": "prepay", "prepay": True, "prepay_deadline": date(2026, 12, 1)}, None, True),
        ({}, None, True),
    ],
)
def test_what_a_session_sees_and_may_order_follows_the_status_rule(changes, hidden, orderable):
    block = gallery_block(job(**changes), NOW, registered=False)
    assert (block.code if block else None) == hidden
    if orderable:
        check_open_for_orders(job(**changes), NOW)
    else:
        with pytest.raises(NotOpenForOrders):
            check_open_for_orders(job(**changes), NOW)


def test_required_registration_hides_the_gallery_until_done():
    required = job(registration="required")
    assert gallery_block(required, NOW, registered=False).code == "registration_required"
    assert gallery_block(required, NOW, registered=True) is None
    assert gallery_block(job(registration="optional"), NOW, registered=False) is None


def test_registration_names_bad_fields():
    with pytest.raises(ValidationFailed) as bad:
        parse_registration({"job_id": "J", "first_name": "A", "email": "a@", "phone": "12ab"})
    assert {e["field"] for e in bad.value.errors} == {
        "last_name",
        "email",
        "phone",
        "marketing_consent",
    }
