"""Pricing an order (issue 5): the server prices every line from the job's price profile (prices a
client sends are ignored), checks and applies a voucher, and totals in integer minor units.

Entry points: :func:`parse_quote_request` (request body -> lines, voucher code, access code)
and :func:`price_cart` (profile + lines + voucher -> :class:`PricedOrder`). The models of price
profiles and vouchers live in :mod:`.price_profiles` and :mod:`.vouchers`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.access_codes import InvalidAccessCode, normalize_any_code
from chalicelib.domain.price_profiles import PriceProfile, Product
from chalicelib.domain.vouchers import (
    Voucher,
    VoucherJob,
    check_voucher,
    discount_minor,
    optional_voucher_code,
)
from chalicelib.errors import ValidationFailed

MAX_LINES = 200
MAX_QUANTITY = 99
# What a shop may send back from the prices it showed. Never read: the profile prices each line.
CLIENT_LINE_PRICES = ("unit_price_minor", "price_minor", "line_total_minor")
CLIENT_ORDER_TOTALS = ("subtotal_minor", "discount_minor", "total_minor", "currency")


@dataclass(frozen=True)
class CartLine:
    photo_id: str
    product_id: str
    quantity: int = 1


@dataclass(frozen=True)
class QuoteRequest:
    lines: tuple[CartLine, ...]
    voucher_code: str | None = None
    access_code: str | None = None  # canonical key; for the once-per-code check


def _line(raw: Any, field: str) -> CartLine:
    if not isinstance(raw, Mapping):
        raise ValidationFailed([{"field": field, "reason": "must be an object"}])
    body = {k: value for k, value in raw.items() if k not in CLIENT_LINE_PRICES}
    fields = v.collect(
        body,
        {
            "photo_id": lambda x: v.text(x, max_length=64),
            "product_id": lambda x: v.text(x, max_length=40),
            "quantity": lambda x: v.integer(x, minimum=1, maximum=MAX_QUANTITY),
        },
        required=("photo_id", "product_id"),
        prefix=field + ".",
    )
    return CartLine(**fields)


def parse_lines(value: Any) -> tuple[CartLine, ...]:
    """Field parser of a cart: 1..200 lines of photo, product and quantity (1..99)."""
    if not isinstance(value, list) or not value:
        raise v.FieldError("must be a non-empty list of lines")
    if len(value) > MAX_LINES:
        raise v.FieldError(f"must have at most {MAX_LINES} lines")
    errors: list[dict[str, str]] = []
    lines: list[CartLine] = []
    for i, raw in enumerate(value):
        try:
            lines.append(_line(raw, f"lines[{i}]"))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return tuple(lines)


def access_code_field(value: Any) -> str:
    """Field parser of an access code as a person types it: its canonical key."""
    try:
        return normalize_any_code(v.text(value, max_length=64))
    except InvalidAccessCode as exc:
        raise v.FieldError(exc.message) from exc


def _optional_access_code(value: Any) -> str | None:
    return None if value in (None, "") else access_code_field(value)


def parse_quote_request(body: Any) -> QuoteRequest:
    body = {k: value for k, value in v.require_object(body).items() if k not in CLIENT_ORDER_TOTALS}
    fields = v.collect(
        body,
        {
            "lines": parse_lines,
            "voucher": optional_voucher_code,
            "access_code": _optional_access_code,
        },
        required=("lines",),
    )
    return QuoteRequest(fields["lines"], fields.get("voucher"), fields.get("access_code"))


@dataclass(frozen=True)
class PackageComponent:
    product_id: str
    kind: str
    name: str
    size: str | None
    lab_code: str | None
    quantity: int  # per package


@dataclass(frozen=True)
class PricedLine:
    photo_id: str
    product_id: str
    kind: str
    name: str
    size: str | None
    lab_code: str | None
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    components: tuple[PackageComponent, ...] = ()  # what a package line makes


@dataclass(frozen=True)
class AppliedVoucher:
    code: str
    scope: str
    percent: int | None
    amount_minor: int | None
    once_per_access_code: bool


@dataclass(frozen=True)
class PricedOrder:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal_minor: int
    discount_minor: int
    total_minor: int
    voucher: AppliedVoucher | None = None


def _priced_line(line: CartLine, product: Product, profile: PriceProfile) -> PricedLine:
    components = []
    for item in product.items:
        part = profile.product(item.product_id)
        assert part is not None, "a parsed profile's packages refer to its own products"
        components.append(
            PackageComponent(
                part.product_id, part.kind, part.name, part.size, part.lab_code, item.quantity
            )
        )
    return PricedLine(
        photo_id=line.photo_id,
        product_id=product.product_id,
        kind=product.kind,
        name=product.name,
        size=product.size,
        lab_code=product.lab_code,
        quantity=line.quantity,
        unit_price_minor=product.price_minor,
        line_total_minor=product.price_minor * line.quantity,
        components=tuple(components),
    )


def price_cart(
    profile: PriceProfile,
    lines: tuple[CartLine, ...] | list[CartLine],
    voucher: Voucher | None,
    *,
    job: VoucherJob,
    today: date,
    used_by_this_code: bool = False,
) -> PricedOrder:
    """Price ``lines`` from ``profile`` and apply ``voucher``.

    ``today`` is the date in the job's time zone (a voucher is valid through its last day there);
    ``used_by_this_code`` says whether the customer's access code has redeemed ``voucher``.
    Raises ``ValidationFailed`` naming each line whose product the profile does not have, and
    ``VoucherRefused`` with the precise reason when the voucher cannot be used.
    """
    errors: list[dict[str, str]] = []
    priced: list[PricedLine] = []
    for i, line in enumerate(lines):
        product = profile.product(line.product_id)
        if product is None:
            errors.append(
                {
                    "field": f"lines[{i}].product_id",
                    "reason": f"no product {line.product_id!r} in the job's price list",
                }
            )
            continue
        priced.append(_priced_line(line, product, profile))
    if errors:
        raise ValidationFailed(errors)
    subtotal = sum(line.line_total_minor for line in priced)
    discount = 0
    applied = None
    if voucher is not None:
        check_voucher(
            voucher,
            job=job,
            currency=profile.currency,
            subtotal_minor=subtotal,
            today=today,
            used_by_this_code=used_by_this_code,
        )
        discount = discount_minor(voucher, subtotal)
        applied = AppliedVoucher(
            voucher.code,
            voucher.scope,
            voucher.percent,
            voucher.amount_minor,
            voucher.once_per_access_code,
        )
    return PricedOrder(
        currency=profile.currency,
        lines=tuple(priced),
        subtotal_minor=subtotal,
        discount_minor=discount,
        total_minor=subtotal - discount,
        voucher=applied,
    )
