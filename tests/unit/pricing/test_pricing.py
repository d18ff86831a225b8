"""Pricing an order (issue 5): price profiles, vouchers and price_cart, pure (no AWS)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.jobs import Job
from chalicelib.domain.price_profiles import (
    PriceProfile,
    copied_price_profile,
    customer_view,
    new_price_profile,
    parse_copy_request,
    parse_price_profile,
)
from chalicelib.domain.pricing import CartLine, parse_quote_request, price_cart
from chalicelib.domain.status import local_today
from chalicelib.domain.vouchers import (
    Voucher,
    new_voucher,
    normalize_voucher_code,
    parse_voucher,
    updated_voucher,
)
from chalicelib.errors import ValidationFailed, VoucherRefused

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 9, 20)

PRODUCTS: list[dict[str, Any]] = [
    {"product_id": "p13", "kind": "print", "name": "Portrait", "size": "13x18", "price_minor": 1250,
     "lab_code": "LAB-1318"},
    {"product_id": "p20", "kind": "print", "name": "Portrait", "size": "20x30",
     "price_minor": 1999},
    {"product_id": "dl", "kind": "download", "name": "Digital file", "price_minor": 900},
    {"product_id": "family", "kind": "package", "name": "Family set", "price_minor": 3900,
     "items": [{"product_id": "p13", "quantity": 4}, {"product_id": "dl"}], "lab_code": "PKG-F"},
]  # fmt: skip


def profile(products: list[dict[str, Any]] | None = None, currency: str = "EUR") -> PriceProfile:
    fields = parse_price_profile(
        {"name": "Primary schools 2026", "currency": currency, "products": products or PRODUCTS},
        creating=True,
    )
    return new_price_profile(profile_id="PP1", studio_id="S", fields=fields, now=NOW)


def job(**changes: Any) -> Job:
    base = Job(
        job_id="J",
        studio_id="S",
        name="St. Mary",
        shooting_date=date(2026, 9, 14),
        job_type="primary",
        internal_name="stmary",
        created_at=NOW,
        updated_at=NOW,
        timezone="Europe/Berlin",
        price_profile_id="PP1",
    )
    return replace(base, **changes)


def voucher(job_id: str | None = None, **body: Any) -> Voucher:
    fields = parse_voucher({"code": "summer", **body}, creating=True)
    return new_voucher(studio_id="S", job_id=job_id, fields=fields, now=NOW)


def lines(*specs: tuple[str, int]) -> list[CartLine]:
    return [CartLine(f"photo-{i}", product, qty) for i, (product, qty) in enumerate(specs)]


def refusal(exc: pytest.ExceptionInfo[VoucherRefused]) -> str:
    return exc.value.reason


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in exc.value.errors}


# Totals and rounding --------------------------------------------------------------------------
def test_lines_are_priced_from_the_profile_and_totalled_in_minor_units():
    order = price_cart(profile(), lines(("p13", 2), ("dl", 1)), None, job=job(), today=TODAY)
    assert [(line.unit_price_minor, line.line_total_minor) for line in order.lines] == [
        (1250, 2500),
        (900, 900),
    ]
    assert (order.subtotal_minor, order.discount_minor, order.total_minor) == (3400, 0, 3400)
    assert order.currency == "EUR" and order.voucher is None
    assert all(isinstance(x, int) for x in (order.subtotal_minor, order.total_minor))


@pytest.mark.parametrize(
    ("subtotal_product", "quantity", "percent", "discount"),
    [
        ("p13", 1, 15, 188),  # 187.5 rounds half up
        ("p20", 1, 15, 300),  # 299.85
        ("p20", 1, 10, 200),  # 199.9
        ("dl", 1, 33, 297),  # 297.0
        ("p13", 3, 10, 375),  # 375.0
        ("p20", 1, 25, 500),  # 499.75
        ("p20", 1, 5, 100),  # 99.95
    ],
)
def test_percent_discount_rounds_half_up_on_minor_units(
    subtotal_product, quantity, percent, discount
):
    order = price_cart(
        profile(),
        lines((subtotal_product, quantity)),
        voucher(percent=percent),
        job=job(),
        today=TODAY,
    )
    assert order.discount_minor == discount
    assert order.total_minor == order.subtotal_minor - discount


def test_half_a_minor_unit_rounds_up_and_a_third_rounds_down():
    cheap = profile([{"product_id": "x", "kind": "download", "name": "Tiny", "price_minor": 1}])
    half = price_cart(cheap, lines(("x", 1)), voucher(percent=50), job=job(), today=TODAY)
    assert half.discount_minor == 1  # 0.5 -> 1
    third = price_cart(cheap, lines(("x", 1)), voucher(percent=33), job=job(), today=TODAY)
    assert third.discount_minor == 0  # 0.33 -> 0
    # half up, not to even (banker's rounding would give 2 here)
    two_and_a_half = price_cart(cheap, lines(("x", 5)), voucher(percent=50), job=job(), today=TODAY)
    assert two_and_a_half.discount_minor == 3


def test_a_voucher_never_takes_an_order_below_zero():
    big = voucher(amount_minor=10_000, currency="EUR")
    order = price_cart(profile(), lines(("dl", 1)), big, job=job(), today=TODAY)
    assert (order.subtotal_minor, order.discount_minor, order.total_minor) == (900, 900, 0)
    everything = price_cart(
        profile(), lines(("dl", 2)), voucher(percent=100), job=job(), today=TODAY
    )
    assert everything.total_minor == 0


def test_fixed_amount_off():
    order = price_cart(
        profile(),
        lines(("p13", 2)),
        voucher(amount_minor=500, currency="eur"),
        job=job(),
        today=TODAY,
    )
    assert (order.subtotal_minor, order.discount_minor, order.total_minor) == (2500, 500, 2000)
    assert order.voucher is not None and order.voucher.code == "SUMMER"


# Minimum order ----------------------------------------------------------------------------------
def test_minimum_order_is_compared_with_the_subtotal():
    ten_off = voucher(percent=10, min_order_minor=2500)
    with pytest.raises(VoucherRefused) as refused:
        price_cart(profile(), lines(("p13", 1), ("dl", 1)), ten_off, job=job(), today=TODAY)
    assert refusal(refused) == "below_minimum"
    assert refused.value.details["min_order_minor"] == 2500
    assert refused.value.details["subtotal_minor"] == 2150
    exactly = price_cart(profile(), lines(("p13", 2)), ten_off, job=job(), today=TODAY)
    assert exactly.discount_minor == 250


# Expiry: a calendar day in the job's time zone ------------------------------------------------
@pytest.mark.parametrize(
    ("timezone", "now", "accepted"),
    [
        ("Europe/Berlin", datetime(2026, 10, 1, 21, 59, 59, tzinfo=UTC), True),  # 23:59:59 local
        ("Europe/Berlin", datetime(2026, 10, 1, 22, 0, 0, tzinfo=UTC), False),  # 00:00 next day
        ("America/New_York", datetime(2026, 10, 2, 3, 59, 59, tzinfo=UTC), True),  # 23:59:59
        ("America/New_York", datetime(2026, 10, 2, 4, 0, 0, tzinfo=UTC), False),
        ("Pacific/Auckland", datetime(2026, 10, 1, 10, 59, 59, tzinfo=UTC), True),  # NZDT +13
        ("Pacific/Auckland", datetime(2026, 10, 1, 11, 0, 0, tzinfo=UTC), False),
    ],
)
def test_a_voucher_is_valid_through_its_last_day_in_the_jobs_time_zone(timezone, now, accepted):
    the_job = job(timezone=timezone)
    until_october_first = voucher(percent=10, valid_until="2026-10-01")
    today = local_today(the_job, now)
    if accepted:
        order = price_cart(
            profile(), lines(("p13", 1)), until_october_first, job=the_job, today=today
        )
        assert order.discount_minor == 125
        return
    with pytest.raises(VoucherRefused) as refused:
        price_cart(profile(), lines(("p13", 1)), until_october_first, job=the_job, today=today)
    assert refusal(refused) == "expired"
    assert refused.value.details["valid_until"] == "2026-10-01"


def test_a_job_voucher_without_a_date_follows_the_jobs_voucher_deadline():
    the_job = job(voucher_deadline=date(2026, 9, 30))
    early_bird = voucher(job_id="J", percent=10)
    assert early_bird.valid_until is None and early_bird.follows_voucher_deadline
    assert early_bird.expires_on(the_job.voucher_deadline) == date(2026, 9, 30)
    ok = price_cart(profile(), lines(("dl", 1)), early_bird, job=the_job, today=date(2026, 9, 30))
    assert ok.discount_minor == 90
    with pytest.raises(VoucherRefused) as refused:
        price_cart(profile(), lines(("dl", 1)), early_bird, job=the_job, today=date(2026, 10, 1))
    assert refusal(refused) == "expired"
    # moving the deadline moves the voucher
    later = replace(the_job, voucher_deadline=date(2026, 10, 15))
    assert price_cart(profile(), lines(("dl", 1)), early_bird, job=later, today=date(2026, 10, 1))
    # a studio voucher without a date never expires
    assert voucher(percent=5).expires_on(date(2020, 1, 1)) is None


# Scope and once per access code -----------------------------------------------------------------
def test_a_job_voucher_is_refused_in_another_job_and_another_studios_voucher_is_unknown():
    other_jobs = voucher(job_id="OTHER", percent=10)
    with pytest.raises(VoucherRefused) as refused:
        price_cart(profile(), lines(("dl", 1)), other_jobs, job=job(), today=TODAY)
    assert refusal(refused) == "wrong_job"
    foreign = replace(voucher(percent=10), studio_id="S2")
    with pytest.raises(VoucherRefused) as refused:
        price_cart(profile(), lines(("dl", 1)), foreign, job=job(), today=TODAY)
    assert refusal(refused) == "unknown"
    # a studio voucher works in every job of the studio
    studio_wide = voucher(percent=10)
    assert price_cart(profile(), lines(("dl", 1)), studio_wide, job=job(job_id="J9"), today=TODAY)


def test_once_per_access_code():
    once = voucher(percent=10, once_per_access_code=True)
    first = price_cart(
        profile(), lines(("dl", 1)), once, job=job(), today=TODAY, used_by_this_code=False
    )
    assert first.voucher is not None and first.voucher.once_per_access_code is True
    with pytest.raises(VoucherRefused) as refused:
        price_cart(
            profile(), lines(("dl", 1)), once, job=job(), today=TODAY, used_by_this_code=True
        )
    assert refusal(refused) == "already_used"
    unlimited = voucher(percent=10)
    again = price_cart(
        profile(), lines(("dl", 1)), unlimited, job=job(), today=TODAY, used_by_this_code=True
    )
    assert again.discount_minor == 90


def test_currency_mismatch_refuses_a_fixed_amount_but_not_a_percentage():
    chf = profile(currency="CHF")
    with pytest.raises(VoucherRefused) as refused:
        price_cart(
            chf, lines(("dl", 1)), voucher(amount_minor=100, currency="EUR"), job=job(), today=TODAY
        )
    assert refusal(refused) == "currency_mismatch"
    assert refused.value.details == {
        "reason": "currency_mismatch",
        "voucher_currency": "EUR",
        "currency": "CHF",
    }
    assert price_cart(chf, lines(("dl", 1)), voucher(percent=10), job=job(), today=TODAY)


# Packages ---------------------------------------------------------------------------------------
def test_a_package_is_priced_as_one_product_and_lists_what_the_lab_makes():
    order = price_cart(profile(), lines(("family", 2)), None, job=job(), today=TODAY)
    (line,) = order.lines
    assert (line.unit_price_minor, line.line_total_minor, line.lab_code) == (3900, 7800, "PKG-F")
    assert [(c.product_id, c.quantity, c.lab_code) for c in line.components] == [
        ("p13", 4, "LAB-1318"),
        ("dl", 1, None),
    ]


def test_packages_refer_to_prints_and_downloads_of_the_same_profile():
    nested = [
        *PRODUCTS,
        {"product_id": "mega", "kind": "package", "name": "Mega", "price_minor": 9000,
         "items": [{"product_id": "family"}, {"product_id": "nope"}]},
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as failed:
        profile(nested)
    assert set(fields_of(failed)) == {
        "products[4].items[0].product_id",
        "products[4].items[1].product_id",
    }


# Validation -------------------------------------------------------------------------------------
def test_unknown_products_and_bad_quantities_name_their_line():
    with pytest.raises(ValidationFailed) as failed:
        price_cart(profile(), lines(("p13", 1), ("poster", 1)), None, job=job(), today=TODAY)
    assert fields_of(failed) == {
        "lines[1].product_id": "no product 'poster' in the job's price list"
    }
    with pytest.raises(ValidationFailed) as failed:
        parse_quote_request(
            {"lines": [{"photo_id": "a", "product_id": "p13", "quantity": 0},
                       {"photo_id": "b", "product_id": "p13", "quantity": 100},
                       {"product_id": "p13"}]}
        )  # fmt: skip
    assert set(fields_of(failed)) == {
        "lines[0].quantity",
        "lines[1].quantity",
        "lines[2].photo_id",
    }
    with pytest.raises(ValidationFailed) as failed:
        parse_quote_request({"lines": []})
    assert set(fields_of(failed)) == {"lines"}


def test_prices_sent_by_the_client_are_ignored():
    request = parse_quote_request(
        {
            "lines": [{"photo_id": "a", "product_id": "p20", "quantity": 2, "unit_price_minor": 1}],
            "total_minor": 2,
            "currency": "USD",
            "voucher": " summer ",
        }
    )
    assert request.lines == (CartLine("a", "p20", 2),)
    assert request.voucher_code == "SUMMER"
    order = price_cart(profile(), request.lines, None, job=job(), today=TODAY)
    assert order.total_minor == 3998 and order.currency == "EUR"


def test_profile_validation_names_each_product_field():
    bad = [
        {"kind": "print", "name": "No size", "price_minor": 100},
        {"kind": "download", "name": "Sized", "price_minor": 100, "size": "A4"},
        {"kind": "package", "name": "Empty", "price_minor": 100},
        {"kind": "poster", "name": "X", "price_minor": 1.5},
        {"kind": "download", "name": "Neg", "price_minor": -1, "colour": "red"},
        "not an object",
    ]
    with pytest.raises(ValidationFailed) as failed:
        parse_price_profile({"name": "P", "currency": "EURO", "products": bad}, creating=True)
    assert fields_of(failed) == {
        "currency": "must be an ISO 4217 currency code such as EUR",
        "products[0].size": "is required for a print",
        "products[1].size": "is only for prints",
        "products[2].items": "is required for a package",
        "products[3].kind": "must be one of print, download, package",
        "products[3].price_minor": "must be an integer",
        "products[4].price_minor": "must be between 0 and 100000000",
        "products[4].colour": "unknown field",
        "products[5]": "must be an object",
    }


def test_product_ids_are_derived_when_missing_and_must_be_unique():
    derived = profile(
        [
            {"kind": "print", "name": "Portrait", "size": "13x18", "price_minor": 1},
            {"kind": "print", "name": "Portrait", "size": "13x18", "price_minor": 2},
            {"kind": "download", "name": "Größe Datei", "price_minor": 3},
        ]
    )
    assert [p.product_id for p in derived.products] == [
        "portrait-13x18",
        "portrait-13x18-2",
        "groe-datei",
    ]
    with pytest.raises(ValidationFailed) as failed:
        profile([PRODUCTS[0], {**PRODUCTS[2], "product_id": "p13"}])
    assert fields_of(failed) == {"products[1].product_id": "is used by products[0] too"}


def test_money_is_never_a_float_and_currencies_are_iso_4217():
    with pytest.raises(ValidationFailed) as failed:
        voucher(amount_minor=2.5, currency="EUR")
    assert fields_of(failed) == {"amount_minor": "must be an integer"}
    assert profile(currency="jpy").currency == "JPY"
    with pytest.raises(ValidationFailed):
        profile(currency="XYZ")


# Vouchers -----------------------------------------------------------------------------------------
def test_voucher_codes_are_case_insensitive():
    assert normalize_voucher_code(" Summer-10 ") == "SUMMER-10"
    assert voucher(percent=5).code == "SUMMER"
    for bad in ("ab", "with space", "ÄPFEL", "x" * 33):
        with pytest.raises(ValueError):
            normalize_voucher_code(bad)


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({}, "percent", "give a percent or an amount_minor"),
        ({"percent": 10, "amount_minor": 100, "currency": "EUR"}, "amount_minor", "give a percent"),
        ({"amount_minor": 100}, "currency", "is required with amount_minor"),
        ({"percent": 0}, "percent", "must be between 1 and 100"),
        ({"percent": 101}, "percent", "must be between 1 and 100"),
        ({"percent": 10, "valid_until": "1.10.2026"}, "valid_until", "must be a date"),
        ({"percent": 10, "min_order_minor": -1}, "min_order_minor", "must be between 0"),
    ],
)
def test_voucher_validation_names_the_field(body, field, reason):
    with pytest.raises(ValidationFailed) as failed:
        voucher(**body)
    assert fields_of(failed)[field].startswith(reason)


def test_a_job_voucher_amount_is_in_the_jobs_price_list_currency():
    fields = parse_voucher({"code": "five", "amount_minor": 500}, creating=True)
    made = new_voucher(studio_id="S", job_id="J", fields=fields, now=NOW, price_list_currency="EUR")
    assert made.currency == "EUR"
    other = parse_voucher({"code": "five", "amount_minor": 500, "currency": "USD"}, creating=True)
    with pytest.raises(ValidationFailed) as failed:
        new_voucher(studio_id="S", job_id="J", fields=other, now=NOW, price_list_currency="EUR")
    assert fields_of(failed) == {"currency": "must be the currency of the job's price list (EUR)"}


def test_updating_a_voucher_switches_between_percent_and_amount():
    ten_percent = voucher(percent=10)
    fixed = updated_voucher(
        ten_percent, parse_voucher({"amount_minor": 300, "currency": "EUR"}, creating=False), NOW
    )
    assert (fixed.percent, fixed.amount_minor, fixed.currency) == (None, 300, "EUR")
    back = updated_voucher(fixed, parse_voucher({"percent": 20}, creating=False), NOW)
    assert (back.percent, back.amount_minor, back.currency) == (20, None, None)
    with pytest.raises(ValidationFailed) as failed:
        parse_voucher({"code": "OTHER"}, creating=False)
    assert "code" in fields_of(failed)


# Profiles -----------------------------------------------------------------------------------------
def test_customers_never_see_the_profile_name_or_lab_codes():
    view = customer_view(profile()).as_dict()
    text = repr(view)
    assert "Primary schools 2026" not in text
    assert "LAB-1318" not in text and "PKG-F" not in text
    assert view["currency"] == "EUR" and view["currency_exponent"] == 2
    family = view["products"][3]
    assert family["items"] == [
        {"product_id": "p13", "name": "Portrait", "quantity": 4},
        {"product_id": "dl", "name": "Digital file", "quantity": 1},
    ]
    assert customer_view(profile(currency="JPY")).currency_exponent == 0


def test_a_copy_keeps_the_products_under_a_new_id_and_name():
    source = profile()
    copy = copied_price_profile(source, profile_id="PP2", name=parse_copy_request({}), now=NOW)
    assert (copy.profile_id, copy.name) == ("PP2", "Primary schools 2026 (copy)")
    assert copy.products == source.products
    named = copied_price_profile(source, profile_id="PP3", name="Secondary", now=NOW)
    assert named.name == "Secondary"
