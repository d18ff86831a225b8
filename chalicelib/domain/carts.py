"""The shop's server-side cart: what a parent picked for one job, kept so that another device
can restore it and so that a cart left behind can be followed by one nudge (the profile's
``abandoned_cart`` steps).

Ownership decides what a cart may trigger:

- a session whose code is registered for the job stores the cart of that **customer** (any
  of their devices finds it again; with siblings registered by different parents, the
  customer of the session's first registered code). Each change re-dispatches the
  ``abandoned_cart`` trigger, anchored at the change, so only the last change's schedule is
  pending;
- an anonymous session stores its cart under the **session** id, for that session only and
  for a limited time. It schedules nothing: there is nobody to write to.

A cart keeps its ``cart_id`` while it changes and gets a new one after it was ordered (the
order deletes it), so a parent is nudged at most once per cart, however often it changes.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from chalicelib.domain import validation as v
from chalicelib.domain.pricing import CartLine, parse_lines
from chalicelib.errors import ValidationFailed

# An anonymous cart outlives its session a little (a token refreshed by adding a sibling's
# code keeps the session id); a customer's cart lasts as long as a shop is usually open.
ANONYMOUS_CART_LIFETIME = timedelta(days=1)
CUSTOMER_CART_LIFETIME = timedelta(days=180)


class CartOwnerKind(StrEnum):
    CUSTOMER = "customer"
    SESSION = "session"


@dataclass(frozen=True)
class CartOwner:
    kind: CartOwnerKind
    owner_id: str  # a customer id, or a shop session id

    @property
    def can_be_nudged(self) -> bool:
        """Only a registered customer has an address to remind."""
        return self.kind == CartOwnerKind.CUSTOMER


@dataclass(frozen=True)
class Cart:
    cart_id: str
    job_id: str
    studio_id: str
    owner: CartOwner
    lines: tuple[CartLine, ...]
    updated_at: datetime
    expires_at: datetime

    @property
    def is_empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True)
class CartUpdate:
    job_id: str
    lines: tuple[CartLine, ...]


def parse_cart_lines(value: Any) -> tuple[CartLine, ...]:
    """Field parser of a stored cart: like an order's lines, but may be empty (emptied)."""
    if not isinstance(value, list):
        raise v.FieldError("must be a list of lines (an empty list empties the cart)")
    return parse_lines(value) if value else ()


def parse_cart_update(body: Any) -> CartUpdate:
    """``{job_id, lines: [{photo_id, product_id, quantity}]}``; prices a client sends are
    dropped unread (the cart holds choices, never prices)."""
    fields = v.collect(
        v.require_object(body),
        {"job_id": lambda x: v.text(x, max_length=64), "lines": parse_cart_lines},
        required=("job_id", "lines"),
    )
    return CartUpdate(fields["job_id"], fields["lines"])


class ProductList(Protocol):
    def product(self, product_id: str) -> Any | None: ...


def check_products(lines: Iterable[CartLine], profile: ProductList) -> None:
    """``ValidationFailed`` naming every line whose product the job's price list lacks."""
    errors = [
        {"field": f"lines[{i}].product_id", "reason": f"{line.product_id} is not for sale here"}
        for i, line in enumerate(lines)
        if profile.product(line.product_id) is None
    ]
    if errors:
        raise ValidationFailed(errors)


def expiry_of(owner: CartOwner, now: datetime) -> datetime:
    lifetime = CUSTOMER_CART_LIFETIME if owner.can_be_nudged else ANONYMOUS_CART_LIFETIME
    return now + lifetime


def changed_cart(
    current: Cart | None,
    update: CartUpdate,
    *,
    studio_id: str,
    owner: CartOwner,
    now: datetime,
    new_cart_id: str,
    shown: Container[str] | None = None,
) -> Cart:
    """The cart after ``update``: the same cart (id) while it exists, a new one otherwise.

    ``shown`` (a customer's cart) are the photos the updating session is shown. The update
    replaces the lines of those; lines of photos only another of the customer's sessions is
    shown (a device that holds a sibling's code too) are kept: this session could neither
    see nor remove them. Without ``shown`` the update replaces every line."""
    kept: tuple[CartLine, ...] = ()
    if current is not None and shown is not None:
        kept = tuple(line for line in current.lines if line.photo_id not in shown)
    return Cart(
        cart_id=current.cart_id if current is not None else new_cart_id,
        job_id=update.job_id,
        studio_id=studio_id,
        owner=owner,
        lines=update.lines + kept,
        updated_at=now,
        expires_at=expiry_of(owner, now),
    )


class CartNudgeBlock(StrEnum):
    """Why a fired abandoned-cart schedule sends nothing (recorded as ``stale:<reason>``)."""

    CART_GONE = "cart_gone"  # ordered (the order deletes it), expired, or never stored
    CART_EMPTY = "cart_empty"
    NOT_A_CUSTOMERS_CART = "not_a_customers_cart"


def nudge_block(cart: Cart | None) -> CartNudgeBlock | None:
    """Whether the cart a schedule was made for still deserves its nudge. A cart changed
    after the schedule's anchor is the fire check's business (``check_fire``'s
    ``subject_anchor``): its own, later schedule is pending."""
    if cart is None:
        return CartNudgeBlock.CART_GONE
    if not cart.owner.can_be_nudged:
        return CartNudgeBlock.NOT_A_CUSTOMERS_CART
    if cart.is_empty:
        return CartNudgeBlock.CART_EMPTY
    return None
