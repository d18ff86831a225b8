"""Who receives a step, decided at SEND time (orders placed meanwhile count)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from chalicelib.domain.communication.errors import InvalidPhoneNumber
from chalicelib.domain.communication.phone import normalize_phone
from chalicelib.domain.communication.profiles import Audience, Channel


@dataclass(frozen=True)
class Customer:
    """A registered customer of a job (a parent), with the access code they log in with.
    ``registered`` is False for a contact taken from a recreated job's name list (seed 004):
    the email's footer then says where the address came from."""

    customer_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    access_code: str | None = None
    registered: bool = True


@dataclass(frozen=True)
class OrderSummary:
    """What audience rules need of an order. Matched by customer id or access code."""

    order_id: str
    customer_id: str | None = None
    access_code: str | None = None
    paid: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class OptOuts:
    """A studio's opt-outs: unsubscribed email addresses and SMS-opted-out phone numbers."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Frozen, so normalise once here: matching is case-insensitive and format-blind.
        object.__setattr__(self, "emails", frozenset(normalize_email(e) for e in self.emails))
        object.__setattr__(self, "phones", frozenset(phone_key(p) for p in self.phones))

    def blocks(self, channel: Channel, address: str) -> bool:
        if channel == Channel.EMAIL:
            return normalize_email(address) in self.emails
        return phone_key(address) in self.phones


class SkipReason(StrEnum):
    ALREADY_ORDERED = "already_ordered"
    NOT_A_BUYER = "not_a_buyer"
    NO_EMAIL = "no_email"
    NO_PHONE = "no_phone"
    OPTED_OUT = "opted_out"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Recipient:
    """A customer to send to, and the address on the step's channel (for SMS possibly not
    valid E.164: ``phone.normalize_phone`` at send time fails it as ``InvalidPhoneNumber``)."""

    customer: Customer
    channel: Channel
    address: str


@dataclass(frozen=True)
class SkippedRecipient:
    customer_id: str
    reason: SkipReason


class Selection(NamedTuple):
    recipients: tuple[Recipient, ...]
    skipped: tuple[SkippedRecipient, ...]

    def skipped_counts(self) -> dict[str, int]:
        return dict(Counter(s.reason.value for s in self.skipped))


class Targeted(Protocol):
    """A step or a newsletter: anything with a channel and an audience."""

    @property
    def channel(self) -> Channel: ...
    @property
    def audience(self) -> Audience: ...


def normalize_email(address: str) -> str:
    return address.strip().lower()


def phone_key(number: str) -> str:
    """A number as opt-outs compare it: normalized, or as written when it is not valid."""
    try:
        return normalize_phone(number)
    except InvalidPhoneNumber:
        return number.strip()


def _orders_by(orders: Iterable[OrderSummary]) -> tuple[set[str], set[str]]:
    """(keys of customers who ordered, keys of customers who paid); keys are ids and codes."""
    ordered: set[str] = set()
    paid: set[str] = set()
    for order in orders:
        if order.cancelled:
            continue
        keys = {f"id:{order.customer_id}", f"code:{order.access_code}"} - {"id:None", "code:None"}
        ordered |= keys
        if order.paid:
            paid |= keys
    return ordered, paid


def _keys(customer: Customer) -> set[str]:
    keys = {f"id:{customer.customer_id}"}
    if customer.access_code:
        keys.add(f"code:{customer.access_code}")
    return keys


def _audience_reason(
    audience: Audience, keys: set[str], ordered: set[str], paid: set[str]
) -> SkipReason | None:
    if audience == Audience.NOT_ORDERED and keys & ordered:
        return SkipReason.ALREADY_ORDERED
    if audience == Audience.BUYERS and not keys & paid:
        return SkipReason.NOT_A_BUYER
    return None


def select_recipients(
    step: Targeted,
    customers: Iterable[Customer],
    orders: Iterable[OrderSummary],
    opt_outs: OptOuts,
) -> Selection:
    """Expand ``step``'s audience over the job's customers, at send time.

    ``not_ordered`` leaves out whoever placed an order (not cancelled; paid or not) since
    the step was planned; ``buyers`` keeps only customers with a paid order. Then customers
    without an address on the channel, and opted-out addresses, are skipped and counted.
    """
    ordered, paid = _orders_by(orders)
    recipients: list[Recipient] = []
    skipped: list[SkippedRecipient] = []
    seen: set[str] = set()
    for customer in customers:
        reason = _audience_reason(step.audience, _keys(customer), ordered, paid)
        address = (customer.email if step.channel == Channel.EMAIL else customer.phone) or ""
        if customer.customer_id in seen:
            reason = SkipReason.DUPLICATE
        elif reason is None and not address.strip():
            reason = SkipReason.NO_EMAIL if step.channel == Channel.EMAIL else SkipReason.NO_PHONE
        elif reason is None and opt_outs.blocks(step.channel, address):
            reason = SkipReason.OPTED_OUT
        seen.add(customer.customer_id)
        if reason is None:
            recipients.append(Recipient(customer, step.channel, address.strip()))
        else:
            skipped.append(SkippedRecipient(customer.customer_id, reason))
    return Selection(tuple(recipients), tuple(skipped))
