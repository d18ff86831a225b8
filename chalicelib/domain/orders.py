"""Orders of the parents' shop (issue 5): what a customer bought, for how much, and where the
order is in its life: ``pending_payment`` -> ``paid`` -> ``fulfilled``, or ``pending_payment`` ->
``cancelled``.

Pure: parsing an order request, building an order from a priced cart, status transitions and the
rule a reported payment must pass. Prices come from :func:`chalicelib.domain.pricing.price_cart`
(the server's price list; prices a client sends are ignored); storage lives in the orders
repository."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import validation as v
from chalicelib.domain.payments import FREE, OFFLINE, PaymentStart
from chalicelib.domain.pricing import (
    CLIENT_ORDER_TOTALS,
    AppliedVoucher,
    CartLine,
    PackageComponent,
    PricedOrder,
    access_code_field,
    parse_lines,
)
from chalicelib.domain.roster_contacts import ContactError, normalize_email, normalize_phone
from chalicelib.domain.subjects import DEFAULT_COUNTRY_CODE
from chalicelib.domain.vouchers import optional_voucher_code
from chalicelib.errors import Conflict, ValidationFailed

PENDING_PAYMENT = "pending_payment"
PAID = "paid"
CANCELLED = "cancelled"
FULFILLED = "fulfilled"
ORDER_STATUSES = (PENDING_PAYMENT, PAID, CANCELLED, FULFILLED)
_NEXT = {PENDING_PAYMENT: (PAID, CANCELLED), PAID: (FULFILLED,), CANCELLED: (), FULFILLED: ()}
NAME_LENGTH = 120


class InvalidOrderTransition(Conflict):
    """The order is not in a status from which that change is possible; ``status`` says where
    it is."""

    code = "invalid_order_transition"


class PaymentNotRestartable(Conflict):
    """The order's payment cannot be started again: it is not waiting for a payment
    (``status``), or it is not paid through a hosted checkout of the shop's provider
    (``method``: offline orders are paid to the photographer)."""

    code = "payment_not_restartable"


class PaymentMismatch(Conflict):
    """A reported payment that does not pay this order (another amount or currency, or an
    order that can no longer be paid). Nothing was changed."""

    code = "payment_mismatch"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class OrderRequest:
    job_id: str
    lines: tuple[CartLine, ...]
    contact: Contact
    voucher_code: str | None = None


@dataclass(frozen=True)
class CartRequest:
    """An order without its contact: what a quote prices."""

    job_id: str
    lines: tuple[CartLine, ...]
    voucher_code: str | None = None


@dataclass(frozen=True)
class EnteredOrder:
    """A phone or paper order the photographer types in: the child's access code says whose
    gallery the photos come from."""

    access_code: str  # canonical key
    lines: tuple[CartLine, ...]
    contact: Contact
    voucher_code: str | None = None
    paid: bool = False  # the money was already received (cash with the paper form)


@dataclass(frozen=True)
class OrderLine:
    photo_id: str
    subject_id: str | None  # whose gallery the photo was bought from (None: a shared job)
    product_id: str
    quantity: int
    unit_price_minor: int
    total_minor: int


@dataclass(frozen=True)
class OrderedProduct:
    """A product as it was when ordered (the price list may change later): what production
    needs, lab codes and package contents included."""

    product_id: str
    kind: str
    name: str
    size: str | None
    lab_code: str | None
    components: tuple[PackageComponent, ...] = ()


@dataclass(frozen=True)
class Payment:
    method: str  # offline | stripe
    provider_ref: str | None = None
    checkout_url: str | None = None
    paid_at: datetime | None = None
    paid_minor: int | None = None
    recorded_by: str | None = None  # the provider, or the photographer who marked it paid
    # 1 for the payment started with the order, +1 for each "pay again" (a fresh checkout)
    attempt: int = 1


@dataclass(frozen=True)
class StatusEntry:
    status: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Order:
    order_id: str
    studio_id: str
    job_id: str
    job_name: str
    internal_job_name: str  # seed 000: printed on orders for production
    session_id: str  # the shop session that placed it: only that session reads it
    subject_ids: tuple[str, ...]
    contact: Contact
    lines: tuple[OrderLine, ...]
    products: tuple[OrderedProduct, ...]
    currency: str
    subtotal_minor: int
    discount_minor: int
    total_minor: int
    status: str
    payment: Payment
    created_at: datetime
    updated_at: datetime
    voucher: AppliedVoucher | None = None
    # Canonical access codes whose once-per-code voucher claim this order holds (never shown).
    redeemed_codes: tuple[str, ...] = ()
    history: tuple[StatusEntry, ...] = ()

    @property
    def customer_email(self) -> str | None:
        return self.contact.email

    def product(self, product_id: str) -> OrderedProduct | None:
        return next((p for p in self.products if p.product_id == product_id), None)


# Parsing ------------------------------------------------------------------------------------
def _contact(value: Any) -> Contact:
    if not isinstance(value, Mapping):
        raise v.FieldError("must be an object with name, email and phone")
    fields = v.collect(
        value,
        {
            "name": lambda x: v.text(x, max_length=NAME_LENGTH),
            "email": email_address,
            "phone": optional_phone,
        },
        required=("name", "email"),
        prefix="contact.",
    )
    return Contact(fields["name"], fields["email"], fields.get("phone"))


def email_address(value: Any) -> str:
    """Field parser of a required e-mail address, normalised (domain in lower case)."""
    try:
        return normalize_email(v.text(value, max_length=254))
    except (ContactError, v.FieldError) as exc:
        raise v.FieldError("must be an e-mail address") from exc


def optional_phone(value: Any) -> str | None:
    """Field parser of a phone number in E.164 (``+4930123456``); national numbers count as
    German ones."""
    if value is None or value == "":
        return None
    try:
        return normalize_phone(v.text(value, max_length=32), DEFAULT_COUNTRY_CODE)
    except (ContactError, v.FieldError) as exc:
        raise v.FieldError("must be a phone number such as +49 30 1234567") from exc


def parse_order_request(body: Any) -> OrderRequest:
    """The job, cart lines, contact and voucher of an order. Totals a client sends are dropped
    unread (like line prices, see ``pricing.parse_lines``)."""
    raw = {k: x for k, x in v.require_object(body).items() if k not in CLIENT_ORDER_TOTALS}
    fields = v.collect(
        raw,
        {
            "job_id": lambda x: v.text(x, max_length=64),
            "lines": parse_lines,
            "voucher": optional_voucher_code,
            "contact": _contact,
        },
        required=("job_id", "lines", "contact"),
    )
    return OrderRequest(fields["job_id"], fields["lines"], fields["contact"], fields.get("voucher"))


def parse_cart_request(body: Any) -> CartRequest:
    """The job, cart lines and voucher of a quote: an order's body, whose contact (if the shop
    sends it along) is not needed and not read."""
    raw = {
        k: x
        for k, x in v.require_object(body).items()
        if k not in CLIENT_ORDER_TOTALS and k != "contact"
    }
    fields = v.collect(
        raw,
        {
            "job_id": lambda x: v.text(x, max_length=64),
            "lines": parse_lines,
            "voucher": optional_voucher_code,
        },
        required=("job_id", "lines"),
    )
    return CartRequest(fields["job_id"], fields["lines"], fields.get("voucher"))


def parse_entered_order(body: Any) -> EnteredOrder:
    """An order the photographer enters: access code, lines, contact, voucher, and whether it
    is paid already. Totals and prices sent along are dropped unread, as in the shop."""
    raw = {k: x for k, x in v.require_object(body).items() if k not in CLIENT_ORDER_TOTALS}
    fields = v.collect(
        raw,
        {
            "access_code": access_code_field,
            "lines": parse_lines,
            "contact": _contact,
            "voucher": optional_voucher_code,
            "voucher_code": optional_voucher_code,
            "paid": v.boolean,
        },
        required=("access_code", "lines", "contact"),
    )
    if "voucher" in fields and "voucher_code" in fields:
        raise ValidationFailed(
            [{"field": "voucher_code", "reason": "give either voucher or voucher_code"}]
        )
    return EnteredOrder(
        access_code=fields["access_code"],
        lines=fields["lines"],
        contact=fields["contact"],
        voucher_code=fields.get("voucher") or fields.get("voucher_code"),
        paid=fields.get("paid", False),
    )


# Building -----------------------------------------------------------------------------------
def new_order(
    *,
    order_id: str,
    session_id: str,
    job: Any,  # jobs.Job
    priced: PricedOrder,
    owners: Mapping[str, str | None],  # photo id -> subject id
    contact: Contact,
    redeemed_codes: tuple[str, ...],
    now: datetime,
    placed_by: str = "customer",
) -> Order:
    """A ``pending_payment`` order of a priced cart (payment not started yet: offline);
    ``placed_by`` is the customer, or the photographer who entered it."""
    lines = tuple(
        OrderLine(
            photo_id=line.photo_id,
            subject_id=owners.get(line.photo_id),
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            total_minor=line.line_total_minor,
        )
        for line in priced.lines
    )
    products: dict[str, OrderedProduct] = {}
    for line in priced.lines:
        products.setdefault(
            line.product_id,
            OrderedProduct(
                line.product_id, line.kind, line.name, line.size, line.lab_code, line.components
            ),
        )
    subject_ids = tuple(dict.fromkeys(s for s in (line.subject_id for line in lines) if s))
    return Order(
        order_id=order_id,
        studio_id=job.studio_id,
        job_id=job.job_id,
        job_name=job.name,
        internal_job_name=job.internal_name,
        session_id=session_id,
        subject_ids=subject_ids,
        contact=contact,
        lines=lines,
        products=tuple(products.values()),
        currency=priced.currency,
        subtotal_minor=priced.subtotal_minor,
        discount_minor=priced.discount_minor,
        total_minor=priced.total_minor,
        status=PENDING_PAYMENT,
        payment=Payment(method="offline"),
        created_at=now,
        updated_at=now,
        voucher=priced.voucher,
        redeemed_codes=redeemed_codes
        if priced.voucher and priced.voucher.once_per_access_code
        else (),
        history=(StatusEntry(PENDING_PAYMENT, now, placed_by),),
    )


def with_payment_start(order: Order, start: PaymentStart) -> Order:
    """The order with what its provider answered for attempt ``order.payment.attempt``."""
    return replace(
        order,
        payment=Payment(
            method=start.method,
            provider_ref=start.provider_ref,
            checkout_url=start.checkout_url,
            attempt=order.payment.attempt,
        ),
    )


def check_restartable(order: Order, provider: str) -> None:
    """A payment can be started again (a new checkout for the same order and amount) while the
    order waits for its payment and was started with ``provider``'s hosted checkout; an offline
    order, or one of a provider the shop no longer uses, has nothing to restart."""
    if order.status != PENDING_PAYMENT:
        raise PaymentNotRestartable(
            f"order {order.order_id} is {order.status}, not waiting for a payment",
            status=order.status,
        )
    if order.payment.method != provider or provider in (OFFLINE, FREE):
        raise PaymentNotRestartable(
            f"order {order.order_id} is paid {order.payment.method}: there is no online "
            "payment to start again",
            status=order.status,
            method=order.payment.method,
        )


def next_payment_attempt(order: Order, now: datetime) -> Order:
    """The order as its next payment attempt is started: the old checkout is dropped (the
    provider's answer replaces it, see :func:`with_payment_start`)."""
    return replace(
        order,
        payment=Payment(method=order.payment.method, attempt=order.payment.attempt + 1),
        updated_at=now,
    )


# Life ---------------------------------------------------------------------------------------
def free_of_charge(order: Order, now: datetime) -> Order:
    """A new order whose total is 0 (a voucher covered everything), paid as it is placed:
    there is nothing to collect, so no provider is asked."""
    if order.total_minor != 0:
        raise ValueError(f"order {order.order_id} costs {order.total_minor}; it is not free")
    free = replace(order, payment=Payment(method=FREE))
    return paid(free, provider=FREE, provider_ref=None, amount_minor=0, now=now)


def check_transition(order: Order, target: str) -> None:
    """Raise ``InvalidOrderTransition`` unless ``order`` may go to ``target``."""
    if target not in _NEXT.get(order.status, ()):
        raise InvalidOrderTransition(
            f"order {order.order_id} is {order.status}; it cannot become {target}",
            status=order.status,
            target=target,
        )


def moved(order: Order, target: str, *, by: str, now: datetime) -> Order:
    check_transition(order, target)
    return replace(
        order,
        status=target,
        updated_at=now,
        history=(*order.history, StatusEntry(target, now, by)),
    )


def paid(
    order: Order, *, provider: str, provider_ref: str | None, amount_minor: int, now: datetime
) -> Order:
    """The order, paid. The caller has checked :func:`check_payment`."""
    done = moved(order, PAID, by=provider, now=now)
    return replace(
        done,
        payment=replace(
            order.payment,
            provider_ref=provider_ref or order.payment.provider_ref,
            paid_at=now,
            paid_minor=amount_minor,
            recorded_by=provider,
        ),
    )


def check_payment(order: Order, *, amount_minor: int, currency: str) -> None:
    """A payment pays an order when it is pending and the amount and currency are its total."""
    if order.status != PENDING_PAYMENT:
        raise PaymentMismatch(
            f"order {order.order_id} is {order.status}, not waiting for a payment",
            status=order.status,
        )
    if currency.upper() != order.currency or amount_minor != order.total_minor:
        raise PaymentMismatch(
            f"a payment of {amount_minor} {currency.upper()} does not pay order "
            f"{order.order_id} ({order.total_minor} {order.currency})",
            amount_minor=amount_minor,
            currency=currency.upper(),
        )


def already_paid_by(order: Order, provider_ref: str | None) -> bool:
    """True when ``order`` was paid by this very payment (a redelivered notification)."""
    return order.status in (PAID, FULFILLED) and (
        provider_ref is None or order.payment.provider_ref == provider_ref
    )
